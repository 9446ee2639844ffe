"""Benchmark the validator (run by hand; not collected by pytest).

    .venv/bin/python tests/bench/bench_validate.py [--objects 10000] [--corpus ../shared/corpus]

Measures, on a generated set of realistic objects (and on the peers' fixture corpus):
- end to end ``gitops.validate.run.validate`` (load + plan + built-in engine), objects/s;
- the schema check alone for each candidate library on the same schemas and objects,
  validators compiled once per kind: jsonschema-rs (the engine's choice), jsonschema (pure
  Python, cached validators with a referencing registry), fastjsonschema (compiled Python);
- kubernetes-validate's own ``validate`` (re-reads schemas per object) on a sample.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from gitops.k8s.manifests import Manifest, load
from gitops.validate import schemas
from gitops.validate.builtin import json_compatible
from gitops.validate.config import ValidateSettings
from gitops.validate.formats import FORMAT_CHECKS
from gitops.validate.run import validate

VERSION = "1.31"


def _container(i: int, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "image": f"registry.example.com/team/{name}:1.{i % 7}.0",
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "env": [{"name": f"VAR_{k}", "value": str(k)} for k in range(i % 5 + 1)],
        "resources": {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"cpu": "1", "memory": "512Mi"},
        },
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 10},
        "livenessProbe": {"httpGet": {"path": "/live", "port": 8080}, "failureThreshold": 3},
        "securityContext": {
            "runAsNonRoot": True,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def generated_objects(count: int) -> list[dict[str, Any]]:
    """A deterministic mix of the kinds a config repo holds, ~13 objects per app."""
    objects: list[dict[str, Any]] = []
    app = 0
    while len(objects) < count:
        name, ns = f"app-{app}", f"team-{app % 20}"
        meta = {"name": name, "namespace": ns, "labels": {"app.kubernetes.io/name": name}}
        selector = {"matchLabels": {"app.kubernetes.io/name": name}}
        pod = {
            "metadata": {"labels": {"app.kubernetes.io/name": name}},
            "spec": {
                "serviceAccountName": name,
                "containers": [_container(app, "main"), _container(app + 1, "sidecar")],
                "volumes": [{"name": "tmp", "emptyDir": {}}],
                "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            },
        }
        objects += [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": meta,
                "spec": {"replicas": 3, "selector": selector, "template": pod},
            },
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": meta,
                "spec": {
                    "selector": selector["matchLabels"],
                    "ports": [{"port": 80, "targetPort": "http"}],
                },
            },
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": meta,
                "automountServiceAccountToken": False,
            },
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {**meta, "name": f"{name}-config"},
                "data": {f"key{k}": "value" for k in range(5)},
            },
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": meta,
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                    "minReplicas": 3,
                    "maxReplicas": 10,
                    "metrics": [
                        {
                            "type": "Resource",
                            "resource": {
                                "name": "cpu",
                                "target": {"type": "Utilization", "averageUtilization": 70},
                            },
                        }
                    ],
                },
            },
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": meta,
                "spec": {"minAvailable": 1, "selector": selector},
            },
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": meta,
                "spec": {
                    "podSelector": selector,
                    "policyTypes": ["Ingress"],
                    "ingress": [{"ports": [{"port": 8080}]}],
                },
            },
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": meta,
                "spec": {
                    "rules": [
                        {
                            "host": f"{name}.example.com",
                            "http": {
                                "paths": [
                                    {
                                        "path": "/",
                                        "pathType": "Prefix",
                                        "backend": {
                                            "service": {"name": name, "port": {"number": 80}}
                                        },
                                    }
                                ]
                            },
                        }
                    ]
                },
            },
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "Role",
                "metadata": meta,
                "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
            },
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": meta,
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": ns}],
            },
            {
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "metadata": meta,
                "spec": {
                    "schedule": "0 * * * *",
                    "jobTemplate": {
                        "spec": {
                            "template": {
                                **pod,
                                "spec": {**pod["spec"], "restartPolicy": "OnFailure"},
                            }
                        }
                    },
                },
            },
            {
                "apiVersion": "apps/v1",
                "kind": "StatefulSet",
                "metadata": meta,
                "spec": {"serviceName": name, "selector": selector, "template": pod},
            },
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "PrometheusRule",
                "metadata": meta,
                "spec": {
                    "groups": [
                        {
                            "name": name,
                            "rules": [
                                {
                                    "alert": "Down",
                                    "expr": f'up{{job="{name}"}} == 0',
                                    "for": "5m",
                                    "labels": {"severity": "page"},
                                }
                            ],
                        }
                    ]
                },
            },
        ]
        app += 1
    return objects[:count]


def write_set(directory: Path, objects: list[dict[str, Any]]) -> None:
    for start in range(0, len(objects), 100):
        (directory / f"objects-{start:05d}.yaml").write_text(
            yaml.safe_dump_all(objects[start : start + 100])
        )


def timed(label: str, count: int, run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    print(f"  {label:<58} {count:>6} objects {seconds:7.2f} s {count / seconds:>9,.0f}/s")
    return seconds


def _core(manifest: Manifest) -> dict[str, Any] | None:
    return schemas.kind_schema(
        VERSION, True, manifest.group, manifest.api_version.rpartition("/")[2], manifest.kind
    )


def candidates(manifests: list[Manifest]) -> None:
    # Plain JSON for every library (mapping keys as strings, as the engine also ensures).
    core = [(json_compatible(m.body), s) for m in manifests if (s := _core(m)) is not None]
    defs = schemas.definitions(VERSION, True)
    print(f"  schema check only, Kubernetes kinds ({len(core)} objects), compile included:")

    def with_rs() -> None:
        import jsonschema_rs

        registry = jsonschema_rs.Registry([(schemas.DEFINITIONS_URI, defs)])
        cache: dict[int, Any] = {}
        for body, schema in core:
            validator = cache.get(id(schema))
            if validator is None:
                validator = cache[id(schema)] = jsonschema_rs.validator_for(
                    schema, registry=registry, formats=FORMAT_CHECKS, validate_formats=True
                )
            list(validator.iter_errors(body))

    def with_jsonschema() -> None:
        import jsonschema
        from referencing import Registry, Resource

        registry = Registry().with_resource(schemas.DEFINITIONS_URI, Resource.from_contents(defs))
        checker = jsonschema.FormatChecker()
        for name, check in FORMAT_CHECKS.items():
            # jsonschema applies formats to every type; the API server only to strings.
            checker.checks(name)(lambda v, check=check: not isinstance(v, str) or check(v))
        cache: dict[int, Any] = {}
        for body, schema in core:
            validator = cache.get(id(schema))
            if validator is None:
                validator = cache[id(schema)] = jsonschema.Draft202012Validator(
                    schema, registry=registry, format_checker=checker
                )
            list(validator.iter_errors(body))

    def with_fastjsonschema() -> None:
        import fastjsonschema

        cache: dict[int, Any] = {}
        for body, schema in core:
            validator = cache.get(id(schema))
            if validator is None:
                draft7 = {k: v for k, v in schema.items() if k != "$schema"}
                validator = cache[id(schema)] = fastjsonschema.compile(
                    draft7, handlers={"https": lambda uri: defs}, formats=FORMAT_CHECKS
                )
            with contextlib.suppress(fastjsonschema.JsonSchemaException):
                validator(body)

    for label, run in (
        ("jsonschema-rs", with_rs),
        ("jsonschema (Python, cached validators)", with_jsonschema),
        ("fastjsonschema (first error only)", with_fastjsonschema),
    ):
        try:
            timed(label, len(core), run)
        except ImportError as exc:
            print(f"  {label}: not installed ({exc.name})")


def kubernetes_validate_baseline(manifests: list[Manifest], sample: int = 300) -> None:
    try:
        import kubernetes_validate
    except ImportError:
        return
    core = [m for m in manifests if _core(m) is not None][:sample]

    def run() -> None:
        for manifest in core:
            with contextlib.suppress(Exception):
                kubernetes_validate.validate(manifest.body, VERSION, strict=True)

    timed("kubernetes-validate validate() (sample)", len(core), run)


def end_to_end(label: str, paths: list[str]) -> None:
    loaded = load(paths)
    count = len(loaded.manifests)
    timed(f"{label}: load only", count, lambda: load(paths))
    timed(
        f"{label}: gitops validate, built-in engine (load+check)",
        count,
        lambda: validate(
            paths, root=Path.cwd(), settings=ValidateSettings(), explicit_version=VERSION
        ),
    )
    candidates(loaded.manifests)
    kubernetes_validate_baseline(loaded.manifests)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "corpus"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write_set(Path(tmp), generated_objects(args.objects))
        print(f"generated set ({args.objects} objects, Kubernetes {VERSION}):")
        end_to_end("generated", [tmp])
    corpus = args.corpus if args.corpus.is_dir() else Path("/work/shared/corpus")
    if corpus.is_dir():
        print(f"peer corpus ({corpus}):")
        end_to_end("corpus", [str(corpus)])


if __name__ == "__main__":
    main()
