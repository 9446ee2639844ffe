"""Validate Kubernetes objects against the JSON schemas of their target Kubernetes version,
offline: a built-in engine (``builtin``) or kubeconform (``kubeconform``), with packaged CRD
schemas, the user's CRDs, and deprecated/removed API version checks.

Data flow: ``run.validate`` loads the input (``gitops.k8s.manifests``), gathers CRD schemas
(``crds``, ``openapi``), resolves each file's Kubernetes version (``versions``), plans each
object (``plan``: deprecations, schema lookup in ``store``), and checks the targets with an
engine (``builtin`` or ``kubeconform``); ``messages`` makes schema errors readable and
``rules`` gives every finding its code.
"""
