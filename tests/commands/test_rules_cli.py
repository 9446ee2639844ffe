"""``gitops rules``: list and explain rules from the catalog."""

from __future__ import annotations

from click.testing import CliRunner

from gitops.cli import cli
from gitops.commands.catalog import CATALOG


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["rules", *args])
    return result.exit_code, result.stdout, result.stderr


def test_lists_every_rule_in_the_catalog() -> None:
    code, out, _ = invoke()
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(CATALOG.rules) + 1
    assert lines[0] == min(lines[:-1])  # listed in code order
    assert next(line for line in lines if line.startswith("GH004")).startswith(
        "GH004  ignore-without-reason"
    )
    im002 = next(line for line in lines if line.startswith("IM002"))
    assert "image-not-pinned-by-digest" in im002 and " warning  off  " in im002


def test_explains_one_rule_by_code_or_name() -> None:
    code, out, _ = invoke("image-not-pinned-by-digest")
    assert code == 0
    assert out.startswith("IM002 image-not-pinned-by-digest\n\nA container image is referenced")
    assert "presets:   strict (off in recommended)" in out
    assert "Bad:\n    apiVersion: apps/v1" in out and "Good:\n" in out
    code, markdown, _ = invoke("IM002", "--format", "markdown")
    assert markdown.startswith("## IM002 image-not-pinned-by-digest\n")


def test_family_lists_its_rules_and_unknown_is_exit_2() -> None:
    code, out, _ = invoke("images")
    family = [r for r in CATALOG.rules if r.family == "images"]
    assert code == 0 and out.count("\nWhy: ") == len(family) >= 3
    code, _, err = invoke("mutable-image-tags")
    assert code == 2
    assert "no rule, name or family 'mutable-image-tags'; did you mean: mutable-image-tag?" in err
