"""kube-linter: its bats end-to-end tests run one check over one fixture file and assert the
reports; each report names an object (resolved from the fixture by the corpus extraction).

A case is one object of a kind the check scores: "fail" when kube-linter reports it, "pass"
when the test lists every report (report_count) and none names it, or when upstream names
it ``dont-fire*``. Our verdict is "fail" when a mapped rule reports the object.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tests.conformance.corpus import expected, peer_dir
from tests.conformance.mapping import Mapped, PeerMapping
from tests.conformance.peers.common import (
    FAIL,
    PASS,
    bound_role,
    check_extra,
    is_scored_kind,
    scored_kinds,
    unique_names,
)
from tests.conformance.runner import Case, Judge, Outcome

PEER = "kube-linter"


def peer_checks() -> set[str]:
    """Every check or test the suite exercises: a check name, or the test name for tests
    driven by a config file or a flag."""
    return {_check_of(test) for test in expected(PEER)["tests"]}


def _check_of(test: dict[str, Any]) -> str:
    checks = test.get("checks") or []
    return str(checks[0]) if len(checks) == 1 else str(test["test"])


def cases(mapping: PeerMapping) -> list[Case]:
    found: list[Case] = []
    for test in expected(PEER)["tests"]:
        check = mapping.mapped.get(_check_of(test))
        if check is not None:
            check_extra(check, ("kinds", "reported_on"))
            found += _test_cases(test, check)
    return found


def _expected_fails(test: dict[str, Any]) -> tuple[set[int], set[int]]:
    """Positions (doc_index) kube-linter reports, and positions whose verdict is unknown
    (a report that could name any of several objects)."""
    fails: set[int] = set()
    candidate_sets: Counter[tuple[int, ...]] = Counter()
    for report in test.get("expected_reports", []):
        if "object" in report:
            fails.add(int(report["object"]["doc_index"]))
        else:
            candidate_sets[tuple(int(c["doc_index"]) for c in report["object_candidates"])] += 1
    unknown: set[int] = set()
    for candidates, reports in candidate_sets.items():
        # As many reports as candidates, from a check reporting each object once: all fail.
        (fails if reports >= len(candidates) else unknown).update(candidates)
    return fails, unknown - fails


def _test_cases(test: dict[str, Any], check: Mapped) -> list[Case]:
    fixture = peer_dir(PEER) / test["fixture"]
    objects = test["objects_in_fixture"]
    fails, unknown = _expected_fails(test)
    complete = test.get("report_count") == len(test.get("expected_reports", []))
    kinds = scored_kinds(check)
    picked = []
    for position, obj in enumerate(objects):
        name = str(obj.get("name") or "")
        if not is_scored_kind(obj["kind"], kinds) or obj["doc_index"] in unknown:
            continue
        if obj["doc_index"] in fails:
            verdict = FAIL
        elif complete or name.startswith("dont-fire"):
            verdict = PASS
        else:
            continue
        picked.append((position, obj, verdict))
    names = unique_names(f"{o['kind']}/{o.get('name') or '(unnamed)'}" for _, o, _ in picked)
    return [
        Case(
            peer=PEER,
            check=check,
            name=f"{Path(test['fixture']).name}::{label}",
            files=(fixture,),
            expected=verdict,
            judge=_judge_object(position, obj, check.extra.get("reported_on") == "binding"),
        )
        for (position, obj, verdict), label in zip(picked, names, strict=True)
    ]


def _judge_object(position: int, obj: dict[str, Any], via_binding: bool) -> Judge:
    def judge(outcome: Outcome) -> str:
        manifest = outcome.manifests[position]
        assert manifest.kind == obj["kind"] and manifest.name == str(obj.get("name") or ""), (
            f"fixture object {position} is {manifest.describe()}, expected {obj}"
        )
        if via_binding:
            role = bound_role(manifest, outcome.manifests)
            return FAIL if role is not None and outcome.fails(role) else PASS
        return FAIL if outcome.fails(manifest) else PASS

    return judge
