"""Checkov: its unit tests run one check over every file of an example directory and assert
the exact numbers of passed and failed resources, sometimes also which resources (ids
``Kind.namespace.name``); its graph checks list passing and failing ids.

Where upstream lists resources, a case is one resource: "fail" or "pass", and ours is "fail"
when a mapped rule reports that object (for a binding-level graph check with
``reported_on: binding``, the role the binding grants). Otherwise a case is the whole
directory and the verdict is the number of failed resources, ours the number of objects our
mapped rules report. The passed count is not compared: checkov leaves out of it
the objects a check finds not applicable (UNKNOWN: no volumes, no containers, a field of
the wrong type), a notion our rules do not have. Directories whose counts include resources
skipped by checkov's own ``checkov.io/skip`` annotations test that mechanism and are left
out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitops.k8s.manifests import YAML_SUFFIXES, Manifest
from gitops.k8s.pods import WORKLOAD_KINDS, all_containers
from tests.conformance.corpus import expected, peer_dir
from tests.conformance.mapping import Mapped, PeerMapping
from tests.conformance.peers.common import (
    FAIL,
    PASS,
    bound_role,
    check_extra,
)
from tests.conformance.runner import Case, Outcome

PEER = "checkov"
_EXTRA = ("reported_on",)


def peer_checks() -> set[str]:
    data = expected(PEER)
    return {str(c["check_id"]) for c in data["resource_checks"] + data["graph_checks"]}


def cases(mapping: PeerMapping) -> list[Case]:
    data = expected(PEER)
    found: list[Case] = []
    for entry in data["resource_checks"] + data["graph_checks"]:
        check = mapping.mapped.get(entry["check_id"])
        if check is None:
            continue
        check_extra(check, _EXTRA)
        files = _files(peer_dir(PEER) / entry["fixture_dir"])
        passed = entry.get("expected_passed_resources") or entry.get("expected_pass") or []
        failed = entry.get("expected_failed_resources") or entry.get("expected_fail") or []
        if passed or failed:
            found += [
                _resource_case(check, files, rid, verdict)
                for verdicts, verdict in ((failed, FAIL), (passed, PASS))
                for rid in verdicts
            ]
        else:
            found.append(_count_case(check, files, entry))
    return found


def _files(directory: Path) -> tuple[Path, ...]:
    """Every manifest of an example directory (checkov -d), without graph expectations."""
    return tuple(
        sorted(
            p
            for p in directory.rglob("*")
            if p.suffix in YAML_SUFFIXES and p.name != "expected.yaml" and p.is_file()
        )
    )


def resource_id(manifest: Manifest) -> str:
    namespace = manifest.metadata.get("namespace") or "default"
    return f"{manifest.kind}.{namespace}.{manifest.name}"


def _resource_case(check: Mapped, files: tuple[Path, ...], rid: str, verdict: str) -> Case:
    kind, namespace, name = rid.split(".", 2)
    via_binding = check.extra.get("reported_on") == "binding"

    def judge(outcome: Outcome) -> str:
        found = [m for m in outcome.manifests if _identifies(m, kind, namespace, name)]
        # Two files may define one id; checkov then scores the one it can evaluate.
        found = [m for m in found if _evaluable(m)] or found
        assert len(found) == 1, f"{rid} names {len(found)} objects of the fixture"
        manifest = found[0]
        if via_binding:
            role = bound_role(manifest, outcome.manifests)
            return FAIL if role is not None and outcome.fails(role) else PASS
        return FAIL if outcome.fails(manifest) else PASS

    return Case(PEER, check, rid, files, verdict, judge)


def _evaluable(manifest: Manifest) -> bool:
    """Has the object something a container check can judge (checkov: not UNKNOWN)?"""
    return manifest.kind not in WORKLOAD_KINDS or bool(all_containers(manifest))


def _identifies(manifest: Manifest, kind: str, namespace: str, name: str) -> bool:
    """Does a checkov id name this object? Graph checks on pods use
    ``Pod.<namespace>.<workload>.<container>``: the workload's name, any pod-bearing kind."""
    if kind == "Pod" and "." in name:
        workload = name.split(".", 1)[0]
        return manifest.name == workload and namespace == (
            manifest.metadata.get("namespace") or "default"
        )
    return resource_id(manifest) == f"{kind}.{namespace}.{name}"


def _count_case(check: Mapped, files: tuple[Path, ...], entry: dict[str, Any]) -> Case:
    summary = entry["expected_summary"]
    skipped = "checkov.io/skip annotations skip some resources" if summary["skipped"] else None
    name = Path(entry["fixture_dir"]).name
    return Case(PEER, check, name, files, f"{summary['failed']} failed", _judge_counts, skipped)


def _judge_counts(outcome: Outcome) -> str:
    return f"{sum(1 for m in outcome.failing() if _evaluable(m))} failed"
