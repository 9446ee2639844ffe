"""``gitops lint``: lint manifests, print one report, return the exit code."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO

from gitops.commands.catalog import CATALOG
from gitops.commands.collector import cyclic_gc_paused
from gitops.errors import ExitCode
from gitops.lint.config import flags_layer
from gitops.lint.rules import REGISTRY
from gitops.lint.run import LintRun, lint
from gitops.report import Report, report_chunks
from gitops.settings import Settings


def run_lint(
    settings: Settings,
    *,
    paths: Sequence[str],
    output_format: str,
    fail_on: str | None = None,
    preset: str | None = None,
    env: str | None = None,
    context: Sequence[str] = (),
    enable: Sequence[str] = (),
    disable: Sequence[str] = (),
    color: bool = False,
    echo: Callable[[str], None],
    stdin: IO[bytes] | None = None,
) -> ExitCode:
    flags = flags_layer(REGISTRY, preset=preset, fail_on=fail_on, enable=enable, disable=disable)
    with cyclic_gc_paused():
        run = lint(
            paths,
            settings,
            registry=REGISTRY,
            known=CATALOG,
            flags=flags,
            env=env,
            context=context,
            stdin=stdin,
        )
        for text in render(run, output_format, color=color):
            echo(text)
    return run.exit_code


def render(
    run: LintRun, output_format: str, *, color: bool, extra: Mapping[str, object] | None = None
) -> Iterator[str]:
    """One lint run (with whatever other engines added to it) in ``output_format``, in pieces
    to write one after the other."""
    report = Report(
        findings=run.findings,
        rules=run.rules,
        files=run.files,
        objects=run.objects,
        color=color,
        extra=extra or {},
    )
    return report_chunks(report, output_format)
