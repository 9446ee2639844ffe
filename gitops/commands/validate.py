"""``gitops validate``: validate manifests against Kubernetes schemas and report findings."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from gitops.collector import cyclic_gc_paused
from gitops.errors import ConfigError, ExitCode
from gitops.findings import Severity
from gitops.k8s.render_index import read_index
from gitops.report import Report, report_chunks
from gitops.settings import INDEX_PATH, RENDERED_DIR, Settings
from gitops.validate.config import ValidateSettings, parse_validate_settings
from gitops.validate.versions import parse_version

if TYPE_CHECKING:  # the validator is imported when a command runs it
    from gitops.validate.run import Outcome


def run_validate(
    settings: Settings,
    *,
    paths: Sequence[str],
    kubernetes_version: str | None,
    engine: str | None,
    ignore_missing_schemas: bool,
    output_format: str,
    fail_on: str | None,
    echo: Callable[[str], None],
) -> int:
    from gitops.render.rendered import refuse_interrupted
    from gitops.validate.run import validate

    refuse_interrupted(settings.root, paths)
    options = validate_settings(settings, engine, ignore_missing_schemas)
    explicit = (
        parse_version(kubernetes_version, "--kubernetes-version")
        if kubernetes_version is not None
        else None
    )
    threshold = None if fail_on == "never" else Severity.parse(fail_on or "error")
    index = read_index(settings.index_path, INDEX_PATH)
    if not paths and not settings.rendered_dir.is_dir():
        raise ConfigError(
            f"no {RENDERED_DIR}/ under {settings.root} to validate",
            fix="pass the files or directories to validate, or run gitops synth first",
        )
    with cyclic_gc_paused():
        outcome = validate(
            list(paths) or [_display(str(settings.rendered_dir))],
            root=settings.root,
            settings=options,
            explicit_version=explicit,
            index=index,
        )
    if not outcome.files:
        raise ConfigError(
            f"no YAML or JSON files found in {', '.join(paths) or RENDERED_DIR + '/'}",
            fix="pass files ending in .yaml, .yml or .json, or directories holding them",
        )
    # Written as it is formatted (a JSON report in pieces): the whole text, held at once and
    # copied on its way out, grew the peak memory of a large input by a fifth.
    for text in _ending_in_one_newline(report_chunks(outcome_report(outcome), output_format)):
        echo(text)
    failing = threshold is not None and any(
        f.severity >= threshold and not f.suppressed for f in outcome.findings
    )
    return ExitCode.FINDINGS if failing else ExitCode.OK


def outcome_report(outcome: Outcome) -> Report:
    """What a validation run reports: its findings, the rules that can produce them (the
    input rules and the validator's), and which engine checked."""
    from gitops.commands.catalog import CATALOG
    from gitops.validate.rules import RULES

    return Report(
        findings=outcome.findings,
        rules=[*(r for r in CATALOG.rules if r.engine == "loader"), *RULES],
        files=outcome.files,
        objects=outcome.objects,
        extra={"engine": outcome.engine},
    )


def validate_settings(
    settings: Settings, engine: str | None, ignore_missing_schemas: bool
) -> ValidateSettings:
    """``[tool.gitops.validate]`` with command-line flags applied on top."""
    configured = parse_validate_settings(settings.tables.get("validate", {}))
    return replace(
        configured,
        engine=engine or configured.engine,
        ignore_missing_schemas=ignore_missing_schemas or configured.ignore_missing_schemas,
    )


def _ending_in_one_newline(pieces: Iterable[str]) -> Iterator[str]:
    """``pieces``, the last one ending in exactly one newline."""
    last: str | None = None
    for piece in pieces:
        if last is not None:
            yield last
        last = piece
    yield (last or "").rstrip("\n") + "\n"


def _display(path: str) -> str:
    """``path`` relative to the working directory when it is below it (shorter findings)."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel
