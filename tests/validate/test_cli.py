"""``gitops validate``: exit codes, options and configuration through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import gitops.cli as cli_module
import gitops.report as report_module
import gitops.report.json as json_report
from gitops.cli import cli
from gitops.commands.validate import _ending_in_one_newline, outcome_report, validate_settings
from gitops.report import REPORTERS
from gitops.settings import load_settings
from gitops.validate.run import validate

PDB = (
    "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\n"
    "spec: {minAvailable: 1}\n"
)
HPA = (
    "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"
    "spec: {maxReplicas: 2, scaleTargetRef: {kind: Deployment, name: web}}\n"
)


def invoke(tmp_path: Path, *args: str, config: str = "") -> tuple[int, str]:
    (tmp_path / "pyproject.toml").write_text(f"[tool.gitops]\n{config}")
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "validate", *args])
    return result.exit_code, result.output


def test_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "pdb.yaml").write_text(PDB)
    (tmp_path / "hpa.yaml").write_text(HPA)
    code, output = invoke(tmp_path, str(tmp_path / "pdb.yaml"), "--kubernetes-version", "1.31")
    assert code == 1 and "AV001" in output and "use policy/v1" in output
    assert invoke(tmp_path, str(tmp_path / "pdb.yaml"), "--kubernetes-version", "1.24")[0] == 2
    hpa = str(tmp_path / "hpa.yaml")
    assert invoke(tmp_path, hpa, "--kubernetes-version", "1.25")[0] == 0  # a warning only
    assert invoke(tmp_path, hpa, "--kubernetes-version", "1.25", "--fail-on", "warning")[0] == 1


def test_configuration_is_read_and_checked(tmp_path: Path) -> None:
    (tmp_path / "hpa.yaml").write_text(HPA)
    table = '[tool.gitops.validate]\nkubernetes_version = "1.26"\n'
    code, output = invoke(tmp_path, str(tmp_path / "hpa.yaml"), config=table)
    assert code == 1 and "removed in Kubernetes 1.26" in output
    code, output = invoke(
        tmp_path, str(tmp_path / "hpa.yaml"), config="[tool.gitops.validate]\nversion = 1\n"
    )
    assert code == 2 and "unknown key 'version'" in output and "kubernetes_version" in output


def test_unknown_kinds_and_ignore_missing_schemas(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
    )
    assert invoke(tmp_path, str(tmp_path / "w.yaml"))[0] == 1
    code, output = invoke(tmp_path, str(tmp_path / "w.yaml"), "--ignore-missing-schemas")
    assert code == 0 and "warning SC004" in output


def test_format_choices_come_from_the_reporters(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", "--help"])
    assert all(name in result.output for name in REPORTERS)


def test_yaml_problems_are_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n")
    code, output = invoke(tmp_path, str(tmp_path / "bad.yaml"))
    assert code == 1 and "IN001" in output


def test_auto_engine_falls_back_to_builtin_without_kubeconform(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path))
    (tmp_path / "c.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    assert invoke(tmp_path, str(tmp_path / "c.yaml"), "--engine", "auto")[0] == 0
    code, output = invoke(tmp_path, str(tmp_path / "c.yaml"), "--engine", "kubeconform")
    assert code == 2 and "kubeconform is not on PATH" in output and "--engine builtin" in output


def test_stdin(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.gitops]\n")
    result = CliRunner().invoke(
        cli,
        ["--root", str(tmp_path), "validate", "-"],
        input="apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{image: x}]}\n",
    )
    assert result.exit_code == 1 and 'missing required field "name"' in result.output


@pytest.mark.parametrize("output_format", sorted(REPORTERS))
def test_the_report_is_written_in_pieces_as_the_whole_report_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: str
) -> None:
    """A large JSON report is written as it is formatted, not held whole (peak memory);
    every format's output is the reporter's text ending in one newline, as it was."""
    monkeypatch.setattr(report_module, "CHUNK_CHARS", 64)  # a batch per piece
    monkeypatch.setattr(json_report, "FINDINGS_PER_PIECE", 3)
    bad = "".join(
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{k: [{i}]}}\n"
        for i in range(10)
    )
    (tmp_path / "bad.yaml").write_text(bad)
    (tmp_path / "pyproject.toml").write_text("[tool.gitops]\n")
    writes: list[str] = []
    real = cli_module._echo_raw
    monkeypatch.setattr(cli_module, "_echo_raw", lambda text: (writes.append(text), real(text)))
    result = CliRunner().invoke(
        cli, ["--root", str(tmp_path), "validate", "--format", output_format, str(tmp_path)]
    )
    assert result.exit_code == 1
    outcome = validate(
        [str(tmp_path)],
        root=tmp_path,
        settings=validate_settings(load_settings(tmp_path), None, False),
    )
    assert len(outcome.findings) == 10
    whole = REPORTERS[output_format](outcome_report(outcome))
    assert result.output == whole.rstrip("\n") + "\n"
    assert "".join(writes) == result.output
    assert len(writes) > 1 if output_format == "json" else len(writes) == 1


@pytest.mark.parametrize(
    ("pieces", "written"),
    [
        (["a\n", "b\n\n\n"], ["a\n", "b\n"]),
        (["a", "b"], ["a", "b\n"]),
        ([], ["\n"]),
    ],
)
def test_the_last_piece_ends_in_one_newline(pieces: list[str], written: list[str]) -> None:
    assert list(_ending_in_one_newline(pieces)) == written
