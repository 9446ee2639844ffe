"""Environments as real platforms have them: shared clusters, app subsets, per-cluster Argo CD,
cluster-scoped custom resources placed by their CRD's scope; every bad input is one line
naming the env file and line, exit 2, and rendered/ untouched."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from gitops.errors import ExitCode
from tests.conftest import copy_sources, gitops, tree

GOLDEN = Path(__file__).parent / "golden"

WORKER = '''
from constructs import Construct

from gitops.constructs import AppChart, Resources, WebService, WebServiceProps
from gitops.envs import Environment, Sizing


class Worker(AppChart):
    """A fixed-size service: no HorizontalPodAutoscaler."""

    app_name = "worker"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        sizing = env.sizing(self.app_name, Sizing(replicas=2))
        WebService(self, "web", WebServiceProps(
            image=env.image(self.app_name), replicas=sizing.replicas, resources=Resources()))
'''

WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "clusterwidgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "ClusterWidget", "plural": "clusterwidgets"},
        "scope": "Cluster",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                    }
                },
            }
        ],
    },
}

POLICY_APP = """
from cdk8s import ApiObject, ApiObjectMetadata
from constructs import Construct

from gitops.constructs import AppChart
from gitops.envs import Environment

CRD = {crd!r}


class Policies(AppChart):
    app_name = "policies"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        if {with_crd}:
            self.add_manifest(dict(CRD), f"{{self.gitops_path}}/crd")
        ApiObject(self, "widget", api_version="example.com/v1", kind="ClusterWidget",
                  metadata=ApiObjectMetadata(name={name}))
"""


def _env(name: str, cluster: str = "nonprod", version: str = "1.32", **extra: str) -> str:
    lines = [
        "from gitops.envs import AppOverlay, Environment",
        "",
        "ENVIRONMENT = Environment(",
        f'    name="{name}",',
        f'    cluster="{cluster}",',
        f'    kubernetes_version="{version}",',
        *(f"    {key}={value}," for key, value in extra.items()),
        ")",
        "",
    ]
    return "\n".join(lines)


IMAGES = "my-app: ghcr.io/acme/my-app:1.9.0\nml-inference-api: ghcr.io/acme/ml:2.4.0\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """This repo's apps with two environments, qa and uat, rendered and committed."""
    root = copy_sources(tmp_path / "repo")
    shutil.rmtree(root / "envs")
    _write_envs(
        root,
        qa=_env("qa", namespace='"{app}-{env}"'),
        uat=_env("uat", namespace='"{app}-{env}"'),
    )
    run = gitops(root, "synth")
    assert run.code == 0, run.err
    return root


def _write_envs(root: Path, images: str = IMAGES, **modules: str) -> None:
    (root / "envs").mkdir(exist_ok=True)
    for name, text in modules.items():
        (root / "envs" / f"{name}.py").write_text(text)
        (root / "envs" / f"{name}.images.yaml").write_text(images)


def _fails(root: Path, *expected: str) -> str:
    before = tree(root)
    run = gitops(root, "synth")
    assert run.code == ExitCode.USAGE, run.out + run.err
    assert run.err.startswith("error: ") and "Traceback" not in run.err
    assert run.err.count("\n") <= 2, run.err  # one line, and the fix
    for text in expected:
        assert text in run.err, run.err
    assert tree(root) == before, "rendered/ changed on error"
    return run.err


