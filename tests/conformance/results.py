"""Every peer's cases, run once through our linter, with the agreement per peer."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import ModuleType

from tests.conformance.mapping import PEERS, PeerMapping, load_mapping
from tests.conformance.peers import checkov, kube_linter, kube_score, kubescape, polaris
from tests.conformance.runner import Case, Runner

ADAPTERS: dict[str, ModuleType] = {
    "kube-linter": kube_linter,
    "kube-score": kube_score,
    "polaris": polaris,
    "checkov": checkov,
    "kubescape-regolibrary": kubescape,
}


@dataclass(frozen=True)
class Result:
    case: Case
    ours: str

    @property
    def agrees(self) -> bool:
        return self.ours == self.case.expected


@dataclass(frozen=True)
class PeerResult:
    mapping: PeerMapping
    results: tuple[Result, ...]
    """Compared cases, in corpus order."""
    excluded: tuple[Case, ...]

    @property
    def disagreeing(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if not r.agrees)

    @property
    def agreement(self) -> float:
        return 1 - len(self.disagreeing) / len(self.results) if self.results else 1.0


@functools.cache
def peer_cases(peer: str) -> tuple[Case, ...]:
    """All cases of a peer's mapped checks, excluded ones included."""
    return tuple(ADAPTERS[peer].cases(load_mapping()[peer]))


def peer_checks(peer: str) -> set[str]:
    """Every check the peer's test suite exercises."""
    checks: set[str] = ADAPTERS[peer].peer_checks()
    return checks


@functools.cache
def run_all() -> dict[str, PeerResult]:
    """Our verdict on every compared case of every peer (one lint run per group of cases)."""
    runner = Runner()
    compared = {p: [c for c in peer_cases(p) if c.excluded is None] for p in PEERS}
    runner.plan(case for cases in compared.values() for case in cases)
    return {
        peer: PeerResult(
            mapping=load_mapping()[peer],
            results=tuple(Result(case, runner.verdict(case)) for case in compared[peer]),
            excluded=tuple(c for c in peer_cases(peer) if c.excluded is not None),
        )
        for peer in PEERS
    }
