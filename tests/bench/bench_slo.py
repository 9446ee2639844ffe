"""SLO benchmarks (issue #14 targets, in brackets).

- full render of the generated 100 apps x 3 envs repo, one 99.9% availability SLO per app,
  against the same repo without SLOs                                      [<= +10%]
  (also in-process, Python CPU of an in-memory render: the figure load distorts least)
- PromQL lint (the PQ rules: parse, names, alert fields) of one PrometheusRule file with
  1,000 expressions                                                       [<= 0.5 s]

Renders alternate between the two repos (fresh ``python -m gitops synth`` processes) so
machine load hits both alike; medians are printed. Usage:
python tests/bench/bench_slo.py [RUNS]
"""

from __future__ import annotations

import resource
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def render(repo: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (Python and Node.js) of one full ``gitops synth``; CPU time
    is what a shared machine's load distorts least."""
    shutil.rmtree(repo / "rendered", ignore_errors=True)
    shutil.rmtree(repo / ".gitops", ignore_errors=True)
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "gitops", "--root", str(repo), "synth"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start, _children_cpu() - cpu


def slo_objects_cpu(app_envs: int = 300) -> float:
    """CPU seconds to build what one SLO adds per app and env (SLO props, the PrometheusRule,
    the dashboard ConfigMap, the monitor) and dump it as canonical YAML, ``app_envs`` times:
    the SLO share of a render, measured in-process so machine load hardly touches it."""
    from gitops.constructs.app import WorkloadRef
    from gitops.constructs.monitors import service_monitor
    from gitops.constructs.pod import Metrics
    from gitops.constructs.slo import SLO, RatioSLI
    from gitops.constructs.slo_dashboard import dashboard_config_map
    from gitops.constructs.slo_rules import RuleContext, slo_prometheus_rule
    from gitops.render.canonical_yaml import dumps

    start = time.process_time()
    for i in range(app_envs):
        name = f"app-{i % 100:03d}"
        target = WorkloadRef("apps/v1", "Deployment", name, name, name, {"app": name})
        slo = SLO(
            name="availability",
            objective=99.9,
            sli=RatioSLI(errors='http_requests_total{code=~"5.."}', total="http_requests_total"),
        )
        context = RuleContext(target, {"release": "kube-prometheus-stack"}, None)
        for body in (
            slo_prometheus_rule(slo, context),
            dashboard_config_map(target, (slo,)),
            service_monitor(target, Metrics(), "http", {}),
        ):
            dumps(body)
    return time.process_time() - start


def render_cpu_in_process(repo: Path) -> float:
    """Python CPU seconds of a whole in-memory render of ``repo`` (``synth.check``: build,
    normalise, dump, hash, compare; no writes), which load on a shared machine distorts far
    less than wall time. Node.js CPU is not counted: SLOs add no jsii calls."""
    from gitops.render import synth
    from gitops.settings import load_settings

    start = time.process_time()
    synth.check(load_settings(repo), synth.Selection())
    return time.process_time() - start


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


def lint_promql(path: Path) -> tuple[float, float]:
    from gitops.commands.catalog import CATALOG
    from gitops.k8s.promql import parse_error
    from gitops.lint.rules import promql
    from gitops.lint.run import lint
    from gitops.rules.registry import Registry
    from gitops.settings import load_settings

    parse_error.cache_clear()
    registry = Registry.collect(promql.RULES)
    start, cpu = time.perf_counter(), time.process_time()
    run = lint([str(path)], load_settings(path.parent), registry=registry, known=CATALOG)
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    assert run.objects == 1 and not run.findings, run.findings
    return elapsed


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        plain = generate(Path(tmp) / "plain", 100)
        with_slos = generate(Path(tmp) / "slos", 100, slos=True)
        render(plain), render(with_slos)  # warm-up (bytecode, page cache)
        times: dict[str, list[tuple[float, float]]] = {"without SLOs": [], "with SLOs": []}
        for _ in range(runs):
            times["without SLOs"].append(render(plain))
            times["with SLOs"].append(render(with_slos))
        files = sum(1 for _ in (with_slos / "rendered").rglob("*.yaml"))
        medians = {
            name: [statistics.median(v[i] for v in values) for i in (0, 1)]
            for name, values in times.items()
        }
        for name, (wall, cpu) in medians.items():
            print(f"full render 100 apps x 3 envs {name}: median wall {wall:.2f} s, "
                  f"CPU {cpu:.2f} s ({runs} runs)")  # fmt: skip
        (base_wall, base_cpu), (slo_wall, slo_cpu) = medians["without SLOs"], medians["with SLOs"]
        print(f"SLO render cost: wall {(slo_wall / base_wall - 1) * 100:+.1f}%, "
              f"CPU {(slo_cpu / base_cpu - 1) * 100:+.1f}% ({files} files with SLOs)")  # fmt: skip
        parts = [slo_objects_cpu() for _ in range(runs)]
        print(f"SLO objects for 300 app-envs, built and dumped in-process: median CPU "
              f"{statistics.median(parts):.3f} s = {statistics.median(parts) / base_cpu * 100:.1f}%"
              f" of the render's median CPU without SLOs")  # fmt: skip
        in_process: dict[str, list[float]] = {"without SLOs": [], "with SLOs": []}
        render_cpu_in_process(plain), render_cpu_in_process(with_slos)  # warm-up
        for _ in range(runs):
            in_process["without SLOs"].append(render_cpu_in_process(plain))
            in_process["with SLOs"].append(render_cpu_in_process(with_slos))
        plain_cpu, slo_cpu_in = (statistics.median(in_process[k]) for k in in_process)
        print(f"in-process render (Python CPU): without SLOs {plain_cpu:.3f} s, with SLOs "
              f"{slo_cpu_in:.3f} s: {(slo_cpu_in / plain_cpu - 1) * 100:+.1f}%")  # fmt: skip
        rules = Path(tmp) / "rules"
        rules.mkdir()
        (rules / "pyproject.toml").write_text("[tool.gitops]\n")
        (rules / "bench.yaml").write_text(rule_file(1000))
        lint_times = [lint_promql(rules / "bench.yaml") for _ in range(runs)]
        wall = statistics.median(t[0] for t in lint_times)
        cpu = statistics.median(t[1] for t in lint_times)
        print(f"PromQL lint of 1,000 expressions: median wall {wall:.3f} s, CPU {cpu:.3f} s")


if __name__ == "__main__":
    main()
