"""The Pod Security level an environment's namespaces get, from the render index, for files
under ``rendered/<env>/`` whose Namespace is not linted with them. Order: a Namespace in the
input > the environment's default (render index) > the PA rules' options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitops.errors import RenderError
from gitops.lint.rules import pod_security_admission
from gitops.lint.run import lint
from gitops.rules import input
from gitops.rules.registry import Registry
from tests.repo import write_repo

PSA = Registry.collect(input.RULES, pod_security_admission.RULES)

# Baseline-clean, restricted-dirty: no runAsNonRoot, no seccomp, capabilities not dropped.
POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers:
  - name: web
    image: ghcr.io/acme/web:1.0.0
    securityContext: {allowPrivilegeEscalation: false}
"""
PRIVILEGED = POD.replace("{allowPrivilegeEscalation: false}", "{privileged: true}")
NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {pod-security.kubernetes.io/enforce: %s}
"""
REL = "rendered/prod/shop/pod.web.yaml"
OPTIONS_BASELINE = "[tool.gitops.lint.options.PA001]\nenforce = 'baseline'\n"


def _index(pod_security: dict[str, str] | None) -> str:
    entry: dict[str, object] = {"cluster": "prod", "kubernetesVersion": "1.31"}
    if pod_security is not None:
        entry["podSecurity"] = pod_security
    return json.dumps(
        {"version": 1, "generator": "gitops synth", "environments": {"prod": entry}, "files": {}}
    )


RESTRICTED = {
    "enforce": "restricted",
    "audit": "restricted",
    "warn": "restricted",
    "version": "v1.31",
}


def _checks(tmp_path: Path, files: dict[str, str], toml: str = "") -> list[tuple[str, str]]:
    settings = write_repo(tmp_path, files, toml)
    run = lint([], settings, registry=PSA)
    return sorted((f.code, f.message.split("check ")[1].split(":")[0]) for f in run.findings)


def test_env_default_applies_when_the_namespace_is_not_in_the_input(tmp_path: Path) -> None:
    files = {REL: POD, ".gitops/render-index.json": _index(RESTRICTED)}
    found = _checks(tmp_path, files)
    assert ("PA001", "runAsNonRoot") in found
    assert ("PA001", "capabilities_restricted") in found
    settings = write_repo(tmp_path, files)
    [first, *_] = lint([], settings, registry=PSA).findings
    assert 'namespace "shop" enforces PodSecurity "restricted:v1.31"' in first.message


def test_without_the_env_default_nothing_is_assumed(tmp_path: Path) -> None:
    """An index without ``podSecurity`` (written before it existed): the rule options (no
    level by default) decide, as before."""
    assert _checks(tmp_path, {REL: POD, ".gitops/render-index.json": _index(None)}) == []


def test_a_namespace_in_the_input_wins_over_the_env_default(tmp_path: Path) -> None:
    files = {
        REL: POD,
        "rendered/prod/shop/namespace.shop.yaml": NAMESPACE % "baseline",
        ".gitops/render-index.json": _index(RESTRICTED),
    }
    assert _checks(tmp_path, files) == []  # baseline admits it; restricted would not
    files[REL] = PRIVILEGED
    assert _checks(tmp_path, files) == [("PA001", "privileged")]


def test_the_env_default_wins_over_the_rule_options(tmp_path: Path) -> None:
    files = {REL: POD, ".gitops/render-index.json": _index(RESTRICTED)}
    found = _checks(tmp_path, files, OPTIONS_BASELINE)
    assert ("PA001", "runAsNonRoot") in found
    # An env whose namespaces are privileged: nothing is enforced, whatever the options say.
    privileged = dict.fromkeys(("enforce", "audit", "warn"), "privileged") | {"version": "v1.31"}
    files = {REL: PRIVILEGED, ".gitops/render-index.json": _index(privileged)}
    assert _checks(tmp_path, files, OPTIONS_BASELINE) == []


def test_files_outside_rendered_use_the_rule_options(tmp_path: Path) -> None:
    files = {"other/pod.yaml": PRIVILEGED, ".gitops/render-index.json": _index(RESTRICTED)}
    settings = write_repo(tmp_path, files, OPTIONS_BASELINE)
    run = lint([str(tmp_path / "other")], settings, registry=PSA)
    assert [(f.code, "baseline:latest" in f.message) for f in run.findings] == [("PA001", True)]


def test_a_malformed_pod_security_entry_is_a_render_index_error(tmp_path: Path) -> None:
    files = {REL: POD, ".gitops/render-index.json": _index({"enforce": 3})}  # type: ignore[dict-item]
    settings = write_repo(tmp_path, files)
    with pytest.raises(RenderError, match="podSecurity"):
        lint([], settings, registry=PSA)
