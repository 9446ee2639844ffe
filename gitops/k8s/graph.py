"""The parsed objects with the indexes cross-object questions need, built once.

"Which workloads does this PodDisruptionBudget select?" is answered from an inverted index of
pod-template labels per namespace, so a rule that asks it for every object costs O(n), not
O(n^2) (kube-score and kube-linter compare every pair).

"Which objects select this workload?" is answered per pod class: the workloads of one
namespace whose pod templates carry equal labels, which every selector selects all or none
of. A namespace-wide policy is filed once per class, not once per workload, so many such
policies and many copies of a workload stay O(n), and rules keep what they derive from the
selecting objects per class (``pod_class``).

Selector semantics follow Kubernetes, including the cases peers get wrong: an empty
LabelSelector (``{}``) selects every pod of its namespace (NetworkPolicy ``podSelector``,
PodDisruptionBudget ``selector`` in policy/v1), while a Service with no selector selects no
pods (its endpoints are managed by hand).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar, cast

from gitops.k8s.fields import get_list, get_mapping
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import pod_template

T = TypeVar("T")
S = TypeVar("S")
RBAC_GROUP = "rbac.authorization.k8s.io"
AUTOSCALER_KINDS = {"HorizontalPodAutoscaler": "autoscaling", "ScaledObject": "keda.sh"}
"""Objects that scale a workload through ``spec.scaleTargetRef``, and their API groups."""

_SCALARS = (str, int, float, bool)


class SelectorError(ValueError):
    """A label selector that Kubernetes would reject (bad operator, missing values)."""


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Does a LabelSelector (``matchLabels`` / ``matchExpressions``) select ``labels``?"""
    match_labels = selector.get("matchLabels") or {}
    for key, value in match_labels.items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key = expression.get("key")
        operator = expression.get("operator")
        values = expression.get("values") or []
        if operator == "In":
            if labels.get(key) not in values:
                return False
        elif operator == "NotIn":
            if key in labels and labels[key] in values:
                return False
        elif operator == "Exists":
            if key not in labels:
                return False
        elif operator == "DoesNotExist":
            if key in labels:
                return False
        else:
            raise SelectorError(f"unknown selector operator {operator!r}")
    return True


def check_selector(selector: Mapping[str, Any] | None) -> None:
    """Raise SelectorError for a selector of the wrong shape (input YAML is not validated
    before linting, and a malformed selector must not crash the run)."""
    if selector is None:
        return
    if not isinstance(selector, Mapping):
        raise SelectorError("a label selector must be a mapping")
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, Mapping) or not all(
        isinstance(k, str) and isinstance(v, _SCALARS) for k, v in match_labels.items()
    ):
        raise SelectorError("matchLabels must map label keys to strings")
    expressions = selector.get("matchExpressions") or []
    if not isinstance(expressions, list) or not all(isinstance(e, Mapping) for e in expressions):
        raise SelectorError("matchExpressions must be a list of requirements")
    for expression in expressions:
        if not isinstance(expression.get("key"), str):
            raise SelectorError("each matchExpressions requirement needs a string key")
        if not isinstance(expression.get("operator"), str):
            raise SelectorError("each matchExpressions requirement needs an operator")
        values = expression.get("values") or []
        if not isinstance(values, list) or not all(isinstance(v, _SCALARS) for v in values):
            raise SelectorError("matchExpressions values must be a list of strings")


def selector_text(selector: Any) -> str:
    """A LabelSelector in kubectl's ``-l`` syntax, for messages: ``app=web,tier in (a,b),
    !canary``; ``{}`` when it selects by nothing; its raw form when it is malformed."""
    try:
        check_selector(selector)
    except SelectorError:
        return repr(selector)
    if selector is None:
        return "{}"
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    parts = [f"{k}={v}" for k, v in match_labels.items()]
    for e in expressions:
        key, operator, values = e.get("key"), e.get("operator"), e.get("values") or []
        listed = ",".join(str(v) for v in values)
        parts.append(
            {
                "In": f"{key} in ({listed})",
                "NotIn": f"{key} notin ({listed})",
                "Exists": f"{key}",
            }.get(str(operator), f"!{key}" if operator == "DoesNotExist" else f"{key} {operator}")
        )
    return ",".join(parts) or "{}"


