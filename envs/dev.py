"""Development: one small replica per app on the dev cluster, which runs the next Kubernetes."""

from gitops.envs import AppOverlay, Environment, Features

ENVIRONMENT = Environment(
    name="dev",
    cluster="dev-eu-west-1",
    kubernetes_version="1.32",
    resource_scale=0.25,
    features=Features(canary=False, pdb=True),
    api_server_cidrs=("10.96.0.1/32",),
    apps={
        "my-app": AppOverlay(min_replicas=1, max_replicas=3, hostname="api.dev.example.com"),
        "ml-inference-api": AppOverlay(min_replicas=1, max_replicas=2),
    },
)
