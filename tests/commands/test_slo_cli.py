"""``gitops slo`` on this repository's rendered/, and PromQL lint through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from gitops.k8s.promql import parse_error
from tests.repo import focus, write_repo

REPO = Path(__file__).parents[2]


def gitops(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gitops", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_text_lists_budgets_factors_and_remaining_query() -> None:
    done = gitops("slo", "--env", "prod", "--app", "my-app")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "prod/my-app my-app SLO availability (ratio): 99.9% over 30d, error budget 43m12s"
    )
    assert lines[1].split() == [
        "page", "1h/5m", "burn", "14.4x", "(error", "ratio", ">", "0.0144):", "budget", "gone",
        "in", "2d2h",
    ]  # fmt: skip
    assert lines[5] == (
        "  remaining budget: namespace_slo:error_budget_remaining:ratio30d"
        '{namespace="my-app", slo="availability"}'
    )
    assert "SLO latency (latency): 99% over 30d, error budget 7h12m" in done.stdout
    assert parse_error(lines[5].split(": ", 1)[1]) is None


def test_json_covers_every_env_and_app() -> None:
    done = gitops("slo", "--format", "json")
    assert done.returncode == 0, done.stderr
    slos = json.loads(done.stdout)["slos"]
    assert {(s["env"], s["app"], s["slo"]) for s in slos} == {
        (env, app, slo)
        for env in ("dev", "staging", "prod")
        for app in ("my-app", "ml-inference-api")
        for slo in ("availability", "latency")
        if (env, app) != ("dev", "ml-inference-api")  # envs/dev.py exclude_apps
    }
    availability = next(s for s in slos if s["slo"] == "availability")
    assert availability["budget"] == "43m12s"
    assert [a["burn_factor"] for a in availability["alerts"]] == ["14.4", "6", "3", "1"]
    assert [a["budget_exhausted_in"] for a in availability["alerts"]] == [
        "2d2h",
        "5d",
        "10d",
        "30d",
    ]


def test_openslo_export() -> None:
    done = gitops("slo", "--format", "openslo", "--env", "staging")
    assert done.returncode == 0, done.stderr
    documents = list(yaml.safe_load_all(done.stdout))
    assert len(documents) == 4
    first = documents[0]
    assert first["apiVersion"] == "openslo/v1" and first["kind"] == "SLO"
    spec = first["spec"]
    assert spec["budgetingMethod"] == "Occurrences"
    assert spec["timeWindow"] == [{"duration": "30d", "isRolling": True}]
    assert spec["objectives"][0]["target"] == 0.999
    ratio = spec["indicator"]["spec"]["ratioMetric"]
    for side in ("bad", "total"):
        query = ratio[side]["metricSource"]["spec"]["query"]
        assert ratio[side]["metricSource"]["type"] == "Prometheus"
        assert parse_error(query) is None and 'namespace="' in query


def test_markdown_table_is_what_the_readme_shows() -> None:
    done = gitops("slo", "--format", "markdown", "--env", "prod")
    assert done.returncode == 0, done.stderr
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert done.stdout in readme


def test_unknown_env_is_a_usage_error() -> None:
    done = gitops("slo", "--env", "qa")
    assert done.returncode == 2
    assert "no SLO in rendered/ for environment qa" in done.stderr
    assert "Traceback" not in done.stderr


def test_invalid_promql_in_third_party_rule_file_is_an_error_at_its_line(tmp_path: Path) -> None:
    rules = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: vendor
  namespace: monitoring
spec:
  groups:
  - name: vendor
    rules:
    - alert: VendorErrors
      expr: sum(rate(http_requests_total{code=~"5.."}[5m]) /
      for: 5m
      labels: {severity: critical}
      annotations: {summary: errors}
"""
    write_repo(tmp_path, {"vendor/rules.yaml": rules}, f"[tool.gitops.lint]\n{focus('promql')}")
    done = gitops("lint", "vendor/rules.yaml", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["code"], f["line"], f["severity"]) for f in findings] == [("PQ001", 11, "error")]
    assert findings[0]["message"] == (
        'alert "VendorErrors": expr is not valid PromQL: unclosed left parenthesis'
    )


def test_reads_one_record_from_renders_before_slos_shared_the_workload_rule(
    tmp_path: Path,
) -> None:
    # Earlier renders had a PrometheusRule per SLO with one record, not a list.
    rule = yaml.safe_load((REPO / "rendered/prod/my-app/prometheusrule.my-app.yaml").read_text())
    (first, second) = json.loads(rule["metadata"]["annotations"]["gitops.dev/slo"])
    folder = tmp_path / "rendered/prod/my-app"
    folder.mkdir(parents=True)
    for record in (first, second):
        rule["metadata"]["name"] = f"my-app-slo-{record['name']}"
        rule["metadata"]["annotations"]["gitops.dev/slo"] = json.dumps(record)
        (folder / f"prometheusrule.my-app-slo-{record['name']}.yaml").write_text(yaml.dump(rule))
    write_repo(tmp_path, {}, "")
    done = gitops("slo", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    slos = json.loads(done.stdout)["slos"]
    assert [(s["app"], s["slo"], s["budget"]) for s in slos] == [
        ("my-app", "availability", "43m12s"),
        ("my-app", "latency", "7h12m"),
    ]
