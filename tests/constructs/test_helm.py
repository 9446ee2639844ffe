"""HelmChart: a chart written here (a subchart, a CRD, hooks, per-env values), rendered by
each available engine through the real CLI into rendered/, then checked like everything else."""

from __future__ import annotations

import hashlib
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from gitops.constructs.helm_engine import available_engine
from tests.conftest import gitops

try:
    import helm_python  # noqa: F401

    SDK = True
except (ImportError, OSError):
    SDK = False

ENGINES = [
    pytest.param(
        "sdk",
        marks=pytest.mark.skipif(not SDK, reason="helm-python-sdk is not installed (extra: helm)"),
    ),
    pytest.param(
        "binary",
        marks=pytest.mark.skipif(
            shutil.which("helm") is None, reason="the helm binary is not on PATH"
        ),
    ),
]

CHART = {
    "Chart.yaml": """\
        apiVersion: v2
        name: web
        version: 1.2.3
        appVersion: "2.0.0"
        dependencies:
          - name: cache
            version: 0.1.0
        """,
    "values.yaml": """\
        replicas: 1
        image: ghcr.io/acme/web:2.0.0
        cache:
          size: small
        """,
    "templates/_helpers.tpl": """\
        {{- define "web.labels" -}}
        app.kubernetes.io/name: web
        app.kubernetes.io/instance: {{ .Release.Name }}
        {{- end -}}
        """,
    "templates/deployment.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}-web
          labels:
            {{- include "web.labels" . | nindent 4 }}
        spec:
          replicas: {{ .Values.replicas }}
          selector:
            matchLabels:
              {{- include "web.labels" . | nindent 6 }}
          template:
            metadata:
              labels:
                {{- include "web.labels" . | nindent 8 }}
            spec:
              containers:
                - name: web
                  image: {{ .Values.image }}
        """,
    "templates/migrate.yaml": """\
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {{ .Release.Name }}-migrate
          annotations:
            helm.sh/hook: pre-install,pre-upgrade
            helm.sh/hook-weight: "-5"
            helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: {{ .Values.image }}
        """,
    "templates/test.yaml": """\
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{ .Release.Name }}-smoke-test
          annotations:
            helm.sh/hook: test
        spec:
          containers:
            - name: curl
              image: ghcr.io/acme/curl:8.0.0
        """,
    "templates/NOTES.txt": "Thanks for installing {{ .Chart.Name }}.\n",
    "crds/widget.yaml": """\
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
          scope: Namespaced
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """,
    "charts/cache/Chart.yaml": """\
        apiVersion: v2
        name: cache
        version: 0.1.0
        """,
    "charts/cache/values.yaml": "size: large\n",
    "charts/cache/templates/configmap.yaml": """\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ .Release.Name }}-cache
        data:
          size: {{ .Values.size | quote }}
          kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}
          hasAutoscalingV2beta2: {{ .Capabilities.APIVersions.Has "autoscaling/v2beta2" | quote }}
        """,
}

APP = """\
from constructs import Construct

from gitops.constructs import AppChart, HelmChart, HelmChartProps
from gitops.envs import Environment


class Web(AppChart):
    app_name = "web"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        HelmChart(self, "chart", HelmChartProps(
            chart="vendor/charts/web",
            version="1.2.3",
            values_files=(f"values/{{env.name}}.yaml",),
            values={{"replicas": 3 if env.name == "prod" else 1}},
            engine={engine!r},
        ))
"""

ENV = """\
from gitops.envs import Environment

