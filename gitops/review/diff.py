"""The semantic diff of two sets of rendered objects: pure functions, no I/O.

Objects are matched by identity (environment, API group, kind, namespace, name), never by
file, so a moved file is no change. Inside an object, key order is ignored and lists whose
items all carry a unique ``name`` (containers, env, ports, volumes, volumeMounts, named
rules) are matched by name; each change names its field path
(``spec.template.spec.containers[api].image``) with the old and new value. An object removed
and another added whose content is equal but for ``metadata.name`` is a rename. Secret values
never leave :func:`redact`: each becomes a short salted hash, so a reviewer sees that a key
was added, removed or changed, and can tell two changes apart, without the value.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

ADDED, REMOVED, CHANGED, RENAMED = "added", "removed", "changed", "renamed"
NO_APP = ""
"""The app of objects that belong to no app (Argo CD's, an environment's own)."""

SECRET_PATHS: Mapping[tuple[str, str], tuple[tuple[str, ...], ...]] = {
    ("", "Secret"): (("data",), ("stringData",)),
    ("bitnami.com", "SealedSecret"): (("spec", "encryptedData"), ("spec", "template", "data")),
}
"""Where Secret-like kinds keep values that must never be printed."""
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_MISSING: Any = object()


@dataclass(frozen=True)
class Obj:
    """One rendered object at one revision."""

    env: str
    app: str
    group: str
    kind: str
    namespace: str | None
    name: str
    path: str
    body: Mapping[str, Any]

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.env, self.group, self.kind, self.namespace or "", self.name)


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any = None
    new: Any = None
    has_old: bool = True
    has_new: bool = True

    def key(self) -> tuple[str, str, str]:
        return (
            self.path,
            _canonical(self.old) if self.has_old else "",
            _canonical(self.new) if self.has_new else "",
        )


@dataclass(frozen=True)
class Change:
    """One object's change in one environment."""

    env: str
    app: str
    group: str
    kind: str
    namespace: str | None
    name: str
    change: str
    """added, removed, changed or renamed."""
    path: str
    """The file at head (at base for a removal)."""
    fields: tuple[FieldChange, ...] = ()
    risk: tuple[str, ...] = ()
    old_name: str | None = None
    """For a rename: the name at base."""
    body: Mapping[str, Any] | None = field(default=None, compare=False)
    """The (redacted) object, for an added or removed one."""

    @property
    def api_kind(self) -> str:
        return f"{self.group}/{self.kind}" if self.group else self.kind

    def subject(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"

    def same_as(self) -> tuple[object, ...]:
        """What makes this change the same as another environment's. In the namespace (only
        there) the environment's own name is a placeholder, so that with a namespace rule like
        ``{app}-{env}`` one construct change is still one block for every env; values that
        differ by env keep their blocks apart."""
        body = ""
        if self.body is not None:
            neutral = dict(self.body)
            meta = neutral.get("metadata")
            if isinstance(meta, Mapping) and isinstance(meta.get("namespace"), str):
                neutral["metadata"] = {**meta, "namespace": self.env_neutral(meta["namespace"])}
            body = _canonical(neutral)
        return (
            self.app,
            self.group,
            self.kind,
            self.env_neutral(self.namespace or ""),
            self.name,
            self.change,
            self.old_name or "",
            tuple(f.key() for f in self.fields),
            body,
        )

    def env_neutral(self, text: str) -> str:
        """``text`` with this change's env name, where it stands as a DNS-label word, as
        ``{env}``."""
        return re.sub(rf"(?<![a-z0-9]){re.escape(self.env)}(?![a-z0-9])", "{env}", text)


@dataclass(frozen=True)
class Block:
    """One change shown once for every environment it applies to."""

    envs: tuple[str, ...]
    change: Change


@dataclass(frozen=True)
class Row:
    env: str
    app: str
    added: int
    removed: int
    changed: int
    risk: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    changes: tuple[Change, ...]
    """One per object and environment, sorted by env, app, group, kind, namespace, name."""

    @property
    def rows(self) -> tuple[Row, ...]:
        grouped: dict[tuple[str, str], list[Change]] = defaultdict(list)
        for change in self.changes:
            grouped[(change.env, change.app)].append(change)
        rows = []
        for (env, app), changes in sorted(grouped.items()):
            tally = {ADDED: 0, REMOVED: 0, CHANGED: 0}
            for c in changes:
                tally[CHANGED if c.change == RENAMED else c.change] += 1
            risk = sorted({tag for c in changes for tag in c.risk})
            rows.append(Row(env, app, tally[ADDED], tally[REMOVED], tally[CHANGED], tuple(risk)))
        return tuple(rows)

    @property
    def blocks(self) -> tuple[Block, ...]:
        """Changes grouped by app, then object; identical changes in several environments
        become one block listing them."""
        grouped: dict[tuple[object, ...], list[Change]] = {}
        for change in self.changes:
            grouped.setdefault(change.same_as(), []).append(change)
        blocks = []
        for members in grouped.values():
            first = members[0]
            if len({m.namespace for m in members}) > 1:  # shown as e.g. my-app-{env}
                first = replace(first, namespace=first.env_neutral(first.namespace or ""))
            blocks.append(Block(tuple(sorted(c.env for c in members)), first))
        blocks.sort(key=lambda b: (b.change.app, _object_order(b.change), b.envs))
        return tuple(blocks)


def redact(group: str, kind: str, name: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
    """``body`` with every Secret value replaced by ``<redacted sha256:…>`` (a hash salted
    with the object and key, so equal values in two Secrets do not look alike)."""
    paths = SECRET_PATHS.get((group, kind))
    if not paths:
        return body
    copy: dict[str, Any] = dict(body)
    for path in paths:
        parent: dict[str, Any] = copy
        for part in path[:-1]:
            child = parent.get(part)
            if not isinstance(child, dict):
                break
            parent[part] = child = dict(child)
            parent = child
        else:
            values = parent.get(path[-1])
            if isinstance(values, dict):
                parent[path[-1]] = {
                    k: _hashed(f"{kind}/{name}/{'.'.join(path)}/{k}", v) for k, v in values.items()
                }
            elif values is not None:
                parent[path[-1]] = _hashed(f"{kind}/{name}/{'.'.join(path)}", values)
    metadata = copy.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("annotations"), dict):
        annotations = dict(metadata["annotations"])
        if _LAST_APPLIED in annotations:
            annotations[_LAST_APPLIED] = _hashed(f"{kind}/{name}/last", annotations[_LAST_APPLIED])
            copy["metadata"] = {**metadata, "annotations": annotations}
    return copy


def _hashed(salt: str, value: Any) -> str:
    digest = hashlib.sha256(f"{salt}\0{_canonical(value)}".encode()).hexdigest()
    return f"<redacted sha256:{digest[:12]}>"


def diff(base: Iterable[Obj], head: Iterable[Obj]) -> Result:
    """Every object added, removed, renamed or changed from ``base`` to ``head``."""
    old, new = _keyed(base), _keyed(head)
    changes: list[Change] = []
    removed = [old[k] for k in sorted(old.keys() - new.keys())]
    added = [new[k] for k in sorted(new.keys() - old.keys())]
    for key in sorted(old.keys() & new.keys()):
        a, b = old[key], new[key]
        fields = field_changes(a.body, b.body)
        if fields:
            changes.append(_change(b, CHANGED, fields))
    renamed = _renames(removed, added)
    for before, after in renamed:
        changes.append(_change(after, RENAMED, (), old_name=before.name))
    gone = {id(before) for before, _ in renamed}
    came = {id(after) for _, after in renamed}
    changes += [_change(o, REMOVED, (), body=o.body) for o in removed if id(o) not in gone]
    changes += [_change(o, ADDED, (), body=o.body) for o in added if id(o) not in came]
    changes.sort(key=lambda c: (c.env, c.app, *_object_order(c)))
    return Result(tuple(changes))


def _keyed(found: Iterable[Obj]) -> dict[tuple[str, ...], Obj]:
    """Objects by identity; a second object of one identity (which the linter reports) is
    kept apart by its file, never dropped."""
    keyed: dict[tuple[str, ...], Obj] = {}
    for o in found:
        key: tuple[str, ...] = o.key
        if key in keyed:
            key = (*key, o.path)
        keyed[key] = o
    return keyed


def _change(
    o: Obj,
    change: str,
    fields: tuple[FieldChange, ...],
    *,
    old_name: str | None = None,
    body: Mapping[str, Any] | None = None,
) -> Change:
    return Change(
        env=o.env,
        app=o.app,
        group=o.group,
        kind=o.kind,
        namespace=o.namespace,
        name=o.name,
        change=change,
        path=o.path,
        fields=fields,
        risk=risk_tags(o.group, o.kind, o.namespace, change, fields),
        old_name=old_name,
        body=body,
    )


def _object_order(c: Change) -> tuple[str, str, str, str]:
    return (c.group, c.kind, c.namespace or "", c.name)


def _renames(removed: Sequence[Obj], added: Sequence[Obj]) -> list[tuple[Obj, Obj]]:
    """Pairs (removed, added) of the same env/group/kind/namespace whose content is equal
    but for the name; each object pairs at most once, in sorted order."""
    candidates: dict[tuple[object, ...], list[Obj]] = defaultdict(list)
    for o in removed:
        candidates[(o.env, o.group, o.kind, o.namespace, _canonical(_unnamed(o.body)))].append(o)
    pairs = []
    for o in added:
        found = candidates.get((o.env, o.group, o.kind, o.namespace, _canonical(_unnamed(o.body))))
        if found:
            pairs.append((found.pop(0), o))
    return pairs


def _unnamed(body: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = body.get("metadata")
    if not isinstance(metadata, dict):
        return body
    return {**body, "metadata": {k: v for k, v in metadata.items() if k != "name"}}


def field_changes(old: Any, new: Any) -> tuple[FieldChange, ...]:
    """The leaf-most differences between ``old`` and ``new``, in path order."""
    out: list[FieldChange] = []
    _diff(old, new, "", out)
    return tuple(out)


def _diff(old: Any, new: Any, path: str, out: list[FieldChange]) -> None:
    if old is new or (type(old) is type(new) and old == new):
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys(), key=str):
            _diff_entry(old, new, key, path + _segment(str(key), first=not path), out)
        return
    if isinstance(old, list) and isinstance(new, list):
        by_old, by_new = _named(old), _named(new)
        if by_old is not None and by_new is not None:
            for name in sorted(by_old.keys() | by_new.keys()):
                _diff_entry(by_old, by_new, name, f"{path}[{name}]", out)
            return
        for i in range(max(len(old), len(new))):
            sub = f"{path}[{i}]"
            if i >= len(old):
                out.append(FieldChange(sub, None, new[i], has_old=False))
            elif i >= len(new):
                out.append(FieldChange(sub, old[i], None, has_new=False))
            else:
                _diff(old[i], new[i], sub, out)
        return
    out.append(FieldChange(path, old, new))


def _diff_entry(
    old: Mapping[Any, Any], new: Mapping[Any, Any], key: Any, path: str, out: list[FieldChange]
) -> None:
    """The change at ``key`` of two mappings: added, removed, or what differs inside."""
    if key not in old:
        out.append(FieldChange(path, None, new[key], has_old=False))
    elif key not in new:
        out.append(FieldChange(path, old[key], None, has_new=False))
    else:
        _diff(old[key], new[key], path, out)


def _named(items: list[Any]) -> dict[str, Any] | None:
    """``items`` by name when every item is a mapping with a unique string ``name``."""
    if not items:
        return {}
    named: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict):
            return None
        name = item.get("name")
        if not isinstance(name, str) or name in named:
            return None
        named[name] = item
    return named


