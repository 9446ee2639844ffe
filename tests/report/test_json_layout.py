"""Reports are written exactly as ``json.dumps(indent=2, ensure_ascii=False)`` would write them
(the reporters use a faster encoder for the same bytes)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gitops.commands.catalog import CATALOG
from gitops.findings import REPORT_ORDER, Finding, Severity
from gitops.report import CHUNK_CHARS, REPORTERS, Report, report_chunks
from gitops.report.escape import json_safe
from gitops.report.indented_json import dumps_indented

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
)
keys = st.one_of(st.text(max_size=6), st.integers(), st.booleans(), st.none(), st.floats())
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(keys, children, max_size=4),
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(values)
def test_any_json_value_is_written_as_json_dumps_writes_it(value: Any) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


optional_text = st.one_of(st.none(), st.text(max_size=12))


@settings(max_examples=300, deadline=None)
@given(
    st.builds(
        Finding,
        code=st.text(max_size=6),
        rule=st.text(max_size=12),
        severity=st.sampled_from(Severity),
        message=st.text(max_size=40),
        fix=st.text(max_size=40),
        path=st.text(max_size=20),
        line=st.integers(min_value=0),
        column=st.integers(min_value=0),
        kind=optional_text,
        namespace=optional_text,
        name=optional_text,
        container=optional_text,
        suppressed=st.booleans(),
        suppression=optional_text,
        source=optional_text,
        extra=st.just(()),  # with extra facts a record is encoded as a whole
    )
)
def test_a_finding_record_is_written_as_json_dumps_writes_it(finding: Finding) -> None:
    """Records are joined from their fields' texts (each string encoded once per report):
    the same characters as encoding the record, control characters and quotes included."""
    from gitops.report.json import _StringTexts, finding_record

    strings = _StringTexts()
    expected = json.dumps(finding_record(finding), indent=2, ensure_ascii=False)
    nested = expected.replace("\n", "\n    ")
    assert strings.record(finding) == nested
    assert strings.record(finding) == nested  # once its strings are known
    f = finding
    assert REPORT_ORDER(f) == (f.path, f.line, f.column, f.code, f.message)


def _finding(**overrides: object) -> Finding:
    values: dict[str, object] = {
        "code": "PR001",
        "rule": "missing-readiness-probe",
        "severity": Severity.ERROR,
        "message": "container web has no readinessProbe",
        "fix": "Add one.",
        "path": "rendered/prod/web/deployment.web.yaml",
        "line": 12,
    }
    values.update(overrides)
    return Finding(**values)  # type: ignore[arg-type]


def test_reports_match_the_indenting_encoder() -> None:
    findings = [
        _finding(),
        _finding(
            code="SC002",
            line=3,
            column=7,
            message='value "ü\\n\t\u2028" at <spec> is not a string; quote it: "x"',
            kind="Deployment",
            namespace="shop",
            name="web",
            container="web",
            suppressed=True,
            suppression="config: vendored chart",
            source="apps/web.py (construct web/deployment)",
            extra=(("schemaPath", "#/properties/spec"), ("value", "\U0001f600 emoji")),
        ),
        _finding(path="vendor/chart.yaml", severity=Severity.INFO, extra=(("k", ""),)),
    ]
    rules = [CATALOG.by_code[code] for code in ("PR001", "SC002")]
    for report in (
        Report(findings=findings, rules=rules, files=2, objects=3),
        Report(findings=(), rules=(), files=0, objects=0),
    ):
        for name in ("json", "sarif"):
            text = REPORTERS[name](report)
            # json.dumps's text, with what a terminal would act on (U+2028 here) escaped.
            expected = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
            assert text == json_safe(expected) + "\n"
            assert "\u2028" not in text


def test_a_large_json_report_comes_in_pieces_that_join_to_the_same_bytes() -> None:
    findings = [
        _finding(line=n, message=f"finding {n} " + "x" * 400, extra=(("n", str(n)),))
        for n in range(1, 4000)
    ]
    report = Report(findings=findings, rules=[CATALOG.by_code["PR001"]], files=1, objects=1)
    pieces = list(report_chunks(report, "json"))
    assert len(pieces) >= 2 and max(map(len, pieces)) < 2 * CHUNK_CHARS
    text = "".join(pieces)
    assert text == REPORTERS["json"](report)
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    for name in ("text", "sarif", "github"):
        assert "".join(report_chunks(report, name)) == REPORTERS[name](report)


def test_two_processes_write_the_same_json_report_as_one(monkeypatch: Any) -> None:
    """Every other piece is written by a forked child: the bytes are the same, with escapes
    (U+2028, an emoji, a lone surrogate) in pieces of either process."""
    from gitops.report import json as json_report

    monkeypatch.setattr(json_report, "FINDINGS_PER_PIECE", 7)
    findings = [
        _finding(line=n, message=f"finding {n} \u2028 \U0001f600 \ud800", extra=(("n", str(n)),))
        for n in range(1, 60)
    ]
    report = Report(findings=findings, rules=[CATALOG.by_code["PR001"]], files=1, objects=1)
    one = list(json_report.chunks(report, jobs=1))
    two = list(json_report.chunks(report, jobs=2))
    assert len(one) == 2 + 9 and two == one
    text = "".join(two)
    assert "\\u2028" in text and "\\ud800" in text and "\u2028" not in text
    assert json.loads(text)["findings"][58]["line"] == 59


def test_without_the_c_encoder_the_text_is_the_same(monkeypatch: Any) -> None:
    """The encoders call the standard library's C encoder directly; where Python has none,
    they are its pure-Python JSONEncoder, with the same text."""
    import json.encoder

    from gitops.report import indented_json

    value = {"a": [1, 2.5, float("inf")], "b": {"c": None, "d": "é\u2028"}, "e": [], "f": {}}
    expected = json.dumps(value, indent=2, ensure_ascii=False)
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    monkeypatch.setattr(indented_json, "_flat_encoders", {})
    monkeypatch.setattr(indented_json, "_compact", indented_json._encoder(", "))
    assert indented_json.dumps_indented(value) == expected