def _load(root: Path, rel: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((root / rel).read_text())


def test_environments_sharing_a_cluster_get_their_own_namespaces(repo: Path) -> None:
    for env in ("qa", "uat"):
        deployment = _load(repo, f"rendered/{env}/my-app/deployment.my-app.yaml")
        assert deployment["metadata"]["namespace"] == f"my-app-{env}"
        namespace = _load(repo, f"rendered/{env}/my-app/namespace.my-app-{env}.yaml")
        assert namespace["metadata"]["name"] == f"my-app-{env}"
        app = _load(repo, f"rendered/argocd/{env}/application.{env}-my-app.yaml")
        assert app["spec"]["destination"] == {"name": "nonprod", "namespace": f"my-app-{env}"}


def test_two_environments_owning_one_namespace_is_an_error_naming_both(repo: Path) -> None:
    (repo / "envs" / "uat.py").write_text(_env("uat"))
    (repo / "envs" / "qa.py").write_text(_env("qa"))
    _fails(
        repo,
        "envs/uat.py:5: app 'ml-inference-api' of environment 'uat' and app "
        "'ml-inference-api' of environment 'qa' (envs/qa.py:5) both render namespace "
        "'ml-inference-api' on cluster 'nonprod'",
        'namespace="{app}-{env}"',
    )


def test_shared_cluster_with_two_kubernetes_versions_is_an_error(repo: Path) -> None:
    (repo / "envs" / "uat.py").write_text(_env("uat", version="1.31", namespace='"{app}-{env}"'))
    _fails(repo, "envs/uat.py:6: cluster 'nonprod' runs Kubernetes 1.31 here but 1.32 in")


def test_an_environment_runs_only_its_apps(repo: Path) -> None:
    (repo / "envs" / "qa.py").write_text(
        _env("qa", namespace='"{app}-{env}"', include_apps='("my-app",)')
    )
    (repo / "envs" / "qa.images.yaml").write_text("my-app: ghcr.io/acme/my-app:1.9.0\n")
    run = gitops(repo, "synth")
    assert run.code == 0, run.err
    assert "removed app 'ml-inference-api' from environment 'qa'" in run.out
    assert not (repo / "rendered" / "qa" / "ml-inference-api").exists()
    assert (repo / "rendered" / "uat" / "ml-inference-api").is_dir()
    project = _load(repo, "rendered/argocd/qa/appproject.qa.yaml")
    assert project["spec"]["destinations"] == [{"name": "nonprod", "namespace": "my-app-qa"}]
    assert not list((repo / "rendered" / "argocd" / "qa").glob("*ml-inference*"))


def test_image_for_an_app_the_environment_does_not_run_is_an_error(repo: Path) -> None:
    (repo / "envs" / "qa.py").write_text(
        _env("qa", namespace='"{app}-{env}"', exclude_apps='("ml-inference-api",)')
    )
    _fails(
        repo,
        "envs/qa.images.yaml:2: image for app 'ml-inference-api', which environment 'qa' "
        "does not run",
        "envs/qa.py:8",
    )


def test_unknown_app_in_include_apps_names_the_line(repo: Path) -> None:
    (repo / "envs" / "qa.py").write_text(
        _env("qa", namespace='"{app}-{env}"', include_apps='("my-ap",)')
    )
    _fails(repo, "envs/qa.py:8: include_apps names unknown app 'my-ap'", "use one of:")


@pytest.mark.parametrize("name", ["argocd", "cluster", "default", "gitops-bootstrap"])
def test_reserved_environment_names_are_refused_with_the_reason(repo: Path, name: str) -> None:
    _write_envs(repo, **{name: _env(name, cluster="other")})
    err = _fails(repo, f"envs/{name}.py:4: name {name!r} is reserved: ")
    assert "choose another environment name" in err


@pytest.mark.parametrize(
    ("overlay", "expected", "fix"),
    [
        (
            '{"my-app": AppOverlay(\n        replicas=4)}',
            "envs/qa.py:9: replicas does not apply: a HorizontalPodAutoscaler owns the replica "
            "count of app 'my-app' in 'qa'",
            "set min_replicas and max_replicas instead",
        ),
        (
            '{"worker": AppOverlay(min_replicas=2)}',
            "envs/qa.py:8: min_replicas does not apply: there is no HorizontalPodAutoscaler in "
            "app 'worker' in 'qa'",
            "set replicas instead",
        ),
        (
            '{"fixed": AppOverlay(replicas=5)}',
            "envs/qa.py:8: replicas 5 is not used by app 'fixed' in 'qa'",
            "read it with env.sizing(self.app_name, ...)",
        ),
        (
            '{"worker": AppOverlay(hostname="w.example.com")}',
            "envs/qa.py:8: hostname does not apply: there is no Ingress in app 'worker' in 'qa'",
            "remove it",
        ),
    ],
    ids=["replicas-for-autoscaled", "min-replicas-without-hpa", "replicas-ignored", "no-ingress"],
)
def test_overlay_values_that_do_not_apply_are_errors(
    repo: Path, overlay: str, expected: str, fix: str
) -> None:
    (repo / "apps" / "worker.py").write_text(textwrap.dedent(WORKER))
    # An app that ignores the environment's sizing: an overlay for it would change nothing.
    fixed = WORKER.replace('"worker"', '"fixed"').replace("class Worker", "class Fixed")
    (repo / "apps" / "fixed.py").write_text(
        textwrap.dedent(fixed.replace("replicas=sizing.replicas", "replicas=2"))
    )
    images = IMAGES + "worker: ghcr.io/acme/worker:1.0.0\nfixed: ghcr.io/acme/fixed:1.0.0\n"
    _write_envs(
        repo,
        images=images,
        qa=_env("qa", namespace='"{app}-{env}"', apps=overlay),
        uat=_env("uat", namespace='"{app}-{env}"'),
    )
    err = _fails(repo, expected)
    assert f"fix: {fix}" in err


def _policy_app(root: Path, *, with_crd: bool, name: str = '"no-privileged"') -> None:
    text = POLICY_APP.format(crd=WIDGET_CRD, with_crd=with_crd, name=name)
    (root / "apps" / "policies.py").write_text(textwrap.dedent(text))
    for images in (root / "envs").glob("*.images.yaml"):
        images.write_text(images.read_text())


def test_cluster_scoped_custom_resource_is_placed_by_a_crd_in_the_input(repo: Path) -> None:
    # One CRD per cluster: only qa runs the app that installs it.
    (repo / "envs" / "uat.py").write_text(
        _env("uat", namespace='"{app}-{env}"', exclude_apps='("policies",)')
    )
    _policy_app(repo, with_crd=False, name='f"no-privileged-{env.name}"')
    assert gitops(repo, "synth").code == 0
    # Without its CRD, an unknown kind is taken as namespaced.
    assert (repo / "rendered/qa/policies/clusterwidget.no-privileged-qa.yaml").is_file()
    _policy_app(repo, with_crd=True, name='f"no-privileged-{env.name}"')
    run = gitops(repo, "synth")
    assert run.code == 0, run.err
    widget = _load(repo, "rendered/qa/cluster/clusterwidget.no-privileged-qa.yaml")
    assert "namespace" not in widget["metadata"]
    project = _load(repo, "rendered/argocd/qa/appproject.qa-cluster.yaml")
    assert project["spec"]["clusterResourceWhitelist"] == [
        {
            "group": "apiextensions.k8s.io",
            "kind": "CustomResourceDefinition",
            "name": "clusterwidgets.example.com",
        },
        {"group": "example.com", "kind": "ClusterWidget", "name": "no-privileged-qa"},
    ]
    cluster_app = _load(repo, "rendered/argocd/qa/application.qa-cluster.yaml")
    assert cluster_app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "-1"


def test_cluster_scoped_custom_resource_is_placed_by_a_configured_crd(repo: Path) -> None:
    (repo / "crds").mkdir()
    (repo / "crds" / "widgets.yaml").write_text(yaml.safe_dump(WIDGET_CRD))
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.gitops.validate]\ncrds = ["crds/*.yaml"]\n'
    )
    _policy_app(repo, with_crd=False, name='f"no-privileged-{env.name}"')
    run = gitops(repo, "synth")
    assert run.code == 0, run.err
    assert (repo / "rendered/uat/cluster/clusterwidget.no-privileged-uat.yaml").is_file()
    assert not (repo / "rendered/uat/policies/clusterwidget.no-privileged-uat.yaml").exists()