def _segment(key: str, *, first: bool) -> str:
    if _PLAIN_KEY.fullmatch(key):
        return key if first else f".{key}"
    return f"[{json.dumps(key)}]"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_WORKLOAD_SECURITY = (
    "securityContext",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "hostPath",
    "hostPort",
    "privileged",
    "capabilities",
    "serviceAccountName",
    "automountServiceAccountToken",
)
_NETWORK_POLICY_KINDS = {
    "NetworkPolicy",
    "CiliumNetworkPolicy",
    "CiliumClusterwideNetworkPolicy",
    "GlobalNetworkPolicy",
    "AuthorizationPolicy",
}
_EXPOSURE_KINDS = {"Service", "Ingress", "IngressClass", "Gateway", "HTTPRoute", "GRPCRoute"}
_IMAGE = re.compile(r"(?:containers|initContainers|ephemeralContainers)\[[^\]]+\]\.image$")


def risk_tags(
    group: str, kind: str, namespace: str | None, change: str, fields: Sequence[FieldChange]
) -> tuple[str, ...]:
    """What a reviewer must look at in this change (sorted tags)."""
    tags: set[str] = set()
    if change == REMOVED:
        tags.add("deletion")
    if namespace is None:
        tags.add("cluster-scoped")
    if kind == "CustomResourceDefinition":
        tags.add("crd")
    if group == "rbac.authorization.k8s.io":
        tags.add("rbac")
    if kind in _NETWORK_POLICY_KINDS:
        tags.add("network-policy")
    if kind in _EXPOSURE_KINDS:
        tags.add("exposure")
    if kind == "PodDisruptionBudget":
        tags.add("pdb")
    if (group, kind) in SECRET_PATHS:
        tags.add("secret")
    for f in fields:
        if _IMAGE.search(f.path):
            tags.add("image")
        if f.path == "spec.replicas" or (
            kind == "HorizontalPodAutoscaler" and f.path in ("spec.minReplicas", "spec.maxReplicas")
        ):
            tags.add("replicas")
        if any(word in f.path for word in _WORKLOAD_SECURITY):
            tags.add("pod-security")
    return tuple(sorted(tags))
