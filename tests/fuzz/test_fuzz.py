"""A bounded fuzz run in the default suite (tests/bench/fuzz_long.py runs the long one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.harness import exercise, make_root
from tests.fuzz.objects import k8s_documents, yaml_text

_BOUNDED = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
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
