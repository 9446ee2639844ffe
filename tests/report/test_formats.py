"""The text, json and github reporters on one real run."""

from __future__ import annotations

import json

from gitops.report import REPORTERS, Report
from gitops.report.github import annotation, escape_data, escape_property


def test_json_is_versioned_and_keeps_suppressed_findings(mixed_report: Report) -> None:
    document = json.loads(REPORTERS["json"](mixed_report))
    assert document["version"] == 1
    assert document["summary"] == {
        "error": 2,
        "warning": 1,
        "info": 0,
        "suppressed": 2,
        "files": 5,
        "objects": 4,
    }
    required = {
        "code",
        "rule",
        "severity",
        "message",
        "fix",
        "path",
        "line",
        "column",
        "kind",
        "namespace",
        "name",
        "container",
        "suppressed",
    }
    for record in document["findings"]:
        assert required <= set(record)
    legacy = next(r for r in document["findings"] if r["path"] == "k8s/legacy.yaml")
    assert legacy == {
        "code": "IM001",
        "rule": "mutable-image-tag",
        "severity": "error",
        "message": 'container "legacy" image "legacy:latest" uses the moving tag \'latest\'',
        "fix": legacy["fix"],
        "path": "k8s/legacy.yaml",
        "line": 16,
        "column": 9,
        "kind": "Deployment",
        "namespace": "shop",
        "name": "legacy",
        "container": "legacy",
        "suppressed": True,
        "suppression": "retired in Q3",
        "source": None,
        "extra": {"suppressed-by": "annotation"},
    }


def test_text_groups_by_file_hides_suppressed_and_counts_them(mixed_report: Report) -> None:
    text = REPORTERS["text"](mixed_report)
    assert "legacy" not in text and "vendor/chart.yaml" not in text
    lines = text.splitlines()
    assert lines[0] == "k8s/api.yaml"
    assert lines[1].startswith("  13:9  error   IM001 mutable-image-tag  Deployment shop/api: ")
    assert lines[2].startswith("      fix: Pin a release tag")
    assert lines[-1] == "2 errors, 1 warning, 0 info; 2 suppressed; 4 objects in 5 files"
    assert "\033[" not in text


def test_text_colours_only_when_asked(mixed_report: Report) -> None:
    from dataclasses import replace

    text = REPORTERS["text"](replace(mixed_report, color=True))
    assert "\033[31merror  \033[0m" in text and "\033[1mk8s/api.yaml\033[0m" in text


def test_github_annotations_are_escaped(mixed_report: Report) -> None:
    out = REPORTERS["github"](mixed_report).splitlines()
    assert out[0].startswith(
        "::error file=k8s/api.yaml,line=13,col=9,title=IM001 mutable-image-tag::container "
    )
    assert "%0Afix: Pin a release tag" in out[0]
    assert out[1].startswith("::error file=k8s/broken.yaml,line=4,col=")
    assert out[2].startswith("::warning file=k8s/noreason.yaml,line=7,col=5,title=GH004 ")
    assert len(out) == 4 and out[3].startswith("2 errors, 1 warning")


def test_github_escaping_rules() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    from gitops.findings import Finding, Severity

    finding = Finding(
        "IN001", "yaml-syntax-error", Severity.INFO, "bad: x, y", "fix it.", "dir,1/a:b.yaml", 3, 2
    )
    assert annotation(finding) == (
        "::notice file=dir%2C1/a%3Ab.yaml,line=3,col=2,title=IN001 yaml-syntax-error::"
        "bad: x, y%0Afix: fix it."
    )
