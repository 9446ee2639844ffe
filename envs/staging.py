"""Staging: production's shape at half the size; releases soak here before prod, through the
same canary analysis prod runs, so prod is never the first environment to run it."""

from gitops.envs import AppOverlay, Environment, Features

ENVIRONMENT = Environment(
    name="staging",
    cluster="staging-eu-west-1",
    kubernetes_version="1.31",
    resource_scale=0.5,
    features=Features(canary=True, pdb=True),
    api_server_cidrs=("10.96.0.1/32",),
    upstream="dev",
    revision="env/staging",
    apps={
        "my-app": AppOverlay(min_replicas=2, max_replicas=6, hostname="api.staging.example.com"),
        "ml-inference-api": AppOverlay(min_replicas=2, max_replicas=6),
    },
)
