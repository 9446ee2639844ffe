"""SLO benchmarks (issue #14 targets, in brackets).

- full render of the generated 100 apps x 3 envs repo, one 99.9% availability SLO per app,
  against the same repo without SLOs                                      [<= +10%]
- PromQL lint (the PQ rules: parse, names, alert fields) of one PrometheusRule file with
  1,000 expressions                                                       [<= 0.5 s]

Renders alternate between the two repos (fresh ``python -m gitops synth`` processes) so
machine load hits both alike; medians are printed. Usage:
python tests/bench/bench_slo.py [RUNS]
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_repo import generate

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def render(repo: Path) -> float:
    shutil.rmtree(repo / "rendered", ignore_errors=True)
    shutil.rmtree(repo / ".gitops", ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "gitops", "--root", str(repo), "synth"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def rule_file(expressions: int) -> str:
    lines = [
        "apiVersion: monitoring.coreos.com/v1",
        "kind: PrometheusRule",
        "metadata: {name: bench, namespace: monitoring}",
        "spec:",
        "  groups:",
        "  - name: bench",
        "    rules:",
    ]
    for i in range(expressions):
        ns = f"app-{i % 100:03d}"
        if i % 2:
            lines += [
                f"    - record: namespace_slo:sli_errors:rate{i}m",
                f'      expr: sum by (namespace) (rate(http_requests_total{{namespace="{ns}", '
                f'code=~"5.."}}[{i % 60 + 1}m]))',
            ]
        else:
            lines += [
                f"    - alert: Burn{i}",
                f'      expr: namespace_slo:sli_error:ratio_rate1h{{namespace="{ns}"}} > 0.0144 '
                f'and namespace_slo:sli_error:ratio_rate5m{{namespace="{ns}"}} > 0.0144',
                "      for: 2m",
                "      labels: {severity: page}",
                "      annotations: {summary: burning}",
            ]
    return "\n".join(lines) + "\n"


def lint_promql(path: Path) -> float:
    from gitops.commands.catalog import CATALOG
    from gitops.k8s.promql import parse_error
    from gitops.lint.rules import promql
    from gitops.lint.run import lint
    from gitops.rules.registry import Registry
    from gitops.settings import load_settings

    parse_error.cache_clear()
    registry = Registry.collect(promql.RULES)
    start = time.perf_counter()
    run = lint([str(path)], load_settings(path.parent), registry=registry, known=CATALOG)
    elapsed = time.perf_counter() - start
    assert run.objects == 1 and not run.findings, run.findings
    return elapsed


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        plain = generate(Path(tmp) / "plain", 100)
        with_slos = generate(Path(tmp) / "slos", 100, slos=True)
        render(plain), render(with_slos)  # warm-up (bytecode, page cache)
        times: dict[str, list[float]] = {"without SLOs": [], "with SLOs": []}
        for _ in range(runs):
            times["without SLOs"].append(render(plain))
            times["with SLOs"].append(render(with_slos))
        files = sum(1 for _ in (with_slos / "rendered").rglob("*.yaml"))
        base, slo = (statistics.median(times[k]) for k in ("without SLOs", "with SLOs"))
        for name, values in times.items():
            print(f"full render 100 apps x 3 envs {name}: median {statistics.median(values):.2f} s "
                  f"(min {min(values):.2f} s, {runs} runs)")  # fmt: skip
        print(f"SLO render cost: {(slo / base - 1) * 100:+.1f}% ({files} files with SLOs)")
        rules = Path(tmp) / "rules"
        rules.mkdir()
        (rules / "pyproject.toml").write_text("[tool.gitops]\n")
        (rules / "bench.yaml").write_text(rule_file(1000))
        lint_times = [lint_promql(rules / "bench.yaml") for _ in range(runs)]
        print(f"PromQL lint of 1,000 expressions: median {statistics.median(lint_times):.3f} s "
              f"(min {min(lint_times):.3f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
