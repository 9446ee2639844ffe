"""Suppression by annotation (object and pod template) and by config, on real files."""

from __future__ import annotations

from pathlib import Path

from gitops.findings import Finding
from gitops.lint.run import LintRun, lint
from gitops.settings import Settings
from tests.repo import ENGINE_REGISTRY, deployment, write_repo

REASON = "kind cluster loads this image by tag"


def run(settings: Settings, *paths: str) -> LintRun:
    return lint([str(settings.root / p) for p in paths] or [], settings, registry=ENGINE_REGISTRY)


def only(run: LintRun, code: str) -> list[Finding]:
    return [f for f in run.findings if f.code == code]


def test_annotation_on_object_suppresses_with_its_reason(tmp_path: Path) -> None:
    manifest = deployment(
        image="web:latest",
        annotations={"gitops.dev/ignore": "IM001", "gitops.dev/ignore-reason": REASON},
    )
    settings = write_repo(tmp_path, {"k8s/web.yaml": manifest})
    result = run(settings, "k8s")
    [finding] = result.findings
    assert (finding.code, finding.suppressed, finding.suppression) == ("IM001", True, REASON)
    assert dict(finding.extra)["suppressed-by"] == "annotation"
    assert result.failing == 0 and result.exit_code == 0


def test_annotation_on_pod_template_suppresses_by_name(tmp_path: Path) -> None:
    manifest = deployment(
        image="web:latest",
        template_annotations={
            "gitops.dev/ignore": "mutable-image-tag",
            "gitops.dev/ignore-reason": REASON,
        },
    )
    settings = write_repo(tmp_path, {"k8s/web.yaml": manifest})
    [finding] = run(settings, "k8s").findings
    assert finding.suppressed and finding.suppression == REASON and finding.line == 16


def test_annotation_for_another_rule_does_not_suppress(tmp_path: Path) -> None:
    manifest = deployment(
        image="web:latest",
        annotations={"gitops.dev/ignore": "IM002", "gitops.dev/ignore-reason": REASON},
    )
    settings = write_repo(tmp_path, {"k8s/web.yaml": manifest})
    result = run(settings, "k8s")
    assert [(f.code, f.suppressed) for f in result.findings] == [("IM001", False)]
    assert result.exit_code == 1


def test_missing_reason_is_gh004_and_suppresses_nothing(tmp_path: Path) -> None:
    manifest = deployment(image="web:latest", annotations={"gitops.dev/ignore": "IM001"})
    settings = write_repo(tmp_path, {"k8s/web.yaml": manifest})
    result = run(settings, "k8s")
    assert [(f.code, f.line, f.suppressed) for f in result.findings] == [
        ("GH004", 7, False),
        ("IM001", 15, False),
    ]
    [gh004] = only(result, "GH004")
    assert gh004.message == (
        '"gitops.dev/ignore: IM001" has no gitops.dev/ignore-reason, so it suppresses nothing'
    )
    assert gh004.severity.label == "warning"


def test_unknown_rule_in_annotation_is_gh005(tmp_path: Path) -> None:
    manifest = deployment(
        annotations={"gitops.dev/ignore": "IM01,ZZ999", "gitops.dev/ignore-reason": REASON}
    )
    settings = write_repo(tmp_path, {"k8s/web.yaml": manifest})
    messages = [f.message for f in only(run(settings, "k8s"), "GH005")]
    assert messages == [
        '"gitops.dev/ignore" names unknown rule "IM01" (did you mean IM001?)',
        '"gitops.dev/ignore" names unknown rule "ZZ999"',
    ]


def test_config_ignore_by_path_glob(tmp_path: Path) -> None:
    settings = write_repo(
        tmp_path,
        {
            "vendor/chart/web.yaml": deployment(image="web:latest"),
            "k8s/web.yaml": deployment(name="api", image="api:latest"),
        },
        """
        [[tool.gitops.lint.ignore]]
        rules = ["mutable-image-tag"]
        paths = ["vendor/**"]
        reason = "upstream chart; pinned by the vendoring script"
        """,
    )
    result = run(settings, "vendor", "k8s")
    by_path = {f.path: f for f in result.findings}
    assert set(by_path) == {"vendor/chart/web.yaml", "k8s/web.yaml"}
    vendored = by_path["vendor/chart/web.yaml"]
    assert vendored.suppressed
    assert vendored.suppression == "config: upstream chart; pinned by the vendoring script"
    assert dict(vendored.extra)["suppressed-by"] == "config"
    assert not by_path["k8s/web.yaml"].suppressed
    assert result.failing == 1


def test_config_ignore_by_kind_namespace_and_name(tmp_path: Path) -> None:
    settings = write_repo(
        tmp_path,
        {
            "k8s/a.yaml": deployment(name="legacy-a", image="a:latest")
            + "---\n"
            + deployment(name="web", image="b:latest")
        },
        """
        [[tool.gitops.lint.ignore]]
        rules = ["IM001"]
        kinds = ["Deployment"]
        namespaces = ["shop"]
        names = ["legacy-*"]
        reason = "retired next sprint"
        """,
    )
    result = run(settings, "k8s")
    assert [(f.name, f.suppressed) for f in result.findings] == [
        ("legacy-a", True),
        ("web", False),
    ]


def test_env_scoped_config_ignore(tmp_path: Path) -> None:
    settings = write_repo(
        tmp_path,
        {
            "rendered/dev/shop/deployment.web.yaml": deployment(image="web:latest"),
            "rendered/prod/shop/deployment.web.yaml": deployment(image="web:latest"),
        },
        """
        [[tool.gitops.lint.env.dev.ignore]]
        rules = ["IM001"]
        reason = "dev follows the main branch build"
        """,
    )
    result = run(settings)
    assert [(f.path, f.suppressed) for f in result.findings] == [
        ("rendered/dev/shop/deployment.web.yaml", True),
        ("rendered/prod/shop/deployment.web.yaml", False),
    ]


def test_suppress_construct_prop_emits_what_the_linter_reads(tmp_path: Path) -> None:
    from gitops.constructs import Suppress

    annotations = Suppress(rules=("IM001",), reason=REASON).annotations()
    settings = write_repo(
        tmp_path, {"k8s/web.yaml": deployment(image="web:latest", annotations=annotations)}
    )
    [finding] = run(settings, "k8s").findings
    assert finding.suppressed and finding.suppression == REASON
