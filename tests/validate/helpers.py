"""Run the real validator over YAML text written to a temporary directory."""

from __future__ import annotations

import textwrap
from pathlib import Path

from gitops.findings import Finding
from gitops.validate.config import ValidateSettings
from gitops.validate.run import Outcome, validate

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path | None:
    """``../shared`` beside the repository (CI), or the workplace's copy."""
    for candidate in (REPO.parent / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    return None


def run(
    tmp_path: Path,
    text: str,
    *,
    version: str | None = "1.31",
    name: str = "input.yaml",
    **settings: object,
) -> Outcome:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return validate(
        [str(path)],
        root=tmp_path,
        settings=ValidateSettings(**settings),
        explicit_version=version,  # type: ignore[arg-type]
    )


def codes(outcome: Outcome) -> list[str]:
    return [f.code for f in outcome.findings]


def only(outcome: Outcome, code: str) -> Finding:
    found = [f for f in outcome.findings if f.code == code]
    assert len(found) == 1, "\n".join(f"{f.line} {f.code} {f.message}" for f in outcome.findings)
    return found[0]
