"""The Kubernetes object model every engine reads: the safe YAML loader with positions,
manifests, the object graph and its indexes, pod specs wherever they live, RBAC, kinds and
scopes, quantities, image references, security contexts, and the render index that maps each
rendered file back to its source.

Pure data and functions: nothing here writes files or imports cdk8s.
"""
