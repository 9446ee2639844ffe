"""gitops: render cdk8s apps per environment into committed manifests; lint and validate them."""

__version__ = "0.1.0"
