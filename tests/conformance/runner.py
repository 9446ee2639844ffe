"""Run our real linter (loader, object graph, config resolution, rules) over peer fixtures.

Each fixture file is loaded once. Cases that lint the same files with the same preset and
options share one run with the union of their rules active (and every other rule disabled);
each case then sees only the findings of its own rules. Rules are pure functions of the
object and the graph, so one rule's findings never change another's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from gitops.findings import Finding
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import LoadProblem, Manifest, load
from gitops.lint.config import parse_lint_settings
from gitops.lint.engine import run_rules_on
from gitops.lint.rules import REGISTRY
from gitops.lint.selection import resolve
from tests.conformance.mapping import MAPPING_PATH, Mapped, lint_table


@dataclass(frozen=True)
class Outcome:
    """Our findings of some rules over a set of files, object by object."""

    manifests: tuple[Manifest, ...]
    findings: tuple[tuple[Finding, ...], ...]
    """``findings[i]`` are the findings on ``manifests[i]``."""
    problems: tuple[LoadProblem, ...]

    def only(self, rules: frozenset[str]) -> Outcome:
        kept = tuple(tuple(f for f in found if f.code in rules) for found in self.findings)
        return Outcome(self.manifests, kept, self.problems)

    def reported(self, manifest: Manifest) -> tuple[Finding, ...]:
        index = next(i for i, m in enumerate(self.manifests) if m is manifest)
        return self.findings[index]

    def fails(self, manifest: Manifest) -> bool:
        return bool(self.reported(manifest))

    def failing(self) -> list[Manifest]:
        return [m for m, found in zip(self.manifests, self.findings, strict=True) if found]


Judge = Callable[[Outcome], str]


@dataclass(frozen=True)
class Case:
    """One expectation of a peer's test suite, for one mapped check."""

    peer: str
    check: Mapped
    name: str
    """Unique within the peer's check: the fixture, object or upstream test it comes from."""
    files: tuple[Path, ...]
    expected: str
    """The peer's verdict, in the peer's terms."""
    judge: Judge
    """Our verdict, in the same terms, from our findings over ``files``."""
    excluded: str | None = None
    """Why the case is not compared (it tests a switch or exemption of the peer itself)."""

    @property
    def id(self) -> str:
        return f"{self.peer}::{self.check.check}::{self.name}"


_Group = tuple[tuple[Path, ...], str, str]


class Runner:
    def __init__(self) -> None:
        self._files: dict[Path, tuple[list[Manifest], list[LoadProblem]]] = {}
        self._wanted: dict[_Group, set[str]] = defaultdict(set)
        self._runs: dict[_Group, tuple[frozenset[str], Outcome]] = {}

    def plan(self, cases: Iterable[Case]) -> None:
        """Record every case first, so each group of cases is linted once."""
        for case in cases:
            if case.excluded is None:
                self._wanted[self._group(case)] |= case.check.rules

    def verdict(self, case: Case) -> str:
        return case.judge(self.outcome(case))

    def outcome(self, case: Case) -> Outcome:
        group = self._group(case)
        ran = self._runs.get(group)
        if ran is None or not case.check.rules <= ran[0]:
            rules = frozenset(self._wanted[group] | case.check.rules)
            ran = self._runs[group] = (rules, self._lint(group, rules))
        return ran[1].only(case.check.rules)

    @staticmethod
    def _group(case: Case) -> _Group:
        return case.files, case.check.preset, case.check.options_key

    def _load(self, path: Path) -> tuple[list[Manifest], list[LoadProblem]]:
        if path not in self._files:
            loaded = load([str(path)])
            self._files[path] = loaded.manifests, loaded.problems
        return self._files[path]

    def _lint(self, group: _Group, rules: frozenset[str]) -> Outcome:
        files, preset, options_key = group
        manifests: list[Manifest] = []
        problems: list[LoadProblem] = []
        for path in files:
            found, trouble = self._load(path)
            manifests += found
            problems += trouble
        settings = parse_lint_settings(
            lint_table(preset, options_key, rules), REGISTRY, where=str(MAPPING_PATH)
        )
        active = resolve(settings, REGISTRY, None).active
        assert {a.rule.code for a in active} == rules, "the mapping's rules must all run"
        graph = ObjectGraph(manifests)
        findings = tuple(tuple(run_rules_on((m,), graph, active)) for m in manifests)
        return Outcome(tuple(manifests), findings, tuple(problems))