def test_one_cluster_scoped_object_from_two_environments_is_an_error(repo: Path) -> None:
    _policy_app(repo, with_crd=True)
    err = _fails(
        repo,
        "rendered/qa/cluster/clusterwidget.no-privileged.yaml and "
        "rendered/uat/cluster/clusterwidget.no-privileged.yaml are the same ClusterWidget "
        "'no-privileged' on cluster 'nonprod'",
    )
    assert "environments 'qa' (envs/qa.py:5) and 'uat' (envs/uat.py:5)" in err


def golden_repo(root: Path, layout: str) -> Path:
    """A config repo with this repo's two sample apps and three environments shaped like
    this repo's (dev and staging share a cluster, prod is alone), fixed here so the golden
    trees change only when the Argo CD layout does."""
    copy_sources(root)
    for module in (root / "apps").glob("*.py"):
        if module.name not in ("my_app.py", "ml_inference_api.py"):
            module.unlink()
    shutil.rmtree(root / "envs")
    shared = {"namespace": '"{app}-{env}"'}
    _write_envs(root, dev=_env("dev", exclude_apps='("ml-inference-api",)', **shared))
    (root / "envs" / "dev.images.yaml").write_text("my-app: ghcr.io/acme/my-app:1.9.0\n")
    _write_envs(root, staging=_env("staging", **shared), prod=_env("prod", cluster="prod"))
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    setting = f'argocd_namespace = "argocd"\nargocd_layout = "{layout}"\n'
    pyproject.write_text(text.replace('argocd_namespace = "argocd"\n', setting, 1))
    return root


