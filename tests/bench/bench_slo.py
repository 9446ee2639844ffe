"""SLO benchmarks (issue #14 targets, in brackets).

- full render of the generated 100 apps x 3 envs repo, one 99.9% availability SLO per app,
  against the same repo without SLOs                                      [<= +10%]
  Whole ``python -m gitops synth`` processes from an empty ``rendered/``, alternating between
  the two repos so machine load hits both alike: wall, and CPU (user + sys of the process and
  its Node.js child), with user and sys also apart: on a shared VM the kernel time of file
  creation swings tenfold with other I/O, user time much less. Also the Python CPU of an
  in-memory render (``synth.check``: build, normalise, dump, hash, compare; no writes), with
  the cycle collector's garbage cleared before each run.
- PromQL lint (the PQ rules: parse, names, alert fields) of one PrometheusRule file with
  1,000 expressions                                                       [<= 0.5 s]

Medians are printed (and the in-process minimum). Usage, each part under two minutes:
python tests/bench/bench_slo.py [RUNS] [whole|inprocess|objects|lint ...]  (default: all)
"""

from __future__ import annotations

import gc
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


def _children_cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def render(repo: Path) -> tuple[float, float, float, float]:
    """Wall-clock, CPU, user and sys seconds (Python and Node.js) of one full ``gitops synth``
    from an empty ``rendered/``."""
    shutil.rmtree(repo / "rendered", ignore_errors=True)
    shutil.rmtree(repo / ".gitops", ignore_errors=True)
    (user, system), start = _children_cpu(), time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "gitops", "--root", str(repo), "synth"],
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - start
    after = _children_cpu()
    user, system = after[0] - user, after[1] - system
    return wall, user + system, user, system


def slo_objects_cpu(app_envs: int = 300) -> float:
    """CPU seconds that one SLO adds to building and dumping a workload's objects (its rule
    groups in the workload's PrometheusRule, the dashboard ConfigMap), ``app_envs`` times,
    as canonical YAML: the SLO share of a render's Python work, measured in-process."""
    from gitops.constructs.alerts import Alerts, prometheus_rule
    from gitops.constructs.app import WorkloadRef
    from gitops.constructs.slo import SLO, RatioSLI
    from gitops.constructs.slo_dashboard import dashboard_config_map
    from gitops.constructs.slo_rules import RuleContext, with_slos
    from gitops.render.canonical_yaml import dumps

    labels = {"release": "kube-prometheus-stack"}
    targets = [
        WorkloadRef("apps/v1", "Deployment", n, n, n, {"app": n})
        for n in (f"app-{i:03d}-{i // 100}" for i in range(app_envs))
    ]
    start = time.process_time()
    for target in targets:
        dumps(prometheus_rule(target, Alerts(), target.name, (), labels))
    alone = time.process_time() - start
    start = time.process_time()
    for target in targets:
        slo = SLO(
            name="availability",
            objective=99.9,
            sli=RatioSLI(errors='http_requests_total{code=~"5.."}', total="http_requests_total"),
        )
        context = RuleContext(target, labels, "https://runbooks.example.com/slo")
        rule = prometheus_rule(target, Alerts(), target.name, (slo,), labels)
        dumps(with_slos(rule, (slo,), context) or {})
        dumps(dashboard_config_map(target, (slo,)))
    return time.process_time() - start - alone


def render_cpu_in_process(repo: Path) -> float:
    """Python CPU seconds of a whole in-memory render of ``repo`` (``synth.check``: build,
    normalise, dump, hash, compare; no writes), which load on a shared machine distorts far
    less than wall time. Node.js CPU is not counted: SLOs add no jsii calls."""
    from gitops.render import synth
    from gitops.settings import load_settings

    gc.collect()
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


def _change(base: float, other: float) -> str:
    return f"{(other / base - 1) * 100:+.1f}%"


def whole(plain: Path, with_slos: Path, runs: int) -> float:
    render(plain), render(with_slos)  # warm-up (bytecode, page cache)
    times: dict[str, list[tuple[float, ...]]] = {"without SLOs": [], "with SLOs": []}
    for _ in range(runs):
        times["without SLOs"].append(render(plain))
        times["with SLOs"].append(render(with_slos))
    files = {
        name: sum(1 for _ in (repo / "rendered").rglob("*.yaml"))
        for name, repo in (("without SLOs", plain), ("with SLOs", with_slos))
    }
    medians = {
        name: [statistics.median(v[i] for v in values) for i in range(4)]
        for name, values in times.items()
    }
    for name, (wall, cpu, user, system) in medians.items():
        print(f"full render 100 apps x 3 envs {name} ({files[name]} files): median wall "
              f"{wall:.2f} s, CPU {cpu:.2f} s (user {user:.2f} s, sys {system:.2f} s; "
              f"{runs} runs)")  # fmt: skip
    base, slo = medians["without SLOs"], medians["with SLOs"]
    print(f"SLO render cost: wall {_change(base[0], slo[0])}, CPU {_change(base[1], slo[1])} "
          f"(user {_change(base[2], slo[2])}, sys {_change(base[3], slo[3])})")  # fmt: skip
    # Each pair ran back to back, so its ratio is less exposed to the machine's drift.
    pairs = list(zip(times["without SLOs"], times["with SLOs"], strict=True))
    paired = [statistics.median(b[i] / a[i] for a, b in pairs) for i in range(4)]
    print("paired median ratio (with / without SLOs): "
          + ", ".join(f"{n} {r:.3f}" for n, r in zip(("wall", "CPU", "user", "sys"), paired, strict=True)))  # fmt: skip
    return base[1]


def in_process(plain: Path, with_slos: Path, runs: int) -> None:
    cpu: dict[str, list[float]] = {"without SLOs": [], "with SLOs": []}
    render_cpu_in_process(plain), render_cpu_in_process(with_slos)  # warm-up
    for _ in range(runs):
        cpu["without SLOs"].append(render_cpu_in_process(plain))
        cpu["with SLOs"].append(render_cpu_in_process(with_slos))
    for how, pick in (("median", statistics.median), ("minimum", min)):
        base, slo = pick(cpu["without SLOs"]), pick(cpu["with SLOs"])
        print(f"in-process render (Python CPU, {how} of {runs}): without SLOs {base:.3f} s, "
              f"with SLOs {slo:.3f} s: {_change(base, slo)}")  # fmt: skip


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 5
    parts = {a for a in sys.argv[1:] if not a.isdigit()} or {
        "whole", "inprocess", "objects", "lint"
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        plain = generate(Path(tmp) / "plain", 100)
        with_slos = generate(Path(tmp) / "slos", 100, slos=True)
        if "whole" in parts:
            whole(plain, with_slos, runs)
        if "inprocess" in parts:
            in_process(plain, with_slos, runs)
        if "objects" in parts:
            cost = statistics.median(slo_objects_cpu() for _ in range(runs))
            print(f"what one SLO adds to a workload's objects, built and dumped for 300 "
                  f"app-envs in-process: median CPU {cost:.3f} s")  # fmt: skip
        if "lint" in parts:
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
