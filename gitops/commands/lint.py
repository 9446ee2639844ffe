"""``gitops lint``: lint manifests, print one report, return the exit code."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import IO, TYPE_CHECKING

from gitops.collector import cyclic_gc_paused, leave_to_exit
from gitops.commands.catalog import CATALOG
from gitops.errors import ExitCode
from gitops.findings import Finding
from gitops.k8s.manifests import LoadResult
from gitops.lint.config import flags_layer
from gitops.lint.rules import REGISTRY
from gitops.lint.run import LintRun, lint
from gitops.render.rendered import refuse_interrupted
from gitops.report import Report, report_chunks
from gitops.settings import Settings

if TYPE_CHECKING:  # a review (baseline, --new-since, SARIF fingerprints) imports them
    from gitops.commands.review_findings import BaseFindings, Reviewer, ReviewOptions


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
    review: ReviewOptions | None = None,
    warn: Callable[[str], None] | None = None,
) -> ExitCode:
    refuse_interrupted(settings.root, paths)
    flags = flags_layer(CATALOG, preset=preset, fail_on=fail_on, enable=enable, disable=disable)

    def base_findings(base: Settings, loaded: LoadResult) -> Sequence[Finding]:
        return lint([], base, registry=REGISTRY, known=CATALOG, flags=flags, loaded=loaded).findings

    reviewer = reviewer_for(settings, review, output_format, base_findings, warn or echo)
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
            adjust=reviewer.adjust if reviewer else None,
        )
        absent = reviewer.absent if reviewer else ()
        for text in render(run, output_format, color=color, absent=absent):
            echo(text)
    leave_to_exit(run)
    return run.exit_code


def reviewer_for(
    settings: Settings,
    review: ReviewOptions | None,
    output_format: str,
    base_findings: BaseFindings,
    warn: Callable[[str], None],
) -> Reviewer | None:
    """What marks findings new or unchanged (None when nothing asks for it)."""
    if output_format == "sarif":
        from gitops.commands.review_findings import ReviewOptions

        review = replace(review or ReviewOptions(), fingerprints=True)
    if review is None or not review.active:
        return None
    from gitops.commands.review_findings import Reviewer  # git, baselines: only for a review

    return Reviewer(settings, review, base_findings, warn)


def render(
    run: LintRun,
    output_format: str,
    *,
    color: bool,
    extra: Mapping[str, object] | None = None,
    absent: Sequence[Finding] = (),
) -> Iterator[str]:
    """One lint run (with whatever other engines added to it) in ``output_format``, in pieces
    to write one after the other; SARIF also lists the ``absent`` findings (fixed since the
    base) with their baseline state."""
    codes = {rule.code for rule in run.rules}
    shown = [*run.findings, *(f for f in absent if f.code in codes)]
    if output_format != "sarif":
        shown = list(run.findings)
    report = Report(
        findings=shown,
        rules=run.rules,
        files=run.files,
        objects=run.objects,
        color=color,
        extra=extra or {},
    )
    return report_chunks(report, output_format)