ENVIRONMENT = Environment(name="{name}", cluster="{name}-1", kubernetes_version="{version}")
"""


def make_repo(root: Path, engine: str | None, app: str | None = None) -> Path:
    files = {f"vendor/charts/web/{path}": textwrap.dedent(text) for path, text in CHART.items()}
    files |= {
        "pyproject.toml": '[tool.gitops]\nrepo_url = "https://git.example.com/acme/config.git"\n',
        "apps/web.py": app or APP.format(engine=engine),
        "envs/dev.py": ENV.format(name="dev", version="1.25"),
        "envs/prod.py": ENV.format(name="prod", version="1.31"),
        "envs/dev.images.yaml": "{}\n",
        "envs/prod.images.yaml": "{}\n",
        "values/dev.yaml": "cache:\n  size: medium\n",
        "values/prod.yaml": "cache:\n  size: huge\nimage: ghcr.io/acme/web:2.0.1\n",
    }
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("engine", ENGINES)
def test_a_vendored_chart_renders_per_env_into_rendered(tmp_path: Path, engine: str) -> None:
    repo = make_repo(tmp_path, engine)
    done = gitops(repo, "synth")
    assert done.code == 0, done.err
    # The test hook has no Argo CD phase: dropped, with a warning.
    assert "dropped Pod web-smoke-test: Argo CD runs no helm.sh/hook test" in done.err
    for env in ("dev", "prod"):
        assert not (repo / f"rendered/{env}/web/pod.web-smoke-test.yaml").exists()
    # The CRD (cluster-scoped) goes with the env's cluster objects.
    crd = load(repo / "rendered/prod/cluster/customresourcedefinition.widgets.example.com.yaml")
    assert crd["spec"]["group"] == "example.com"

    dev, prod = (load(repo / f"rendered/{e}/web/deployment.web-web.yaml") for e in ("dev", "prod"))
    assert (dev["spec"]["replicas"], prod["spec"]["replicas"]) == (1, 3)
    assert prod["metadata"]["namespace"] == "web"
    assert prod["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/web:2.0.1"
    # Argo CD's tracking label is gone from labels and selector alike.
    assert prod["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": "web"}
    assert prod["metadata"]["labels"] == {"app.kubernetes.io/name": "web"}

    # The subchart, with the env's values file over its defaults and the env's Kubernetes.
    cache = {e: load(repo / f"rendered/{e}/web/configmap.web-cache.yaml") for e in ("dev", "prod")}
    # autoscaling/v2beta2 is served up to 1.25 (the packaged schemas say so), not in 1.31.
    assert cache["dev"]["data"] == {
        "size": "medium",
        "kubeVersion": "v1.25.0",
        "hasAutoscalingV2beta2": "true",
    }
    assert cache["prod"]["data"] == {
        "size": "huge",
        "kubeVersion": "v1.31.0",
        "hasAutoscalingV2beta2": "false",
    }

    job = load(repo / "rendered/prod/web/job.web-migrate.yaml")
    assert job["metadata"]["annotations"] == {
        "argocd.argoproj.io/hook": "PreSync",
        "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation,HookSucceeded",
        "argocd.argoproj.io/sync-wave": "-5",
    }
    check = gitops(repo, "synth", "--check")
    assert check.code == 0, check.out


@pytest.mark.parametrize("engine", ENGINES)
def test_chart_output_is_deterministic(tmp_path: Path, engine: str) -> None:
    digests = []
    for name in ("a", "b"):
        repo = make_repo(tmp_path / name, engine)
        assert gitops(repo, "synth").code == 0
        digests.append(
            {
                p.relative_to(repo).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((repo / "rendered").rglob("*.yaml"))
            }
        )
    assert digests[0] == digests[1]


@pytest.mark.skipif(available_engine() is None, reason="no Helm engine (helm or helm-python-sdk)")
def test_chart_secrets_with_data_are_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, None)
    secret = """\
        apiVersion: v1
        kind: Secret
        metadata:
          name: {{ .Release.Name }}-password
        stringData:
          password: hunter2
        """
    (repo / "vendor/charts/web/templates/secret.yaml").write_text(textwrap.dedent(secret))
    done = gitops(repo, "synth")
    assert done.code == 2
    assert "is a Secret with data" in done.err and "ExternalSecret" in done.err
    assert "hunter2" not in done.err + done.out
    assert not (repo / "rendered").exists()


@pytest.mark.skipif(available_engine() is None, reason="no Helm engine (helm or helm-python-sdk)")
def test_a_chart_at_another_version_than_pinned_is_an_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, None, APP.format(engine=None).replace('"1.2.3"', '"1.3.0"'))
    done = gitops(repo, "synth")
    assert done.code == 2
    assert done.err.startswith(
        "error: HelmChart dev/web/chart: vendor/charts/web/Chart.yaml is version '1.2.3', "
        "the app expects '1.3.0'"
    )


def test_a_missing_chart_names_the_directory_from_the_repo_root(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, None, APP.format(engine=None).replace("vendor/charts", "charts"))
    done = gitops(repo, "synth")
    assert done.code == 2
    assert done.err.startswith(
        "error: HelmChart dev/web/chart: no chart at charts/web (no Chart.yaml there; paths are "
        "relative to the config repo root)"
    )


@pytest.mark.skipif(not SDK, reason="helm-python-sdk is not installed (extra: helm)")
def test_a_failing_template_is_one_error_naming_the_construct(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "sdk")
    broken = repo / "vendor/charts/web/templates/broken.yaml"
    broken.write_text("kind: {{ .Values.nope.deeper }}\n")
    done = gitops(repo, "synth")
    assert done.code == 2
    (first, fix) = done.err.splitlines()
    assert first.startswith("error: HelmChart dev/web/chart: rendering vendor/charts/web failed: ")
    assert "broken.yaml" in first
    assert fix == "  fix: correct the chart or its values"


HELM_TEMPLATE_OUTPUT = """\
---
# Source: web/crds/widget.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
---
# Source: web/charts/cache/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-cache
data:
  size: "medium"
---
# Source: web/templates/empty.yaml
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-web
"""


def test_helm_template_argv_and_output_are_read_as_helm_writes_them() -> None:
    from gitops.constructs.helm_engine import HelmRequest, _parse_stream, helm_argv

    request = HelmRequest(
        chart_dir=Path("vendor/charts/web"),
        release="web",
        namespace="web",
        values={},
        kube_version="1.31",
        api_versions=("policy/v1", "policy/v1/PodDisruptionBudget"),
        timeout_seconds=60,
        where="HelmChart prod/web/chart",
    )
    assert helm_argv(request, "/tmp/values.json") == [
        "helm", "template", "web", "vendor/charts/web", "--namespace", "web", "--include-crds",
        "--kube-version", "1.31.0", "--values", "/tmp/values.json",
        "--api-versions", "policy/v1", "--api-versions", "policy/v1/PodDisruptionBudget",
    ]  # fmt: skip
    documents = _parse_stream(HELM_TEMPLATE_OUTPUT, request)
    assert [(d.source, d.body["kind"]) for d in documents] == [
        ("web/crds/widget.yaml", "CustomResourceDefinition"),
        ("web/charts/cache/templates/configmap.yaml", "ConfigMap"),
        ("web/templates/deployment.yaml", "Deployment"),
    ]
