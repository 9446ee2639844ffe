"""cdk8s, imported once through the Node.js check (see gitops.constructs.node_runtime)."""

from __future__ import annotations

from typing import Any

from gitops.constructs.node_runtime import load_cdk8s

cdk8s: Any = load_cdk8s()