def map_selector(selector: Mapping[str, str]) -> dict[str, Any]:
    """A Service-style plain label map as a LabelSelector."""
    return {"matchLabels": dict(selector)}


class PodClass:
    """Workloads of one namespace whose pod templates carry equal labels: a label selector
    selects all of them or none, so they are selected by the same objects."""

    __slots__ = ("labels", "namespace")

    def __init__(self, namespace: str, labels: Mapping[str, Any]) -> None:
        self.namespace = namespace
        self.labels = labels


class ObjectGraph:
    def __init__(self, manifests: Sequence[Manifest]) -> None:
        self.manifests = list(manifests)
        self._by_kind: dict[str, list[Manifest]] = defaultdict(list)
        self._by_identity: dict[tuple[str, str, str | None, str], list[Manifest]] = defaultdict(
            list
        )
        self._by_name: dict[tuple[str, str | None, str], list[Manifest]] = defaultdict(list)
        self._workloads: dict[str, list[Manifest]] = defaultdict(list)
        self._label_index: dict[str, dict[tuple[str, str], list[Manifest]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.namespaces: set[str] = set()
        self._reverse: dict[str, dict[PodClass, list[Manifest]]] = {}
        self._cache: dict[str, Any] = {}
        self._template_labels: dict[int, Mapping[str, str]] = {}
        """Pod-template labels of each workload (by id), worked out once."""
        self._selections: dict[tuple[str, str, bool], list[Manifest]] = {}
        """Workloads selected per (namespace, selector, empty_selects_all): objects that
        select the same pods (a Service, its PDB, its NetworkPolicy) ask once."""
        self._pod_class: dict[int, PodClass] = {}
        """The pod class of each workload (by id): see ``pod_class``."""
        self._classes: dict[str, list[PodClass]] = defaultdict(list)
        self._class_index: dict[str, dict[tuple[str, Any], list[PodClass]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self._class_selections: dict[tuple[str, str, bool], list[PodClass]] = {}
        """Pod classes selected per (namespace, selector, empty_selects_all)."""
        known_classes: dict[tuple[str, Hashable], PodClass] = {}
        for manifest in self.manifests:
            self._by_kind[manifest.kind].append(manifest)
            self._by_identity[manifest.identity].append(manifest)
            self._by_name[(manifest.kind, manifest.namespace, manifest.name)].append(manifest)
            namespace = manifest.namespace
            if namespace is not None:
                self.namespaces.add(namespace)
            if manifest.kind == "Namespace":
                self.namespaces.add(manifest.name)
            template = pod_template(manifest)
            if template is not None and namespace is not None:
                self._workloads[namespace].append(manifest)
                labels = self._template_labels[id(manifest)] = template.labels
                for pair in _indexable(labels):
                    self._label_index[namespace][pair].append(manifest)
                key = (namespace, _labels_key(labels, manifest))
                pod_class = known_classes.get(key)
                if pod_class is None:
                    pod_class = known_classes[key] = PodClass(namespace, labels)
                    self._classes[namespace].append(pod_class)
                    for pair in _indexable(labels):
                        self._class_index[namespace][pair].append(pod_class)
                self._pod_class[id(manifest)] = pod_class

    def of_kind(self, *kinds: str) -> list[Manifest]:
        found: list[Manifest] = []
        for kind in kinds:
            found += self._by_kind.get(kind, [])
        return found

    def in_namespace(self, namespace: str | None, *kinds: str) -> list[Manifest]:
        by_namespace = self.cached("in_namespace", _group_by_kind_and_namespace)
        found: list[Manifest] = []
        for kind in kinds:
            found += by_namespace.get((kind, namespace), [])
        return found

    def get(self, kind: str, name: str, namespace: str | None = None) -> Manifest | None:
        """The object of ``kind`` named ``name`` (in ``namespace`` when namespaced)."""
        found = self._by_name.get((kind, namespace, name))
        return found[0] if found else None

    def same_identity(self, manifest: Manifest) -> list[Manifest]:
        """Every object the API server would treat as ``manifest`` (itself included)."""
        return self._by_identity.get(manifest.identity, [])

    def workloads(self, namespace: str | None = None) -> list[Manifest]:
        """Pod-bearing objects, optionally in one namespace."""
        if namespace is not None:
            return list(self._workloads.get(namespace, []))
        return [m for group in self._workloads.values() for m in group]

    def workloads_selected_by(
        self, namespace: str | None, selector: Mapping[str, Any] | None, *, empty_selects_all: bool
    ) -> Sequence[Manifest]:
        """Workloads in ``namespace`` whose pod template labels ``selector`` selects, in
        input order. The list is the graph's own (objects selecting the same pods share it):
        do not change it."""
        if namespace is None:
            return []
        labels = self._template_labels
        return _select(
            namespace,
            selector,
            empty_selects_all,
            self._workloads,
            self._label_index,
            self._selections,
            lambda m: labels[id(m)],
        )

    def selection(self, selector_object: Manifest) -> Sequence[Manifest]:
        """Workloads that ``selector_object`` (a Service, NetworkPolicy or
        PodDisruptionBudget) selects, with each kind's own empty-selector meaning; the
        graph's own list, as ``workloads_selected_by``."""
        return self._selection(
            selector_object,
            lambda ns, selector, empty: self.workloads_selected_by(
                ns, selector, empty_selects_all=empty
            ),
        )

    def pod_class(self, workload: Manifest) -> PodClass | None:
        """The workload's pod class: the same object for every workload of its namespace
        whose pod template has equal labels, which all the same objects select. A value
        worked out only from what ``selected_by`` returns for a workload can be kept per pod
        class. None for an object the graph holds no namespaced pod template of."""
        return self._pod_class.get(id(workload))

    def selected_by(self, workload: Manifest, kind: str) -> Sequence[Manifest]:
        """Objects of ``kind`` (Service, NetworkPolicy, PodDisruptionBudget, or a Cilium
        policy kind) that select ``workload``'s pods, in input order; computed once per kind
        for the whole graph. Workloads of one pod class share the list: do not change it."""
        pod_class = self._pod_class.get(id(workload))
        if pod_class is None:
            return []
        reverse = self._reverse.get(kind)
        if reverse is None:
            reverse = self._reverse[kind] = {}
            for selector_object in self.of_kind(kind):
                try:
                    selected = self._selection(selector_object, self._classes_selected_by)
                except SelectorError:
                    continue
                for target in selected:
                    found = reverse.get(target)
                    if found is None:
                        reverse[target] = [selector_object]
                    else:
                        found.append(selector_object)
        return reverse.get(pod_class, [])

    def _classes_selected_by(
        self, namespace: str | None, selector: Mapping[str, Any] | None, empty_selects_all: bool
    ) -> Sequence[PodClass]:
        """``workloads_selected_by`` for pod classes: each class selected once, however many
        workloads it holds."""
        if namespace is None:
            return []
        return _select(
            namespace,
            selector,
            empty_selects_all,
            self._classes,
            self._class_index,
            self._class_selections,
            _class_labels,
        )

    def _selection(
        self,
        selector_object: Manifest,
        select: Callable[[str | None, Mapping[str, Any] | None, bool], Sequence[S]],
    ) -> Sequence[S]:
        """What ``selector_object`` selects, with ``select(namespace, selector,
        empty_selects_all)`` choosing among workloads or pod classes."""
        spec = selector_object.body.get("spec")
        spec = spec if isinstance(spec, dict) else {}
        kind = selector_object.kind
        if kind == "Service":
            raw = spec.get("selector")
            selector = map_selector(raw) if isinstance(raw, dict) and raw else None
            return select(selector_object.namespace, selector, False)
        if kind == "NetworkPolicy":
            raw = spec.get("podSelector")
            return select(selector_object.namespace, raw if isinstance(raw, dict) else {}, True)
        if kind == "PodDisruptionBudget":
            raw = spec.get("selector")
            # policy/v1: an empty selector selects every pod; policy/v1beta1: none.
            return select(
                selector_object.namespace,
                raw if isinstance(raw, dict) else {},
                selector_object.api_version == "policy/v1",
            )
        if kind == "CiliumNetworkPolicy":
            return _cilium_selection(selector_object, spec, [selector_object.namespace], select)
        if kind == "CiliumClusterwideNetworkPolicy":
            # Only namespaces with workloads can hold a pod it selects; a malformed selector
            # is rejected whenever there is a namespace, as when every one was asked.
            pod_namespaces = self.cached("graph.pod_namespaces", _pod_namespaces)
            return _cilium_selection(
                selector_object, spec, pod_namespaces, select, check=bool(self.namespaces)
            )
        raise ValueError(f"{kind} does not select pods by label")

    def cached(self, key: str, build: Callable[[ObjectGraph], T]) -> T:
        """``build(self)``, computed once per graph: how a rule family keeps an index it
        needs for every object (so the family stays O(n)) without recomputing it per object.
        ``key`` names the index; use the family or module name as a prefix."""
        if key not in self._cache:
            self._cache[key] = build(self)
        return cast(T, self._cache[key])

    def per_selection(
        self, key: str, selected: Sequence[Manifest], build: Callable[[Sequence[Manifest]], T]
    ) -> T:
        """``build(selected)``, computed once per list the graph returned (``selection``,
        ``workloads_selected_by``): objects with one selector share the list, so a value
        worked out from what they select is too. ``key`` names it, as for ``cached``."""
        known: dict[int, tuple[Sequence[Manifest], T]]
        known = self.cached(key, lambda graph: {})
        found = known.get(id(selected))
        if found is None or found[0] is not selected:
            # The entry holds the list, so its id is not reused while the graph lives.
            found = known[id(selected)] = (selected, build(selected))
        return found[1]

    def objects_selected_by(
        self, kind: str, namespaces: Sequence[str] | None, selector: Mapping[str, Any]
    ) -> list[Manifest]:
        """Objects of ``kind`` whose own ``metadata.labels`` a LabelSelector selects, in
        ``namespaces`` (None: in every namespace). An empty selector selects them all, as in
        a ServiceMonitor; a selector Kubernetes would reject raises SelectorError."""
        check_selector(selector)
        by_label = self.cached(f"objects_selected_by:{kind}", _label_index(kind))
        match_labels = selector.get("matchLabels") or {}
        if match_labels:
            pools = [by_label.get(pair, []) for pair in match_labels.items()]
            candidates = min(pools, key=len)
        elif namespaces is not None:
            candidates = [m for ns in namespaces for m in self.in_namespace(ns, kind)]
        else:
            candidates = self.of_kind(kind)
        wanted = None if namespaces is None else set(namespaces)
        return [
            m
            for m in candidates
            if (wanted is None or m.namespace in wanted) and selector_matches(selector, m.labels)
        ]

    def bindings_for_service_account(self, namespace: str, name: str) -> list[Manifest]:
        """RoleBindings and ClusterRoleBindings that grant something to the ServiceAccount
        ``namespace/name``: naming it as a ServiceAccount, as the user
        ``system:serviceaccount:<ns>:<name>``, or through the groups
        ``system:serviceaccounts`` and ``system:serviceaccounts:<ns>``."""
        index = self.cached("bindings_for_service_account", _bindings_by_subject)
        found: dict[int, Manifest] = {}
        for key in (
            ("ServiceAccount", namespace, name),
            ("Group", None, "system:serviceaccounts"),
            ("Group", None, f"system:serviceaccounts:{namespace}"),
        ):
            for binding in index.get(key, []):
                found.setdefault(id(binding), binding)
        return list(found.values())

    def autoscalers_of(self, workload: Manifest) -> list[Manifest]:
        """HorizontalPodAutoscalers and KEDA ScaledObjects whose ``scaleTargetRef`` names
        ``workload`` (same kind, name and namespace)."""
        index = self.cached("autoscalers_of", _autoscalers_by_target)
        return list(index.get((workload.namespace, workload.kind, workload.name), []))


def _select(
    namespace: str,
    selector: Mapping[str, Any] | None,
    empty_selects_all: bool,
    members: Mapping[str, list[S]],
    index: Mapping[str, Mapping[tuple[str, Any], list[S]]],
    cache: dict[tuple[str, str, bool], list[S]],
    labels_of: Callable[[S], Mapping[str, Any]],
) -> list[S]:
    """The ``members`` of ``namespace`` (workloads or pod classes, in input order) whose
    labels ``selector`` selects, from the ``index`` of their label pairs; kept in ``cache``
    per distinct selector. A returned list is shared: callers must not change it."""
    candidates = members.get(namespace, [])
    check_selector(selector)
    if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        return candidates if empty_selects_all else []
    # repr() of parsed YAML (dicts, lists, scalars) is equal only for equal selectors.
    key = (namespace, repr(selector), empty_selects_all)
    found = cache.get(key)
    if found is None:
        by_pair = index.get(namespace, {})
        match_labels = selector.get("matchLabels") or {}
        if match_labels:
            # Start from the rarest required label: usually a handful of candidates.
            pools = [by_pair.get(pair, []) for pair in match_labels.items()]
            candidates = min(pools, key=len)
        found = cache[key] = [m for m in candidates if selector_matches(selector, labels_of(m))]
    return found


def _cilium_selection(
    policy: Manifest,
    spec: Mapping[str, Any],
    namespaces: Sequence[str | None],
    select: Callable[[str | None, Mapping[str, Any] | None, bool], Sequence[S]],
    *,
    check: bool = False,
) -> list[S]:
    """Pods a Cilium policy applies to in ``namespaces``: ``endpointSelector`` of its
    ``spec`` and each of its ``specs``, with Cilium's ``k8s:``/``any:`` label sources
    stripped and the pod-namespace label compared with each namespace. With ``check``, a
    malformed selector raises SelectorError even when ``namespaces`` is empty."""
    extra = policy.body.get("specs")
    specs = (
        [spec] + [s for s in extra if isinstance(s, dict)] if isinstance(extra, list) else [spec]
    )
    found: dict[int, S] = {}
    for part in specs:
        raw = part.get("endpointSelector")
        if not isinstance(raw, dict):
            continue  # a host policy (nodeSelector) or an empty spec selects no pods
        if check:
            check_selector(raw)
        for namespace in namespaces:
            selector = _cilium_selector(raw, namespace)
            if selector is None:
                continue
            for selected in select(namespace, selector, True):
                found.setdefault(id(selected), selected)
    return list(found.values())


def _pod_namespaces(graph: ObjectGraph) -> list[str]:
    """Namespaces holding a workload, sorted."""
    return sorted(graph._workloads)


def _class_labels(pod_class: PodClass) -> Mapping[str, Any]:
    return pod_class.labels


def _labels_key(labels: Mapping[str, Any], workload: Manifest) -> Hashable:
    """Equal for equal label maps; a map with an unhashable (malformed) value is a class of
    its own."""
    try:
        return frozenset(labels.items())
    except TypeError:
        return id(workload)


def _group_by_kind_and_namespace(
    graph: ObjectGraph,
) -> dict[tuple[str, str | None], list[Manifest]]:
    grouped: dict[tuple[str, str | None], list[Manifest]] = defaultdict(list)
    for manifest in graph.manifests:
        grouped[(manifest.kind, manifest.namespace)].append(manifest)
    return grouped


def _label_index(kind: str) -> Callable[[ObjectGraph], dict[tuple[str, str], list[Manifest]]]:
    def build(graph: ObjectGraph) -> dict[tuple[str, str], list[Manifest]]:
        index: dict[tuple[str, str], list[Manifest]] = defaultdict(list)
        for manifest in graph.of_kind(kind):
            for pair in _indexable(manifest.labels):
                index[pair].append(manifest)
        return index

    return build


def _bindings_by_subject(
    graph: ObjectGraph,
) -> dict[tuple[str, str | None, str], list[Manifest]]:
    """(subject kind, namespace, name) -> bindings; users named after a ServiceAccount are
    filed as that ServiceAccount, groups have no namespace."""
    index: dict[tuple[str, str | None, str], list[Manifest]] = defaultdict(list)
    for binding in graph.of_kind("RoleBinding", "ClusterRoleBinding"):
        if binding.group != RBAC_GROUP:
            continue
        subjects = binding.body.get("subjects")
        for subject in subjects if isinstance(subjects, list) else []:
            if not isinstance(subject, dict):
                continue
            kind, name = subject.get("kind"), str(subject.get("name") or "")
            key: tuple[str, str | None, str] | None = None
            if kind == "ServiceAccount":
                # A RoleBinding's ServiceAccount subject defaults to the binding's namespace.
                namespace = subject.get("namespace") or binding.namespace
                key = ("ServiceAccount", str(namespace), name) if namespace else None
            elif kind == "User" and name.startswith("system:serviceaccount:"):
                namespace, _, sa_name = name.removeprefix("system:serviceaccount:").partition(":")
                key = ("ServiceAccount", namespace, sa_name) if sa_name else None
            elif kind == "Group":
                key = ("Group", None, name)
            # A binding naming the same subject twice is listed once (subjects are in order).
            if key is not None and (not index[key] or index[key][-1] is not binding):
                index[key].append(binding)
    return index


def _autoscalers_by_target(
    graph: ObjectGraph,
) -> dict[tuple[str | None, str, str], list[Manifest]]:
    index: dict[tuple[str | None, str, str], list[Manifest]] = defaultdict(list)
    for kind, group in AUTOSCALER_KINDS.items():
        for autoscaler in graph.of_kind(kind):
            ref = get_mapping(get_mapping(autoscaler.body, "spec"), "scaleTargetRef")
            if autoscaler.group != group or not ref:
                continue
            # KEDA's scaleTargetRef.kind defaults to Deployment; an HPA's is required.
            target_kind = str(ref.get("kind") or ("Deployment" if kind == "ScaledObject" else ""))
            index[(autoscaler.namespace, target_kind, str(ref.get("name") or ""))].append(
                autoscaler
            )
    return index


_CILIUM_SOURCES = ("k8s:", "any:")
_CILIUM_NAMESPACE_LABEL = "io.kubernetes.pod.namespace"


def _cilium_selector(raw: Mapping[str, Any], namespace: str | None) -> dict[str, Any] | None:
    """A Cilium endpointSelector as a pod LabelSelector; None when it names another
    namespace (a namespaced policy then selects nothing)."""

    def plain(key: Any) -> str:
        text = str(key)
        for prefix in _CILIUM_SOURCES:
            text = text.removeprefix(prefix)
        return text

    check_selector(raw)
    match_labels: dict[str, Any] = {}
    for key, value in get_mapping(raw, "matchLabels").items():
        if plain(key) == _CILIUM_NAMESPACE_LABEL:
            if value != namespace:
                return None
            continue
        match_labels[plain(key)] = value
    expressions = [
        {**e, "key": plain(e.get("key"))}
        for e in get_list(raw, "matchExpressions")
        if isinstance(e, dict) and plain(e.get("key")) != _CILIUM_NAMESPACE_LABEL
    ]
    return {"matchLabels": match_labels, "matchExpressions": expressions}


def _indexable(labels: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Label pairs that can key an index (a malformed non-scalar value matches nothing)."""
    return [(k, v) for k, v in labels.items() if isinstance(v, _SCALARS)]
