"""Our linter against the peers' own test suites (``../shared/corpus``), case by case.

Every mapped case must agree with the peer, or be a documented difference with exactly the
verdicts recorded in mapping.yaml; the documented set must equal the disagreeing set (a
regression and a silent fix both fail, so the list stays true); the agreement per peer must
reach the target; docs/conformance.md must be current.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.corpus import CANDIDATES, corpus_dir
from tests.conformance.mapping import PEERS, load_mapping
from tests.conformance.report import COMMAND, render
from tests.conformance.results import peer_cases, peer_checks, run_all
from tests.conformance.runner import Case

REPO = Path(__file__).resolve().parents[2]
HAVE_CORPUS = corpus_dir() is not None
pytestmark = pytest.mark.skipif(
    not HAVE_CORPUS,
    reason="peer corpus not found at " + " or ".join(str(c) for c in CANDIDATES),
)
COMPARED: list[Case] = (
    [c for p in PEERS for c in peer_cases(p) if c.excluded is None] if HAVE_CORPUS else []
)


@pytest.mark.parametrize("case", COMPARED, ids=[c.id for c in COMPARED])
def test_case(case: Case) -> None:
    result = next(r for r in run_all()[case.peer].results if r.case is case)
    documented = load_mapping()[case.peer].differences.get(case.id)
    if documented is None:
        assert result.ours == case.expected, (
            f"we say {result.ours!r}, {case.peer} says {case.expected!r}: fix the rule, or "
            "list the case under differences in tests/conformance/mapping.yaml with the reason"
        )
    else:
        assert (result.ours, case.expected) == (documented.ours, documented.theirs), (
            f"documented as ours {documented.ours!r} vs theirs {documented.theirs!r}, now "
            f"ours {result.ours!r} vs theirs {case.expected!r}: update mapping.yaml"
        )


@pytest.mark.parametrize("peer", PEERS)
def test_agreement_reaches_target(peer: str) -> None:
    result = run_all()[peer]
    mapping = result.mapping
    # The tolerance keeps an exact 94/100 equal to 0.94 despite binary floats.
    assert result.agreement + 1e-9 >= mapping.required_agreement, (
        f"{peer}: {result.agreement:.1%} agreement on {len(result.results)} mapped cases, "
        f"below {mapping.required_agreement:.0%}"
    )
    if mapping.below_target:
        assert result.agreement < mapping.target, (
            f"{peer} now reaches the target ({result.agreement:.1%}): remove below_target"
        )


@pytest.mark.parametrize("peer", PEERS)
def test_documented_differences_are_the_disagreements(peer: str) -> None:
    result = run_all()[peer]
    disagreeing = {r.case.id for r in result.disagreeing}
    documented = set(result.mapping.differences)
    assert not disagreeing - documented, f"undocumented: {sorted(disagreeing - documented)}"
    assert not documented - disagreeing, f"no longer differ: {sorted(documented - disagreeing)}"


@pytest.mark.parametrize("peer", PEERS)
def test_every_peer_check_is_mapped_or_unmapped(peer: str) -> None:
    mapping = load_mapping()[peer]
    listed = set(mapping.mapped) | set(mapping.unmapped)
    checks = peer_checks(peer)
    assert not checks - listed, f"neither mapped nor unmapped: {sorted(checks - listed)}"
    assert not listed - checks, f"not in the corpus: {sorted(listed - checks)}"


@pytest.mark.parametrize("peer", PEERS)
def test_every_mapped_check_is_compared(peer: str) -> None:
    compared = {r.case.check.check for r in run_all()[peer].results}
    idle = sorted(set(load_mapping()[peer].mapped) - compared)
    assert not idle, f"mapped checks with no compared case: {idle}"


def test_case_ids_are_unique() -> None:
    ids = [c.id for p in PEERS for c in peer_cases(p)]
    assert len(ids) == len(set(ids))


def test_report_is_fresh() -> None:
    page = REPO / "docs" / "conformance.md"
    assert page.is_file() and page.read_text() == render(), f"stale; regenerate: {COMMAND}"
