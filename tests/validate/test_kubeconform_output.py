"""Reading kubeconform's output back into the built-in engine's findings.

The parser runs on real kubeconform 0.7.0 output (``../shared/corpus/kubeconform-output``, made
against kubernetes-validate's schemas) and must give, object by object, the findings (code,
line, message) the built-in engine gives for the same input. The temporary-JSON bound is tested
with a binary that fails if it is ever run.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from gitops.findings import Finding
from gitops.k8s.manifests import load
from gitops.validate import schemas
from gitops.validate.builtin import BuiltinEngine
from gitops.validate.formats import FORMAT_CHECKS
from gitops.validate.kubeconform import (
    FORMAT_PATTERNS,
    MAX_OBJECT_BYTES,
    KubeconformEngine,
    object_json,
    write_schemas,
)
from gitops.validate.kubeconform_output import entries, leaves, problems, resource_problems
from gitops.validate.plan import Target, plan
from gitops.validate.store import SchemaStore
from gitops.validate.versions import VersionResolver
from tests.validate.helpers import REPO, shared_dir

SHARED = shared_dir()
OUTPUT = (SHARED or REPO) / "corpus" / "kubeconform-output"
OUTPUTS = sorted(OUTPUT.glob("*.kubeconform.json"))
QUANTITY_ONLY_IN_BUILTIN = (
    "SC002",
    11,
    'spec.containers[0].resources.limits.cpu: string "1.5.0" is not a quantity such as 500m, 2, '
    "1.5, 512Mi or 1Gi",
)
"""kubernetes-validate's schemas (which made the corpus output) carry no quantity check; the
engine adds one to the schemas it writes (test_format_patterns_agree_with_the_format_checks)."""


def _targets(path: Path) -> list[Target]:
    loaded = load([str(path)])
    resolver = VersionResolver(REPO, explicit="1.31", configured=None, index=None)
    return plan(
        loaded.manifests, resolver, SchemaStore(strict=True), ignore_missing_schemas=False
    ).targets


def _triples(found: list[Finding]) -> list[tuple[str, int, str]]:
    return sorted((f.code, f.line, f.message) for f in found)


@pytest.mark.skipif(not OUTPUTS, reason="kubeconform output corpus (../shared) not present")
@pytest.mark.parametrize("output", OUTPUTS, ids=lambda p: p.name.removesuffix(".json"))
def test_real_kubeconform_output_gives_the_builtin_engines_findings(output: Path) -> None:
    targets = _targets(OUTPUT / f"{output.name.split('.')[0]}.yaml")
    builtin = _triples(BuiltinEngine(strict=True).check(targets))
    report = json.loads(output.read_text())
    found: list[Finding] = []
    skipped = []
    for resource in report["resources"]:
        matching = [
            t
            for t in targets
            if (t.manifest.kind, t.manifest.name) == (resource["kind"], resource["name"])
        ]
        if not matching:
            # The loader (duplicate key) or the planner (no schema) reported it already.
            skipped.append(resource["status"])
            continue
        target = matching[0]
        schema = schemas.standalone(target.schema.schema, "1.31", True)
        for problem in resource_problems(resource, target.manifest.body, schema):
            found.append(target.finding(problem.rule, problem.path, problem.message, None))
    assert set(skipped) <= {"statusError"}
    if output.name.startswith("multi"):
        builtin.remove(QUANTITY_ONLY_IN_BUILTIN)
    assert _triples(found) == builtin
    if "typos" in output.name or "hpa" in output.name:
        assert len(found) >= 4  # every entry of the message, not only the first


def test_entries_keep_nesting_and_every_name() -> None:
    message = (
        "jsonschema validation failed with 'file:///s.json#' - at '/spec': validation failed"
        "   - at '/spec': missing properties 'a', 'b'"
        "   - at '/spec/x': anyOf failed"
        "     - at '/spec/x': got string, want integer"
        "     - at '/spec/x': got string, want boolean"
        "   - at '/spec/it\\'s': additional properties 'c', 'd' not allowed"
    )
    found = entries(message)
    assert [(e.depth, e.pointer) for e in found] == [
        (0, "/spec"),
        (1, "/spec"),
        (1, "/spec/x"),
        (2, "/spec/x"),
        (2, "/spec/x"),
        (1, "/spec/it's"),
    ]
    assert [e.reason for e in leaves(found)] == [
        "missing properties 'a', 'b'",
        "anyOf failed",
        "additional properties 'c', 'd' not allowed",
    ]


@pytest.mark.parametrize(
    ("pointer", "reason", "expected"),
    [
        (
            "/spec",
            "additional properties 'replica', 'x' not allowed",
            [
                ("unknown-field", ("spec", "replica"), '"replica" in spec; did you mean'),
                ("unknown-field", ("spec", "x"), 'unknown field "x" in spec'),
            ],
        ),
        (
            "/spec",
            "missing properties 'selector', 'template'",
            [
                ("missing-required-field", ("spec",), 'field "selector" in spec'),
                ("missing-required-field", ("spec",), 'field "template" in spec'),
            ],
        ),
        (
            "/spec/replicas",
            "got string, want null or integer",
            [("invalid-field-value", ("spec", "replicas"), 'an integer, got string "x"')],
        ),
        (
            "/spec/strategy/type",
            "value must be one of 'Recreate', 'RollingUpdate'",
            [("invalid-field-value", ("spec", "strategy", "type"), 'one of "Recreate"')],
        ),
        (
            "/spec/minReadySeconds",
            "minimum: got -1, want 0",
            [("invalid-field-value", ("spec", "minReadySeconds"), "less than the minimum 0")],
        ),
        (
            "/spec/paused",
            "something kubeconform says that we do not know",
            [("invalid-field-value", ("spec", "paused"), "spec.paused: something kubeconform")],
        ),
    ],
)
def test_each_kind_of_error_reads_as_the_builtin_engine_words_it(
    pointer: str, reason: str, expected: list[tuple[str, tuple[str | int, ...], str]]
) -> None:
    body = {
        "spec": {"replicas": "x", "strategy": {"type": "Bogus"}, "minReadySeconds": -1},
    }
    schema = schemas.standalone(
        schemas.kind_schema("1.31", True, "apps", "v1", "Deployment") or {}, "1.31", True
    )
    found = problems(body, pointer, reason, schema)
    assert [(p.rule, p.path) for p in found] == [(rule, path) for rule, path, _ in expected]
    for problem, (_, _, words) in zip(found, expected, strict=True):
        assert words in problem.message


@pytest.mark.parametrize("fmt", sorted(FORMAT_PATTERNS))
def test_format_patterns_agree_with_the_format_checks(fmt: str) -> None:
    samples = [
        *("1", "1.5", "500m", "1Gi", "1e3", ".5", "+1", "-1E-3", "1.", "1.5.0", "1Gib", " 1"),
        *("", "abc", "YQ==", "YWI=", "YWJj", "YWJ", "YQ", "YW\nJj", "YWJj\n", "!!!!", "YQ==YQ=="),
    ]
    for sample in samples:
        # Go's RE2 "$" is the end of the text: \Z in Python.
        by_pattern = re.search(FORMAT_PATTERNS[fmt].removesuffix("$") + r"\Z", sample) is not None
        assert by_pattern == FORMAT_CHECKS[fmt](sample), (fmt, sample)


def test_a_pattern_error_on_a_quantity_reads_as_the_format_error(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "    - {name: c, image: busybox, resources: {limits: {cpu: 1.5.0}}}\n"
    )
    [target] = _targets(tmp_path / "p.yaml")
    write_schemas(tmp_path / "schemas", [target], strict=True)
    schema = json.loads((tmp_path / "schemas" / "pod-v1.json").read_text())
    pointer = "/spec/containers/0/resources/limits/cpu"
    reason = f"'1.5.0' does not match pattern '{FORMAT_PATTERNS['quantity']}'"
    [problem] = problems(target.manifest.body, pointer, reason, schema)
    expected = BuiltinEngine(strict=True).check([target])
    assert [problem.message] == [f.message for f in expected]


ALIAS_HEAVY = f"""\
apiVersion: v1
kind: ConfigMap
metadata: {{name: big}}
x0: &a0 "{"0123456789" * 40}"
x1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
x2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
x3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
x4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
data: {{k: [*a4]}}
"""


def test_an_alias_expanded_object_is_never_written_out(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_text(ALIAS_HEAVY)
    targets = _targets(tmp_path / "big.yaml")
    assert object_json(targets[0], MAX_OBJECT_BYTES) is None
    assert object_json(targets[0], 10**9) is not None
    # "false" fails if it is ever run: the oversized object goes to the built-in engine.
    engine = KubeconformEngine(strict=True, binary=shutil.which("false"))
    found = engine.check(targets)
    assert _triples(found) == _triples(BuiltinEngine(strict=True).check(targets))
    assert {f.rule for f in found} == {"invalid-field-value", "unknown-field"}
