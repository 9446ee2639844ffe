"""One lint run over real files: discovery, environments, input problems, source mapping."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gitops.errors import ConfigError
from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.lint.config import flags_layer
from gitops.lint.run import lint
from gitops.rules.registry import Registry, Violation, rule
from tests.repo import ENGINE_REGISTRY, deployment, write_repo


@rule(
    "TS002",
    "no-service-selects-workload",
    family="testing",
    severity=Severity.ERROR,
    kinds=("Deployment",),
)
def unselected_workload(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """No Service selects the workload's pods.

    Why: Nothing can reach pods that no Service selects, which is rarely intended.
    Fix: Add a Service whose selector matches the pod labels.
    """
    if not graph.selected_by(manifest, "Service"):
        yield Violation(message=f"no Service selects {manifest.name}")


PROD_OVERRIDE = """
[tool.gitops.lint.env.prod]
enable = ["image-not-pinned-by-digest"]
"""


def test_directory_recursion_finds_nested_yaml_yml_and_json(tmp_path: Path) -> None:
    manifest_json = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        }
    )
    settings = write_repo(
        tmp_path,
        {
            "k8s/a/b/web.yaml": deployment(image="web:latest"),
            "k8s/a/api.yml": deployment(name="api", image="api"),
            "k8s/pod.json": manifest_json,
            "k8s/notes.txt": "not read",
            "k8s/.hidden/skip.yaml": deployment(image="hidden:latest"),
        },
    )
    result = lint([str(tmp_path / "k8s")], settings, registry=ENGINE_REGISTRY)
    assert result.files == 3 and result.objects == 3
    assert [(f.path, f.code, f.line) for f in result.findings] == [
        ("k8s/a/api.yml", "IM001", 13),
        ("k8s/a/b/web.yaml", "IM001", 13),
        ("k8s/pod.json", "IM001", 1),
    ]


def test_stdin(tmp_path: Path) -> None:
    settings = write_repo(tmp_path, {})
    stdin = io.BytesIO(deployment(image="web:latest").encode())
    result = lint(["-"], settings, registry=ENGINE_REGISTRY, stdin=stdin)
    [finding] = result.findings
    assert (finding.path, finding.line, finding.name) == ("-", 13, "web")


def test_unreadable_input_is_reported_and_other_files_still_linted(tmp_path: Path) -> None:
    settings = write_repo(
        tmp_path,
        {
            "k8s/a-latin1.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
            "k8s/b-broken.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: {a: [1\n",
            "k8s/c-web.yaml": deployment(image="web:latest"),
        },
    )
    result = lint(
        [str(tmp_path / "k8s"), str(tmp_path / "missing.yaml")], settings, registry=ENGINE_REGISTRY
    )
    assert [(f.path, f.code, f.line) for f in result.findings] == [
        ("k8s/a-latin1.yaml", "IN004", 4),
        ("k8s/b-broken.yaml", "IN001", 4),
        ("k8s/c-web.yaml", "IM001", 13),
        ("missing.yaml", "IN006", 1),
    ]
    assert result.failing == 4 and result.exit_code == 1


def test_env_from_rendered_path_applies_env_override(tmp_path: Path) -> None:
    files = {f"rendered/{env}/shop/deployment.web.yaml": deployment() for env in ("dev", "prod")}
    settings = write_repo(tmp_path, files, PROD_OVERRIDE)
    result = lint([], settings, registry=ENGINE_REGISTRY)  # default PATH: rendered/
    assert [(f.path, f.code) for f in result.findings] == [
        ("rendered/prod/shop/deployment.web.yaml", "IM002")
    ]
    assert result.exit_code == 0  # IM002 is a warning; fail_on defaults to error


def test_env_flag_is_the_env_of_files_outside_rendered(tmp_path: Path) -> None:
    settings = write_repo(tmp_path, {"vendor/web.yaml": deployment()}, PROD_OVERRIDE)
    path = [str(tmp_path / "vendor")]
    assert lint(path, settings, registry=ENGINE_REGISTRY).findings == ()
    [finding] = lint(path, settings, registry=ENGINE_REGISTRY, env="prod").findings
    assert finding.code == "IM002"


def test_preset_strict_flag_enables_im002_and_fail_on_warning_fails(tmp_path: Path) -> None:
    settings = write_repo(tmp_path, {"k8s/web.yaml": deployment()})
    path = [str(tmp_path / "k8s")]
    strict = flags_layer(ENGINE_REGISTRY, preset="strict")
    result = lint(path, settings, registry=ENGINE_REGISTRY, flags=strict)
    assert [f.code for f in result.findings] == ["IM002"] and result.exit_code == 0
    strict_warning = flags_layer(ENGINE_REGISTRY, preset="strict", fail_on="warning")
    assert lint(path, settings, registry=ENGINE_REGISTRY, flags=strict_warning).exit_code == 1


def test_render_index_maps_findings_to_app_source(tmp_path: Path) -> None:
    rel = "rendered/prod/my-app/deployment.my-app.yaml"
    index = {
        "version": 1,
        "generator": "gitops synth",
        "environments": {"prod": {"source": "envs/prod.py"}},
        "files": {
            rel: {
                "env": "prod",
                "app": "my-app",
                "source": "apps/my_app.py",
                "construct": "prod/my-app/web",
                "kind": "Deployment",
                "name": "my-app",
            }
        },
    }
    settings = write_repo(
        tmp_path,
        {
            rel: deployment(name="my-app", image="my-app:latest"),
            ".gitops/render-index.json": json.dumps(index),
        },
    )
    [finding] = lint([], settings, registry=ENGINE_REGISTRY).findings
    assert finding.path == rel
    assert finding.source == "apps/my_app.py (construct prod/my-app/web)"
    assert finding.fix.endswith(
        " Make the change in apps/my_app.py, construct prod/my-app/web; rendered/ is generated."
    )


def test_unknown_env_flag_and_missing_rendered_dir_are_config_errors(tmp_path: Path) -> None:
    settings = write_repo(tmp_path, {"envs/prod.py": "", "k8s/web.yaml": deployment()})
    with pytest.raises(ConfigError, match="unknown environment 'prd'"):
        lint([str(tmp_path / "k8s")], settings, registry=ENGINE_REGISTRY, env="prd")
    with pytest.raises(ConfigError, match="no rendered/ under"):
        lint([], settings, registry=ENGINE_REGISTRY)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no YAML or JSON files found"):
        lint([str(tmp_path / "empty")], settings, registry=ENGINE_REGISTRY)


def test_findings_are_sorted_and_rules_list_what_ran(tmp_path: Path) -> None:
    two = deployment(name="b", image="b:latest") + "---\n" + deployment(name="a", image="a")
    settings = write_repo(tmp_path, {"k8s/z.yaml": deployment(image="z:latest"), "k8s/a.yaml": two})
    result = lint([str(tmp_path / "k8s")], settings, registry=ENGINE_REGISTRY)
    assert [(f.path, f.line, f.name) for f in result.findings] == [
        ("k8s/a.yaml", 13, "b"),
        ("k8s/a.yaml", 27, "a"),
        ("k8s/z.yaml", 13, "web"),
    ]
    codes = [r.code for r in result.rules]
    assert codes == sorted(codes) and "IM001" in codes and "IM002" not in codes


def test_context_objects_are_seen_by_cross_object_rules_but_not_reported(tmp_path: Path) -> None:
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
    service += "spec:\n  selector: {app: web}\n  ports: [{port: 80}]\n"
    settings = write_repo(
        tmp_path,
        {
            "rendered/dev/shop/deployment.web.yaml": deployment(),
            "rendered/dev/shop/service.web.yaml": service,
        },
    )
    registry = Registry.collect(ENGINE_REGISTRY.rules, (unselected_workload,))
    changed = [str(tmp_path / "rendered/dev/shop/deployment.web.yaml")]
    alone = lint(changed, settings, registry=registry)
    assert [f.code for f in alone.findings] == ["TS002"]
    with_context = lint(changed, settings, registry=registry, context=[str(settings.rendered_dir)])
    assert with_context.findings == () and with_context.files == 1 and with_context.objects == 1


def test_each_environment_is_its_own_cluster_for_cross_object_rules(tmp_path: Path) -> None:
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
    service += "spec:\n  selector: {app: web}\n  ports: [{port: 80}]\n"
    settings = write_repo(
        tmp_path,
        {
            "rendered/dev/shop/deployment.web.yaml": deployment(),
            "rendered/prod/shop/deployment.web.yaml": deployment(),
            "rendered/prod/shop/service.web.yaml": service,
        },
    )
    registry = Registry.collect(ENGINE_REGISTRY.rules, (unselected_workload,))
    findings = [
        f
        for f in lint([], settings, registry=registry).findings
        if f.code == unselected_workload.code
    ]
    # prod's Service selects prod's pods only: dev is another cluster.
    assert [f.path for f in findings] == ["rendered/dev/shop/deployment.web.yaml"]
