"""The loader: data as PyYAML's safe loader reads it, and every field's position.

Positions come from a table recorded while building (documents without anchors) or from
composing the document again (documents with anchors, aliases, merge keys); both are checked
against an independent walk of the node tree that ``yaml.compose`` gives.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gitops.k8s.manifests import LoadProblem, Manifest, ProblemKind, load_text

Path = tuple[str | int, ...]


def _load(text: str) -> tuple[list[Manifest], list[LoadProblem]]:
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    load_text(text, "t.yaml", manifests, problems)
    return manifests, problems


def _reference_locate(node: Node, path: Path) -> tuple[int, int]:
    """Line and column of the deepest node along ``path``; for a key, the key's position."""
    best = node.start_mark
    for step in path:
        child = None
        if isinstance(node, MappingNode) and isinstance(step, str):
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.value == step:
                    best, child = key.start_mark, value
                    break
        elif (
            isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value)
        ):
            child = node.value[step]
            best = child.start_mark
        if child is None:
            break
        node = child
    return best.line + 1, best.column + 1


def _paths(value: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every path into ``value``, and some that leave it (missing keys, indexes, deeper)."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
        yield (*prefix, "missing")
        yield (*prefix, 0)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))
        yield (*prefix, len(value))
        yield (*prefix, -1)
        yield (*prefix, "key")
    else:
        yield (*prefix, "deeper")


def _assert_positions(text: str) -> None:
    """Every path of the one object in ``text`` is located where the node tree says."""
    (manifest,), problems = _load(text)
    assert problems == []
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    assert root is not None
    for path in _paths(manifest.body):
        assert manifest.locate(path) == _reference_locate(root, path), path


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["yes", "on", "0755", "1_000", "0x1F", ".inf", "~", "2001-12-14", "a: b"]),
)
keys = st.one_of(st.text(max_size=8), st.sampled_from(["name", "spec", "1", "true", "<<"]))
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(
    spec=values,
    flow=st.sampled_from([None, True, False]),
    indent=st.sampled_from([2, 4]),
    width=st.sampled_from([24, 80]),
)
def test_data_and_positions_match_pyyaml(
    spec: Any, flow: bool | None, indent: int, width: int
) -> None:
    document = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "spec": spec}
    text = yaml.safe_dump(document, default_flow_style=flow, indent=indent, width=width)
    (manifest,), _ = _load(text)
    assert _same(manifest.body, yaml.load(text, Loader=yaml.CSafeLoader))
    _assert_positions(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "# leading comment\napiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: b}}\n"
            "spec:\n  containers:\n    - name: c  # trailing\n      image: 'x:1'\n"
            '      "args": ["--a", {k: v}]\n',
            id="flow-and-comments",
        ),
        pytest.param(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: a\ndata:\n  copy: *m\n"
            "  url: http://x?a=1&b=2\n",
            id="anchor-and-alias",
        ),
        pytest.param(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  <<: {a: '1'}\n"
            "  b: '2'\n",
            id="merge-key",
        ),
        pytest.param(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k\ndata:\n  1: one\n"
            "  ? [complex]\n  : key\n  s: |\n    block\n    text\n",
            id="non-string-keys",
        ),
    ],
)
def test_positions_of_written_documents(text: str) -> None:
    _assert_positions(text)


def test_positions_in_later_documents_and_list_items() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n"
        "--- # second\n"
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n"
        "- apiVersion: v1\n  kind: Service\n  metadata: {name: svc}\n"
        "  spec:\n    ports:\n    - port: 80\n"
    )
    (first, secret, service), problems = _load(text)
    assert problems == []
    assert first.locate(("metadata", "name")) == (3, 12)
    assert (secret.line, secret.column) == (8, 3)
    assert secret.locate(("metadata", "name")) == (11, 5)
    assert service.locate(("spec", "ports", 0, "port")) == (17, 7)
    assert service.locate(("spec", "ports", 3)) == (16, 5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int abc", "the 3-character value tagged !!int is not a valid !!int"),
        ("0x_", "the 3-character value tagged !!int is not a valid !!int"),
    ],
)
def test_a_scalar_its_tag_cannot_read_is_a_problem_not_a_crash(value: str, message: str) -> None:
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {value}\n"
    manifests, problems = _load(text)
    assert manifests == []
    assert [(p.kind, p.line, p.column, p.message) for p in problems] == [
        (ProblemKind.SYNTAX, 6, 6, f"YAML error: {message}")
    ]


def test_duplicate_key_names_both_lines() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n"
    manifests, problems = _load(text)
    assert manifests == []
    assert [(p.kind, p.line, p.column) for p in problems] == [(ProblemKind.DUPLICATE_KEY, 5, 3)]
    assert "first on line 4" in problems[0].message


_PATCHED = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: w}%s
spec:
  templates:
  - name: main
    podSpecPatch: |
      hostIPC: true
      containers:
      - name: main
        securityContext: {privileged: true}
"""


@pytest.mark.parametrize("form", ["plain", "in a List", "with an alias"])
def test_a_path_into_yaml_held_in_a_string_is_located_inside_the_string(form: str) -> None:
    text = _PATCHED % ""
    if form == "in a List":
        body = "".join(f"  {line}\n" if line else "\n" for line in text.splitlines())
        text = "apiVersion: v1\nkind: List\nitems:\n-" + body[1:]
    elif form == "with an alias":
        text = _PATCHED % "\nx-labels: &l {a: b}\nx-more: *l"
    [manifest], _ = _load(text)
    shift = {"plain": 0, "in a List": 3, "with an alias": 2}[form]
    patch = ("spec", "templates", 0, "podSpecPatch")
    assert manifest.locate(patch)[0] == 7 + shift
    assert manifest.locate((*patch, "hostIPC"))[0] == 8 + shift
    inner = (*patch, "containers", 0, "securityContext", "privileged")
    assert manifest.locate(inner)[0] == 11 + shift
    # A path that leaves the string's YAML stops at the string's deepest node that exists.
    assert manifest.locate((*patch, "containers", 0, "nope"))[0] == 10 + shift
