"""Wall-clock benchmarks of issue #15's targets (in brackets), each a fresh `python -m gitops`
process, median and min of RUNS:

- `gitops init DIR` (writes the scaffold and renders it; no pip)               [<= 3 s]
- what a vendored chart of 50 objects adds to `gitops synth` of a one-app repo  [<= 1 s]:
  the same repo rendered with and without a HelmChart of 50 templates (SDK engine, or the
  helm binary when on PATH).

Usage: python tests/bench/bench_init_helm.py [RUNS]
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

GITOPS = [sys.executable, "-m", "gitops"]

APP = """\
from constructs import Construct

from gitops.constructs import AppChart, HelmChart, HelmChartProps
from gitops.envs import Environment


class Web(AppChart):
    app_name = "web"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        if {with_chart}:
            HelmChart(self, "chart", HelmChartProps(chart="charts/big"))
"""

TEMPLATE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{{{ .Release.Name }}}}-settings-{index}
data:
  index: "{index}"
  release: {{{{ .Release.Name | quote }}}}
"""


def timed(
    argv: list[str], cwd: Path, runs: int, before: object = None
) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system, the process and its children: Node.js) seconds per run."""
    walls, cpus = [], []
    for _ in range(runs):
        if callable(before):
            before()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    return walls, cpus


def chart_repo(root: Path, with_chart: bool) -> Path:
    subprocess.run([*GITOPS, "init", str(root), "--envs", "prod"], check=True, capture_output=True)
    (root / "apps/hello.py").unlink()
    (root / "apps/web.py").write_text(APP.format(with_chart=with_chart))
    env = root / "envs/prod.py"
    # The sample app's overlay names 'hello'; this app has no sizing to overlay.
    env.write_text(env.read_text().replace('"hello": AppOverlay(replicas=2),', ""))
    (root / "envs/prod.images.yaml").write_text("{}\n")
    chart = root / "charts/big"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: big\nversion: 1.0.0\n")
    for index in range(50):
        (chart / f"templates/cm{index:02d}.yaml").write_text(TEMPLATE.format(index=index))
    return root


def report(label: str, measured: tuple[list[float], list[float]]) -> tuple[float, float]:
    walls, cpus = measured
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(
        f"{label:<48} wall median {wall:.2f} s (min {min(walls):.2f}), "
        f"cpu median {cpu:.2f} s (n={len(walls)})"
    )
    return wall, cpu


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        target = base / "new"

        def clean() -> None:
            shutil.rmtree(target, ignore_errors=True)

        report(
            "gitops init DIR (3 envs, renders)",
            timed([*GITOPS, "init", str(target)], base, runs, clean),
        )
        medians = {}
        for with_chart in (False, True):
            repo = chart_repo(base / f"repo-{with_chart}", with_chart)
            label = "synth, 1 app x 1 env" + (" + 50-object HelmChart" if with_chart else "")
            medians[with_chart] = report(label, timed([*GITOPS, "synth"], repo, runs))
        wall = medians[True][0] - medians[False][0]
        cpu = medians[True][1] - medians[False][1]
        print(f"{'a 50-object chart adds (medians)':<48} wall {wall:.2f} s, cpu {cpu:.2f} s")


if __name__ == "__main__":
    main()