@pytest.mark.parametrize("layout", ["hub", "per-cluster"])
def test_argocd_layout_matches_its_golden_tree(tmp_path: Path, layout: str) -> None:
    """hub: one Argo CD, bootstrap in rendered/argocd/; per-cluster: one Argo CD per cluster,
    each bootstrapped from rendered/argocd/<cluster>/ with only its own environments,
    deploying to the local API server."""
    root = golden_repo(tmp_path / "repo", layout)
    run = gitops(root, "synth")
    assert run.code == 0, run.err
    # Current, schema-valid (the Argo CD objects against the packaged CRDs) and lint-clean:
    # each per-cluster root is its own Argo CD, so equal names there are no duplicates.
    check = gitops(root, "check")
    assert check.code == 0, check.out + check.err
    argocd = root / "rendered" / "argocd"
    rendered = {p.relative_to(argocd).as_posix(): p.read_text() for p in argocd.rglob("*.yaml")}
    golden_dir = GOLDEN / f"argocd-{layout}"
    golden = {
        p.relative_to(golden_dir).as_posix(): p.read_text() for p in golden_dir.rglob("*.yaml")
    }
    assert sorted(rendered) == sorted(golden)
    for path, content in golden.items():
        assert rendered[path] == content, path
    if layout == "hub":
        app = yaml.safe_load(rendered["staging/application.staging-my-app.yaml"])
        assert app["spec"]["destination"] == {"name": "nonprod", "namespace": "my-app-staging"}
        return
    root_app = yaml.safe_load(rendered["nonprod/application.gitops-bootstrap.yaml"])
    assert root_app["spec"]["source"]["path"] == "rendered/argocd/nonprod"
    app = yaml.safe_load(rendered["nonprod/staging/application.staging-my-app.yaml"])
    assert app["spec"]["destination"] == {
        "server": "https://kubernetes.default.svc",
        "namespace": "my-app-staging",
    }
    assert not [p for p in rendered if p.startswith("prod/") and "staging" in p]


def test_cluster_server_makes_destinations_by_server(repo: Path) -> None:
    for env in ("qa", "uat"):
        (repo / "envs" / f"{env}.py").write_text(
            _env(env, namespace='"{app}-{env}"', cluster_server='"https://10.0.0.1:6443"')
        )
    assert gitops(repo, "synth").code == 0
    app = _load(repo, "rendered/argocd/qa/application.qa-my-app.yaml")
    assert app["spec"]["destination"] == {
        "server": "https://10.0.0.1:6443",
        "namespace": "my-app-qa",
    }


def test_prune_on_app_removal_puts_the_resources_finalizer_on_app_applications(
    repo: Path,
) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'argocd_namespace = "argocd"\n',
            'argocd_namespace = "argocd"\non_app_removal = "prune"\n',
            1,
        )
    )
    assert gitops(repo, "synth").code == 0
    app = _load(repo, "rendered/argocd/qa/application.qa-my-app.yaml")
    assert app["metadata"]["finalizers"] == ["resources-finalizer.argocd.argoproj.io"]


def test_unknown_layout_is_a_config_error(repo: Path) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'argocd_namespace = "argocd"\n',
            'argocd_namespace = "argocd"\nargocd_layout = "spoke"\n',
        )
    )
    err = _fails(repo, "[tool.gitops] argocd_layout 'spoke' is not one of hub, per-cluster")
    assert "fix: set argocd_layout to one of: hub, per-cluster" in err


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"namespace": '"{env}"'}, "envs/qa.py:7: namespace rule '{env}' must contain {app}"),
        ({"namespace": '"{app}-{team}"'}, "may use only {app}, {env} and {cluster}"),
        (
            {"include_apps": '("my-app",)', "exclude_apps": '("ml-inference-api",)'},
            "envs/qa.py:3: set include_apps or exclude_apps, not both",
        ),
        (
            {"cluster_server": '"http://10.0.0.1"'},
            "envs/qa.py:7: cluster_server 'http://10.0.0.1' must be an https:// URL",
        ),
    ],
    ids=["rule-without-app", "unknown-placeholder", "include-and-exclude", "plain-http-server"],
)
def test_bad_environment_fields_name_their_line(
    repo: Path, extra: dict[str, str], expected: str
) -> None:
    (repo / "envs" / "qa.py").write_text(_env("qa", **extra))
    _fails(repo, expected)


def test_two_argo_cd_objects_with_one_name_are_an_error(repo: Path) -> None:
    # Env "qa"'s app "my-app" is Application "qa-my-app"; so is env "qa-my-app"'s root.
    _write_envs(repo, **{"qa-my-app": _env("qa-my-app", cluster="other")})
    _fails(
        repo,
        "the hub Argo CD would get two Applications named 'qa-my-app': one for environment "
        "'qa-my-app', one for 'qa'",
        "rename an environment or an app",
    )
