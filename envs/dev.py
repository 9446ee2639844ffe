"""Development: one small replica per app, on the non-prod cluster it shares with staging.

dev and staging share ``nonprod-eu-west-1``, so each app runs in ``<app>-dev`` here and
``<app>-staging`` there. The ML inference API is not deployed to dev (it needs GPUs the dev
node pools do not have): it runs in staging and prod only.
"""

from gitops.envs import AppOverlay, Environment, Features

ENVIRONMENT = Environment(
    name="dev",
    cluster="nonprod-eu-west-1",
    kubernetes_version="1.32",
    namespace="{app}-{env}",
    exclude_apps=("ml-inference-api",),
    resource_scale=0.25,
    features=Features(canary=False, pdb=True),
    # The API server's endpoint IPs (kubectl get endpoints kubernetes -n default), not the
    # `kubernetes` Service ClusterIP (10.96.0.1): Calico and Cilium evaluate NetworkPolicy
    # after the Service DNAT, so egress to the ClusterIP never matches.
    api_server_cidrs=("10.20.0.10/32", "10.20.1.10/32", "10.20.2.10/32"),
    apps={
        "my-app": AppOverlay(min_replicas=1, max_replicas=3, hostname="api.dev.example.com"),
    },
)
