"""Production: full size, PodDisruptionBudgets, and canary delivery through Argo Rollouts.

Alone on its cluster, so apps keep the default namespace rule: each runs in ``<app>``.
"""

from gitops.envs import Environment, Features

ENVIRONMENT = Environment(
    name="prod",
    cluster="prod-eu-west-1",
    kubernetes_version="1.31",
    resource_scale=1.0,
    features=Features(canary=True, pdb=True),
    # The API server's endpoint IPs (kubectl get endpoints kubernetes -n default), not the
    # `kubernetes` Service ClusterIP: Calico and Cilium evaluate NetworkPolicy after the
    # Service DNAT, so egress to the ClusterIP never matches.
    api_server_cidrs=("10.100.0.10/32", "10.100.1.10/32", "10.100.2.10/32"),
    upstream="staging",
    revision="env/prod",
    require_digests=True,
)
