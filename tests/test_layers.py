"""The package's layers hold: imports flow cli -> commands -> {render, lint, validate, report}
-> constructs -> rules -> k8s -> base, as the import-linter contracts in pyproject.toml say."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )


def test_the_package_keeps_its_import_contracts() -> None:
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_an_upward_import_breaks_the_contracts(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "gitops", tmp_path / "gitops", ignore=shutil.ignore_patterns("*.pyc"))
    kinds = tmp_path / "gitops" / "k8s" / "kinds.py"
    kinds.write_text(kinds.read_text() + "\nfrom gitops.commands import catalog  # noqa\n")
    done = _lint_imports(tmp_path)
    assert done.returncode == 1
    assert "gitops.k8s is not allowed to import gitops.commands" in done.stdout
