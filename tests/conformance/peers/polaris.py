"""Polaris: its schema tests run one check at severity danger over each file of
``test/checks/<check>/``: ``success*.yaml`` must pass and ``failure*.yaml`` must fail.

A case is one such file: "fail" when the check finds at least one problem in the file, else
"pass". Our verdict is "fail" when a mapped rule reports an object of a kind the check
scores; for checks on bindings (``reported_on: binding``), when a binding of the scored kinds
(and ``role_kind``) is reported, or grants a role our rule reports. Files that pass only
through Polaris's exemption of an object name test that exemption and are left out.
"""

from __future__ import annotations

from pathlib import Path

from gitops.k8s.rbac import role_ref
from tests.conformance.corpus import expected, peer_dir
from tests.conformance.mapping import Mapped, PeerMapping
from tests.conformance.peers.common import (
    FAIL,
    PASS,
    bound_role,
    check_extra,
    is_scored,
    scored_kinds,
)
from tests.conformance.runner import Case, Judge, Outcome

PEER = "polaris"


def peer_checks() -> set[str]:
    return {str(c["check"]) for c in expected(PEER)["check_cases"]}


def cases(mapping: PeerMapping) -> list[Case]:
    found = []
    for case in expected(PEER)["check_cases"]:
        check = mapping.mapped.get(case["check"])
        if check is None:
            continue
        check_extra(check, ("kinds", "reported_on", "role_kind"))
        path = peer_dir(PEER) / case["file"]
        found.append(
            Case(
                peer=PEER,
                check=check,
                name=path.name,
                files=(path,),
                expected=FAIL if case["expected"] == "fail" else PASS,
                judge=_judge(check),
                excluded=_exemption(path),
            )
        )
    return found


def _exemption(path: Path) -> str | None:
    """Fixtures that pass because Polaris exempts the object by name test its exemptions."""
    comments = [line for line in path.read_text().splitlines() if line.lstrip().startswith("#")]
    if any("exempt" in line for line in comments):
        return "passes by a Polaris exemption of the object's name"
    return None


def _judge(check: Mapped) -> Judge:
    kinds = scored_kinds(check)
    role_kind = check.extra.get("role_kind")

    def judge(outcome: Outcome) -> str:
        if check.extra.get("reported_on") != "binding":
            return FAIL if any(is_scored(m, kinds) for m in outcome.failing()) else PASS
        for binding in outcome.manifests:
            ref = role_ref(binding)
            if binding.kind not in kinds or (role_kind and (ref is None or ref[0] != role_kind)):
                continue
            if outcome.fails(binding):
                return FAIL  # e.g. binding-to-undefined-role, reported on the binding
            role = bound_role(binding, outcome.manifests)
            if role is not None and outcome.fails(role):
                return FAIL
        return PASS

    return judge
