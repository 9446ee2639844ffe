"""Kubescape (regolibrary): each rule's test cases evaluate the rule over every input of the
case together and list the exact alerts, each naming the failing objects; no alert means
the case passes.

A case is one test case. Its verdict is the sorted list of ``Kind/name`` the alerts name
("pass" when there are none); ours lists the objects our mapped rules report, among the
kinds the check scores. For rules whose alerts name no object (the RBAC rules, which name
related objects only) the verdict is just "fail" or "pass".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conformance.corpus import expected, peer_dir
from tests.conformance.mapping import PeerMapping
from tests.conformance.peers.common import (
    FAIL,
    PASS,
    check_extra,
    is_scored,
    scored_kinds,
)
from tests.conformance.runner import Case, Judge, Outcome

PEER = "kubescape-regolibrary"


def peer_checks() -> set[str]:
    return {str(c["rule"]) for c in expected(PEER)["cases"]}


def cases(mapping: PeerMapping) -> list[Case]:
    found = []
    for case in expected(PEER)["cases"]:
        check = mapping.mapped.get(case["rule"])
        if check is None:
            continue
        check_extra(check, ("kinds",))
        named = _named(case["alerts"])
        by_object = bool(named) or not case["alerts"]
        found.append(
            Case(
                peer=PEER,
                check=check,
                name=Path(case["case"]).name,
                files=tuple(peer_dir(PEER) / f for f in case["inputs"]),
                expected=_objects_verdict(named) if by_object else _any(case["alerts"]),
                judge=_judge(scored_kinds(check), by_object),
                excluded=_control_inputs(peer_dir(PEER) / case["case"]),
            )
        )
    return found


def _control_inputs(case_dir: Path) -> str | None:
    """Cases configured through data.json (allow-lists, bounds) test settings we do not have."""
    data = case_dir / "data.json"
    inputs = json.loads(data.read_text()).get("postureControlInputs") if data.is_file() else None
    if not inputs:
        return None
    return f"configured with control inputs ({', '.join(sorted(inputs))}) we have no option for"


def _named(alerts: list[dict[str, Any]]) -> list[str]:
    return sorted({f"{o['kind']}/{o['name']}" for a in alerts for o in a.get("objects") or []})


def _objects_verdict(objects: list[str]) -> str:
    return f"{FAIL}: {', '.join(objects)}" if objects else PASS


def _any(alerts: list[dict[str, Any]]) -> str:
    return FAIL if alerts else PASS


def _judge(kinds: frozenset[str], by_object: bool) -> Judge:
    def judge(outcome: Outcome) -> str:
        failing = [m for m in outcome.failing() if is_scored(m, kinds)]
        if not by_object:
            return FAIL if failing else PASS
        return _objects_verdict(sorted({f"{m.kind}/{m.name}" for m in failing}))

    return judge
