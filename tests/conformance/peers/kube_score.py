"""kube-score: its Go tests score fixture files and assert the grade of the FIRST object the
check scores (CRITICAL, WARNING, OK, or skipped), under a run configuration.

A case is one such assertion: "fail" for CRITICAL or WARNING, "pass" for OK or skipped (not
scored means nothing to report). Our verdict is "fail" when a mapped rule reports that object
(the object upstream names, else the first of the kinds the check scores). Cases that only
exercise kube-score's own switches are left out: an optional check that is not enabled, or a
check skipped by a ``kube-score/ignore`` annotation. A run-configuration switch that changes
the check's semantics maps to our options through ``run_config`` in the mapping entry.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from tests.conformance.corpus import expected, peer_dir
from tests.conformance.mapping import Mapped, PeerMapping
from tests.conformance.peers.common import (
    FAIL,
    PASS,
    check_extra,
    is_scored,
    scored_kinds,
    unique_names,
)
from tests.conformance.runner import Case, Judge, Outcome

PEER = "kube-score"
FAILING_GRADES = ("CRITICAL", "WARNING")


def peer_checks() -> set[str]:
    return {str(c["check"]) for c in expected(PEER)["cases"] if c.get("check")}


def cases(mapping: PeerMapping) -> list[Case]:
    root = peer_dir(PEER) / expected(PEER)["fixture_root"]
    picked: list[tuple[dict[str, Any], Mapped]] = []
    for case in expected(PEER)["cases"]:
        check = mapping.mapped.get(str(case.get("check")))
        if check is None or case.get("kind") or not _asserts_outcome(case):
            continue
        check_extra(check, ("kinds", "optional", "run_config"))
        picked.append((case, _configured(check, case.get("run_config") or {})))
    names = unique_names(
        f"{c['check']}::{c.get('go_test') or '+'.join(c['files'])}" for c, _ in picked
    )
    found = []
    for (case, check), name in zip(picked, names, strict=True):
        files = tuple(root / f for f in case["files"])
        skipped = case.get("expected_skipped")
        found.append(
            Case(
                peer=PEER,
                check=check,
                name=name.split("::", 1)[1],
                files=files,
                expected=PASS if skipped else _verdict(case["expected_grade"]),
                judge=_judge_first(scored_kinds(check), case.get("expected_object")),
                excluded=_switch(case, check, files),
            )
        )
    return found


def _verdict(grade: str) -> str:
    return FAIL if grade in FAILING_GRADES else PASS


def _asserts_outcome(case: dict[str, Any]) -> bool:
    """Does the case assert a grade or a skip (some only assert that a check exists)?"""
    return "expected_grade" in case or bool(case.get("expected_skipped"))


def _switch(case: dict[str, Any], check: Mapped, files: tuple[Path, ...]) -> str | None:
    """Why a skipped case only tests kube-score's own switches, or None."""
    if not case.get("expected_skipped"):
        return None
    run_config = case.get("run_config") or {}
    enabled = run_config.get("EnabledOptionalTests") or []
    if check.extra.get("optional") and case["check"] not in enabled:
        return "the optional check is not enabled, so kube-score does not run it"
    honours_ignores = run_config.get("UseIgnoreChecksAnnotation") != "false"
    if honours_ignores and any("kube-score/ignore" in f.read_text() for f in files):
        return "a kube-score/ignore annotation skips the check"
    return None


def _configured(check: Mapped, run_config: dict[str, Any]) -> Mapped:
    """The mapping entry under the case's run configuration (``run_config`` variants)."""
    for switch, variant in (check.extra.get("run_config") or {}).items():
        key, _, value = str(switch).partition("=")
        if str(run_config.get(key)) != value:
            continue
        rules = frozenset(variant.get("rules", check.rules))
        options = {**check.options, **(variant.get("options") or {})}
        check = dataclasses.replace(check, rules=rules, options=options)
    return check


def _judge_first(kinds: frozenset[str], name: str | None) -> Judge:
    def judge(outcome: Outcome) -> str:
        scored = [m for m in outcome.manifests if is_scored(m, kinds)]
        if name is not None:
            scored = [m for m in scored if m.name == name]
        assert scored, f"no object of kinds {sorted(kinds)} in the fixture"
        return FAIL if outcome.fails(scored[0]) else PASS

    return judge
