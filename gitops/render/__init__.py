"""Apps x envs -> ``rendered/``: loading ``envs/`` and ``apps/`` (user code), building the cdk8s
tree, objects and their canonical YAML, the only writer of ``rendered/``, and drift.

Lint and validate never import this package: it starts Node.js through cdk8s.
"""
