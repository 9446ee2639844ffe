"""A bounded fuzz run in the default suite: derandomized, so every run tries the same inputs
(tests/bench/fuzz_long.py runs the long one with fresh seeds; GITOPS_FUZZ_EXAMPLES and
GITOPS_FUZZ_RANDOM set its size and randomness)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.harness import exercise, make_root
from tests.fuzz.objects import k8s_documents, yaml_text

_BOUNDED = settings(
    max_examples=int(os.environ.get("GITOPS_FUZZ_EXAMPLES", "100")),
    deadline=None,
    derandomize=not os.environ.get("GITOPS_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_root(tmp_path_factory.mktemp("fuzz"))


@_BOUNDED
@given(text=k8s_documents())
def test_objects_with_random_field_types_never_crash(root: Path, text: str) -> None:
    exercise(text, root)


@_BOUNDED
@given(text=yaml_text)
def test_random_yaml_text_never_crashes(root: Path, text: str) -> None:
    exercise(text, root)
