"""Staging: production's shape at half the size; releases soak here before prod, through the
same canary analysis prod runs, so prod is never the first environment to run it.

Shares the ``nonprod-eu-west-1`` cluster with dev, so each app runs in ``<app>-staging``.
"""

from gitops.envs import AppOverlay, Environment, Features

ENVIRONMENT = Environment(
    name="staging",
    cluster="nonprod-eu-west-1",
    kubernetes_version="1.32",
    namespace="{app}-{env}",
    resource_scale=0.5,
    features=Features(canary=True, pdb=True),
    # The API server's endpoint IPs (kubectl get endpoints kubernetes -n default), not the
    # `kubernetes` Service ClusterIP (10.96.0.1): Calico and Cilium evaluate NetworkPolicy
    # after the Service DNAT, so egress to the ClusterIP never matches.
    api_server_cidrs=("10.20.0.10/32", "10.20.1.10/32", "10.20.2.10/32"),
    upstream="dev",
    revision="env/staging",
    apps={
        "my-app": AppOverlay(min_replicas=2, max_replicas=6, hostname="api.staging.example.com"),
        "ml-inference-api": AppOverlay(min_replicas=2, max_replicas=6),
    },
)
