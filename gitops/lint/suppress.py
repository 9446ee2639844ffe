"""Suppressions: explicit, with a reason, and never hidden.

In source, an object (or its pod template) carries::

    metadata:
      annotations:
        gitops.dev/ignore: "IM001,missing-liveness-probe"   # codes, names or families
        gitops.dev/ignore-reason: "batch job; restarts are handled by the queue"

(this repo's ``Suppress`` construct prop emits exactly that on the workload). In config,
``[[tool.gitops.lint.ignore]]`` entries match rules plus optional paths, kinds, namespaces
and names. A suppressed finding is kept with ``suppressed=True`` and its reason, so JSON and
SARIF still show it; it never fails a run.

An ignore annotation without a reason suppresses nothing and is reported (GH004), and so is
one that names no known rule (GH005): both are typos that would otherwise hide silently.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from gitops.findings import SUPPRESSED_BY, Finding
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import pod_template
from gitops.lint.config import IgnoreEntry, glob_regex
from gitops.rules.registry import Registry, Violation

IGNORE_ANNOTATION = "gitops.dev/ignore"
IGNORE_REASON_ANNOTATION = "gitops.dev/ignore-reason"
CONFIG_REASON_PREFIX = "config: "
"""Key in ``Finding.extra``: ``annotation`` (in source) or ``config`` (external)."""

IGNORE_WITHOUT_REASON = "GH004"
IGNORE_NAMES_UNKNOWN_RULE = "GH005"


@dataclass(frozen=True)
class IgnoreAnnotation:
    """One ``gitops.dev/ignore`` annotation, on the object or on its pod template."""

    refs: tuple[str, ...]
    reason: str
    """Stripped; empty when the reason annotation is missing or blank."""
    path: tuple[str | int, ...]
    """JSON path of the ignore annotation (for findings about the annotation itself)."""


def ignore_annotations(manifest: Manifest) -> list[IgnoreAnnotation]:
    found: list[IgnoreAnnotation] = []
    places: list[tuple[tuple[str | int, ...], object]] = [((), manifest.annotations)]
    template = pod_template(manifest)
    if template is not None and template.path:
        places.append((template.path, template.annotations))
    for prefix, values in places:
        if not isinstance(values, dict) or IGNORE_ANNOTATION not in values:
            continue
        raw = values[IGNORE_ANNOTATION]
        refs = tuple(part.strip() for part in str(raw or "").split(",") if part.strip())
        reason = str(values.get(IGNORE_REASON_ANNOTATION) or "").strip()
        path = (*prefix, "metadata", "annotations", IGNORE_ANNOTATION)
        found.append(IgnoreAnnotation(refs=refs, reason=reason, path=path))
    return found


def annotation_problems(
    annotations: Sequence[IgnoreAnnotation], known: Registry
) -> Iterator[tuple[str, Violation]]:
    """(rule code, violation) for ignore annotations without a reason (GH004) or naming a
    rule ``known`` does not have (GH005)."""
    for annotation in annotations:
        shown = ",".join(annotation.refs)
        if not annotation.reason:
            yield (
                IGNORE_WITHOUT_REASON,
                Violation(
                    message=f'"{IGNORE_ANNOTATION}: {shown}" has no {IGNORE_REASON_ANNOTATION}, '
                    "so it suppresses nothing",
                    path=annotation.path,
                ),
            )
        for ref in annotation.refs:
            if known.lookup(ref):
                continue
            names = [*known.by_code, *known.by_name, *known.families]
            close = difflib.get_close_matches(ref, names, n=1, cutoff=0.7)
            hint = f" (did you mean {close[0]}?)" if close else ""
            yield (
                IGNORE_NAMES_UNKNOWN_RULE,
                Violation(
                    message=f'"{IGNORE_ANNOTATION}" names unknown rule "{ref}"{hint}',
                    path=annotation.path,
                ),
            )


def suppress(
    finding: Finding,
    annotations: Sequence[IgnoreAnnotation],
    ignores: Sequence[IgnoreEntry],
    env: str | None,
    known: Registry,
    rel_path: str,
) -> Finding:
    """``finding``, marked suppressed when an annotation (with a reason) or a config entry
    covers it; annotations win, so the reason shown is the one next to the object."""
    for annotation in annotations:
        if annotation.reason and any(
            finding.code in {r.code for r in known.lookup(ref)} for ref in annotation.refs
        ):
            return _suppressed(finding, annotation.reason, "annotation")
    for entry in ignores:
        if config_entry_matches(entry, finding, env, rel_path):
            return _suppressed(finding, CONFIG_REASON_PREFIX + entry.reason, "config")
    return finding


def config_entry_matches(entry: IgnoreEntry, finding: Finding, env: str | None, path: str) -> bool:
    """Does ``entry`` cover ``finding`` (of a file at repo-relative POSIX ``path``)?"""
    if finding.code not in entry.codes or (entry.env is not None and entry.env != env):
        return False
    if entry.paths and not any(glob_regex(p).match(path) for p in entry.paths):
        return False
    for patterns, value in (
        (entry.kinds, finding.kind),
        (entry.namespaces, finding.namespace),
        (entry.names, finding.name),
    ):
        if patterns and (value is None or not any(fnmatchcase(value, p) for p in patterns)):
            return False
    return True


def _suppressed(finding: Finding, reason: str, by: str) -> Finding:
    return finding._replace(
        suppressed=True, suppression=reason, extra=(*finding.extra, (SUPPRESSED_BY, by))
    )
