"""The API lifecycle table agrees with the schemas kubernetes-validate ships."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.k8s.kinds import api_group
from gitops.validate.deprecations import LIFECYCLE, ApiLifecycle, minor
from gitops.validate.schemas import served_versions
from gitops.validate.versions import supported_versions
from tests.validate.helpers import codes, only, run

OLDEST, NEWEST = minor(supported_versions()[0]), minor(supported_versions()[-1])


def _served(entry: ApiLifecycle, version: int) -> bool:
    group, version_name = api_group(entry.api_version), entry.api_version.rpartition("/")[2]
    return version_name in served_versions(f"1.{version}", True, group, entry.kind)


@pytest.mark.parametrize("entry", LIFECYCLE, ids=[f"{e.api_version}/{e.kind}" for e in LIFECYCLE])
def test_removal_versions_match_the_schemas(entry: ApiLifecycle) -> None:
    removed = minor(entry.removed) if entry.removed else NEWEST + 1
    for version in range(max(removed, OLDEST), NEWEST + 1):
        assert not _served(entry, version), f"still served in 1.{version}"
    if removed > OLDEST:
        assert _served(entry, min(removed - 1, NEWEST)), f"not served before {entry.removed}"
    if not entry.note:
        # When the old version goes (or now, for long-gone ones), a replacement is served.
        at = f"1.{min(max(removed, OLDEST), NEWEST)}"
        assert any(_replacement_served(r, entry.kind, at) for r in entry.replacements), at


def _replacement_served(replacement: str, kind: str, at: str) -> bool:
    api_version, _, other_kind = replacement.partition(" ")
    group, version_name = api_group(api_version), api_version.rpartition("/")[2]
    return version_name in served_versions(at, True, group, other_kind or kind)


@pytest.mark.parametrize(
    ("api_version", "kind", "removed_in"),
    [
        ("policy/v1beta1", "PodDisruptionBudget", "1.25"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.26"),
        ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "1.29"),
    ],
)
def test_the_issue_examples(api_version: str, kind: str, removed_in: str) -> None:
    entry = next(e for e in LIFECYCLE if (e.api_version, e.kind) == (api_version, kind))
    assert entry.removed == removed_in


def test_removed_names_the_replacement_the_target_serves(tmp_path: Path) -> None:
    flow = (
        "apiVersion: flowcontrol.apiserver.k8s.io/v1beta2\nkind: FlowSchema\nmetadata: {name: f}\n"
    )
    message = only(run(tmp_path, flow, version="1.31"), "AV001").message
    assert message.endswith("use flowcontrol.apiserver.k8s.io/v1")
    assert codes(run(tmp_path, flow, version="1.28")) == ["AV002"]
