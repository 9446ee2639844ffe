"""The canonical emitter: every reader gets back exactly the data that was written."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops.render.canonical_yaml import dumps

TRICKY = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "tricky", "labels": {"y": "n", "on": "yes"}},
    "data": {
        "bool-1.1": "yes",
        "bool-go-v2": "y",
        "null": "~",
        "float-1.2": "1e3",
        "octal-1.2": "0o17",
        "hex": "0x1F",
        "int": "2",
        "sexagesimal": "190:20:30",
        "date": "2024-01-01",
        "colon-space": "a: b",
        "hash": "a #b",
        "leading-dash": "-x",
        "empty": "",
        "multi": "line one\nline two\n",
        "multi-no-eol": "one\ntwo",
        "multi-trailing": "one\n\n",
        "leading-space-multi": " indented\nnext",
        "unicode": "café ✓",
        "line-separator": "a\u2028b",
        "control": "bell\x07",
        "promql": 'sum(rate(x{code=~"5.."}[5m])) > 0.05',
    },
    "binaryData": {},
    "numbers": [0, -1, 1.5, 1e-05, 1e21, float("inf"), True, False, None],
    "nested": [[], {}, [[1]], {"a": [{"b": {}}]}],
}


def test_tricky_values_round_trip_through_pyyaml() -> None:
    assert yaml.safe_load(dumps(TRICKY)) == TRICKY


def test_layout_is_kubectl_like() -> None:
    text = dumps(
        {
            "spec": {"b": 1, "a": [{"port": 80, "name": "http"}]},
            "kind": "Service",
            "metadata": {"namespace": "ns", "name": "s"},
            "apiVersion": "v1",
        }
    )
    assert text == (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: ns\n"
        "spec:\n  a:\n  - name: http\n    port: 80\n  b: 1\n"
    )


def test_non_string_keys_are_refused() -> None:
    with pytest.raises(TypeError, match="not a string"):
        dumps({1: "a"})  # type: ignore[dict-item]


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_any_json_document_round_trips(document: dict[str, Any]) -> None:
    assert yaml.safe_load(dumps(document)) == document


@pytest.mark.skipif(
    shutil.which("kubectl") is None, reason="kubectl (for its Go YAML reader) is not installed"
)
def test_go_yaml_reader_sees_the_same_data(tmp_path: Path) -> None:
    # kubectl kustomize parses with Go's YAML libraries (as Argo CD and kubectl do) and writes
    # the objects back out; its output must hold the same data we wrote.
    document = {k: v for k, v in TRICKY.items() if k not in ("numbers", "nested")}
    (tmp_path / "cm.yaml").write_text(dumps(document))
    (tmp_path / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    done = subprocess.run(
        ["kubectl", "kustomize", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert yaml.safe_load(done.stdout) == document


class _List(list):  # type: ignore[type-arg]
    pass


class _Dict(dict):  # type: ignore[type-arg]
    pass


class _Str(str):
    pass


def test_other_mapping_sequence_and_string_types_dump_like_json_types() -> None:
    # The emitter takes exact JSON types on a fast path; subclasses, tuples and other
    # Mappings must come out exactly as their plain equivalents.
    from collections import OrderedDict

    odd = {
        "name": _Str("n"),
        "list": _List([1, _List([2]), _List()]),
        "tuple": (1, (), ("a",)),
        "ordered": OrderedDict(z=1, name="first", a=_Dict()),
        "block": _Str("one\ntwo\n"),
        "items": [_Dict(b=[]), _Str("q"), _Str("1\n2"), OrderedDict(), _List([_Dict(k="v")])],
    }
    plain = {
        "name": "n",
        "list": [1, [2], []],
        "tuple": [1, [], ["a"]],
        "ordered": {"z": 1, "name": "first", "a": {}},
        "block": "one\ntwo\n",
        "items": [{"b": []}, "q", "1\n2", {}, [{"k": "v"}]],
    }
    assert dumps(odd) == dumps(plain)
    assert yaml.safe_load(dumps(odd)) == plain
