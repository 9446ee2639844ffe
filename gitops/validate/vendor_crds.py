"""Regenerate the packaged CRD schemas from upstream CRD files (a maintainer tool).

    python -m gitops.validate.vendor_crds /path/to/crds

reads ``<group>/<plural>.yaml`` CRDs and the ``MANIFEST.md`` that records where each came from
(repository, path, commit, license), and writes ``gitops/validate/crd_schemas/``: one gzipped,
minified JSON file per CRD (names, versions and schemas; descriptions stripped), each group's
LICENSE, and a MANIFEST.md. Output is byte-for-byte reproducible.

Two Argo Workflows kinds have no upstream file in the shared copy and are *derived* (see
``DERIVED``): ``CronWorkflow`` (its ``spec.workflowSpec`` is the Workflow CRD's ``spec``, the
same Go type ``WorkflowSpec``, next to the cron fields of ``CronWorkflowSpec``) and
``ClusterWorkflowTemplate`` (the WorkflowTemplate schema, cluster-scoped). Their source record
names the file they were derived from and says ``derived``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from gitops.validate.crds import PACKAGED_DIR
from gitops.validate.openapi import strip_annotations

TARGET = Path(__file__).parent / PACKAGED_DIR
_ROW = re.compile(
    r"^\| (?P<group>[a-z0-9.-]+) \| (?P<kind>\w+) \| [^|]+ "
    r"\| (?P<repo>[\w./-]+) \((?P<branch>[\w.-]+)\) "
    r"\| `(?P<path>[^`]+)` \| `(?P<commit>[0-9a-f]{40})` \| (?P<license>[\w.-]+),"
)
_DATE = re.compile(
    r"^- (?P<repo>[\w./-]+), branch `[^`]+`, commit `[0-9a-f]{40}` \((?P<date>[\d-]+)\)"
)


def sources(manifest: str) -> dict[tuple[str, str], dict[str, str]]:
    """(group, kind) -> where the upstream CRD came from, read from the upstream MANIFEST.md."""
    dates = {m["repo"]: m["date"] for m in map(_DATE.match, manifest.splitlines()) if m}
    found = {}
    for match in map(_ROW.match, manifest.splitlines()):
        if match:
            found[(match["group"], match["kind"])] = {
                "repository": match["repo"],
                "branch": match["branch"],
                "path": match["path"],
                "commit": match["commit"],
                "date": dates.get(match["repo"], ""),
                "license": match["license"],
            }
    return found


def reduced_crd(crd: dict[str, Any]) -> dict[str, Any]:
    spec = crd["spec"]
    return {
        "apiVersion": crd["apiVersion"],
        "kind": crd["kind"],
        "metadata": {"name": crd["metadata"]["name"]},
        "spec": {
            "group": spec["group"],
            "names": {"kind": spec["names"]["kind"], "plural": spec["names"]["plural"]},
            "scope": spec["scope"],
            "versions": [
                {
                    "name": v["name"],
                    "served": v["served"],
                    "storage": v["storage"],
                    "schema": {
                        "openAPIV3Schema": strip_annotations(v["schema"]["openAPIV3Schema"])
                    },
                }
                for v in spec["versions"]
            ],
        },
    }


_INT32 = {"type": "integer", "format": "int32"}
_STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
CRON_WORKFLOW_FIELDS: dict[str, Any] = {
    "concurrencyPolicy": {"type": "string"},
    "failedJobsHistoryLimit": _INT32,
    "schedule": {"type": "string"},
    "schedules": {"type": "array", "items": {"type": "string"}},
    "startingDeadlineSeconds": {"type": "integer", "format": "int64"},
    "stopStrategy": {
        "type": "object",
        "required": ["expression"],
        "properties": {"expression": {"type": "string"}},
    },
    "successfulJobsHistoryLimit": _INT32,
    "suspend": {"type": "boolean"},
    "timezone": {"type": "string"},
    "when": {"type": "string"},
    "workflowMetadata": {
        "type": "object",
        "properties": {"annotations": _STRINGS, "labels": _STRINGS},
        "x-kubernetes-preserve-unknown-fields": True,
    },
}
"""``CronWorkflowSpec`` (argo-workflows ``pkg/apis/workflow/v1alpha1/cron_workflow_types.go``)
without ``workflowSpec``; ``schedule`` is the pre-3.6 spelling of ``schedules``."""


def _cron_workflow(workflow: dict[str, Any]) -> dict[str, Any]:
    crd: dict[str, Any] = json.loads(json.dumps(workflow))
    crd["metadata"]["name"] = "cronworkflows.argoproj.io"
    crd["spec"]["names"] = {"kind": "CronWorkflow", "plural": "cronworkflows"}
    for version in crd["spec"]["versions"]:
        root = version["schema"]["openAPIV3Schema"]
        workflow_spec = root["properties"]["spec"]
        root["properties"]["spec"] = {
            "type": "object",
            "required": ["workflowSpec"],
            "properties": {**CRON_WORKFLOW_FIELDS, "workflowSpec": workflow_spec},
        }
        root["properties"]["status"] = {
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": True,
        }
    return crd


def _cluster_workflow_template(template: dict[str, Any]) -> dict[str, Any]:
    crd: dict[str, Any] = json.loads(json.dumps(template))
    crd["metadata"]["name"] = "clusterworkflowtemplates.argoproj.io"
    crd["spec"]["names"] = {"kind": "ClusterWorkflowTemplate", "plural": "clusterworkflowtemplates"}
    crd["spec"]["scope"] = "Cluster"
    return crd


DERIVED = {
    ("argoproj.io", "CronWorkflow"): ("Workflow", _cron_workflow),
    ("argoproj.io", "ClusterWorkflowTemplate"): ("WorkflowTemplate", _cluster_workflow_template),
}
"""Kinds derived from another upstream CRD: (group, kind) -> (base kind, derivation)."""


def packaged_bytes(crd: dict[str, Any], source: dict[str, str]) -> bytes:
    document = {"crd": reduced_crd(crd), "source": source}
    text = json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def vendor(upstream: Path, target: Path = TARGET) -> list[tuple[str, str, dict[str, str]]]:
    known = sources((upstream / "MANIFEST.md").read_text())
    written = []
    if target.exists():
        shutil.rmtree(target)
    parsed: dict[tuple[str, str], tuple[dict[str, Any], dict[str, str]]] = {}
    for path in sorted(upstream.glob("*/*.yaml")):
        raw = path.read_bytes()
        crd = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        source = dict(known[(group, kind)], sha256=hashlib.sha256(raw).hexdigest())
        parsed[(group, kind)] = (crd, source)
    for (group, kind), (base_kind, derive) in DERIVED.items():
        if (group, kind) not in parsed and (group, base_kind) in parsed:
            base, base_source = parsed[(group, base_kind)]
            note = f"derived from the {base_kind} CRD"
            parsed[(group, kind)] = (derive(base), dict(base_source, derived=note))
    for (group, kind), (crd, source) in sorted(parsed.items()):
        out = target / group / f"{kind.lower()}.json.gz"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(packaged_bytes(crd, source))
        shutil.copyfile(upstream / group / "LICENSE", out.parent / "LICENSE")
        written.append((group, kind, source))
    (target / "MANIFEST.md").write_text(manifest_text(written))
    return written


def manifest_text(written: list[tuple[str, str, dict[str, str]]]) -> str:
    lines = [
        "# Packaged CRD schemas",
        "",
        "Generated by `python -m gitops.validate.vendor_crds <upstream dir>`; do not edit.",
        "Each `<group>/<kind>.json.gz` holds the upstream CustomResourceDefinition reduced to its",
        "names, versions and `openAPIV3Schema` (descriptions and examples stripped), and this",
        "source record. `sha256` is that of the upstream file. Licenses: `<group>/LICENSE`.",
        "Kinds marked *derived* have no upstream file of their own here: their schema is built",
        "from the named upstream CRD (see `DERIVED` in `gitops/validate/vendor_crds.py`).",
        "",
        "| group | kind | versions | repository | branch | path | commit | date | license "
        "| sha256 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for group, kind, s in sorted(written):
        versions = _versions(group, kind)
        if s.get("derived"):
            versions += f" (*{s['derived']}*)"
        lines.append(
            f"| {group} | {kind} | {versions} | {s['repository']} | {s['branch']} | `{s['path']}` "
            f"| `{s['commit']}` | {s['date']} | {s['license']} | `{s['sha256']}` |"
        )
    return "\n".join(lines) + "\n"


def _versions(group: str, kind: str) -> str:
    data = json.loads(gzip.decompress((TARGET / group / f"{kind.lower()}.json.gz").read_bytes()))
    return ", ".join(
        v["name"] + ("" if v["served"] else " (not served)")
        for v in data["crd"]["spec"]["versions"]
    )


if __name__ == "__main__":  # pragma: no cover - maintainer tool
    for group, kind, _ in vendor(Path(sys.argv[1])):
        print(f"{group}/{kind}")
