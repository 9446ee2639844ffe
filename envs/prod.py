"""Production: full size, PodDisruptionBudgets, and canary delivery through Argo Rollouts."""

from gitops.envs import Environment, Features

ENVIRONMENT = Environment(
    name="prod",
    cluster="prod-eu-west-1",
    kubernetes_version="1.31",
    resource_scale=1.0,
    features=Features(canary=True, pdb=True),
    api_server_cidrs=("10.100.0.1/32",),
    upstream="staging",
    revision="env/prod",
    require_digests=True,
)
