"""The API versions a Kubernetes release serves, from the schemas packaged with
``kubernetes-validate``: what Helm's ``.Capabilities.APIVersions`` should answer for a chart
rendered for that release (``helm template --api-versions``)."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path

_EVERY_GROUP = frozenset({"DeleteOptions", "WatchEvent"})
"""Meta kinds the schemas list under every group version; they say nothing about serving."""


@cache
def served_api_versions(kubernetes_version: str) -> tuple[str, ...]:
    """``group/version`` and ``group/version/Kind`` (``v1`` and ``v1/Pod`` for the core
    group) of every kind Kubernetes ``kubernetes_version`` (e.g. ``1.31``) serves, sorted;
    () when no schemas for that version are installed."""
    # Found without importing the package (its import alone takes a second).
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        return ()
    package = Path(next(iter(spec.submodule_search_locations)))
    definitions = (
        package / "kubernetes-json-schema" / f"v{kubernetes_version}.0-local" / "_definitions.json"
    )
    try:
        document = json.loads(definitions.read_bytes())
    except FileNotFoundError:
        return ()
    served: set[str] = set()
    for schema in document.get("$defs", {}).values():
        gvks = schema.get("x-kubernetes-group-version-kind")
        if not isinstance(gvks, list) or "kind" not in schema.get("properties", {}):
            continue
        for gvk in gvks:
            if gvk["kind"] in _EVERY_GROUP:
                continue
            group_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            served.update((group_version, f"{group_version}/{gvk['kind']}"))
    return tuple(sorted(served))
