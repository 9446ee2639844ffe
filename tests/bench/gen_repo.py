"""Generate a config repo of N realistic apps x 3 environments, for benchmarks.

Every app is a WebService like this repo's own: autoscaling, config, a secret reference,
metrics, NetworkPolicy dependencies, alerts; every third has RBAC and an Ingress, and every
fifth a canary in prod. With ``slos=True`` every app also has a 99.9% availability SLO
(``tests/bench/bench_slo.py``). Usage: python tests/bench/gen_repo.py DIR [N] [--slos]
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

APP = """
from constructs import Construct

from gitops.constructs import (
    Access, AppChart, Autoscaling, Canary, Ingress, Metrics, NetworkAccess, Peer, Rbac,
    Resources, SecretEnv, WebService, WebServiceProps, SLO, RatioSLI,
)
from gitops.envs import Environment, Sizing


class App{index}(AppChart):
    app_name = "{name}"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        sizing = env.sizing(self.app_name, Sizing(min_replicas=3, max_replicas=12))
        WebService(self, "web", WebServiceProps(
            image=env.image(self.app_name),
            autoscaling=Autoscaling(min_replicas=sizing.min_replicas, max_replicas=sizing.max_replicas),
            resources=Resources(cpu_request="250m", memory_request="256Mi", cpu_limit="1",
                                memory_limit="512Mi").scaled(env.resource_scale_for(self.app_name)),
            config={{"FEATURE_FLAGS": "a,b,c", "UPSTREAM": "svc-{index}.example.internal"}},
            secret_env=(SecretEnv(name="TOKEN", secret="{name}-token", key="token"),),
            metrics=Metrics(),
            network=NetworkAccess(egress_to=(Peer(namespace="database", ports=(5432,)),)),
            rbac=Rbac(access=(Access(resources=("configmaps",)),)) if {index} % 3 == 0 else Rbac(),
            ingress=Ingress(host="{name}.example.com") if {index} % 3 == 1 else None,
            canary=Canary() if env.features.canary and {index} % 5 == 0 else None,
            slos={slos},
        ))
"""


SLOS = """(SLO(name="availability", objective=99.9, sli=RatioSLI(
                errors='http_requests_total{{code=~"5.."}}', total="http_requests_total")),)"""


def generate(target: Path, apps: int, slos: bool = False) -> Path:
    if target.exists():
        shutil.rmtree(target)
    (target / "apps").mkdir(parents=True)
    shutil.copytree(
        ROOT / "envs",
        target / "envs",
        ignore=shutil.ignore_patterns("__pycache__", "*.images.yaml"),
    )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    names = [f"app-{i:03d}" for i in range(apps)]
    for index, name in enumerate(names):
        (target / "apps" / f"{name.replace('-', '_')}.py").write_text(
            APP.format(index=index, name=name, slos=SLOS.format() if slos else "()")
        )
    for env in ("dev", "staging", "prod"):
        # staging and prod run digest-pinned images (prod requires them), like this repo's.
        pin = {n: "@sha256:" + hashlib.sha256(n.encode()).hexdigest() for n in names}
        (target / "envs" / f"{env}.images.yaml").write_text(
            "".join(
                f"{n}: ghcr.io/acme/{n}:1.{i}.0{pin[n] if env != 'dev' else ''}\n"
                for i, n in enumerate(names)
            )
        )
        # The seed overlays name this repo's apps; the generated repo has others.
        module = target / "envs" / f"{env}.py"
        text = module.read_text()
        if "apps={" in text:
            start = text.index("    apps={")
            end = text.index("    },\n", start) + len("    },\n")
            text = text[:start] + text[end:]
        lines = text.splitlines(keepends=True)
        module.write_text("".join(line for line in lines if "_apps=" not in line))
    return target


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--slos"]
    generate(Path(args[0]), int(args[1]) if len(args) > 1 else 100, "--slos" in sys.argv)
