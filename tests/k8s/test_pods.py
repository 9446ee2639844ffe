"""Where pods live: one accessor for every kind, Argo Workflows templates included."""

from __future__ import annotations

from gitops.k8s.manifests import LoadProblem, Manifest, load_text
from gitops.k8s.pods import WORKLOAD_KINDS, all_containers, containers, pod_templates

WORKFLOW = """\
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata: {name: nightly, namespace: ml}
spec:
  schedules: ["0 2 * * *"]
  workflowSpec:
    serviceAccountName: runner
    securityContext: {runAsNonRoot: true}
    podMetadata: {labels: {team: ml}}
    volumes: [{name: shared, emptyDir: {}}]
    templateDefaults:
      priorityClassName: batch
    templates:
    - name: pipeline
      dag: {tasks: [{name: a, template: prep}]}
    - name: prep
      metadata: {labels: {step: prep}}
      securityContext: {runAsUser: 1000}
      volumes: [{name: scratch, hostPath: {path: /tmp}}]
      podSpecPatch: '{"hostIPC": true}'
      initContainers: [{name: fetch, image: "ghcr.io/acme/fetch:1.0.0"}]
      sidecars: [{name: proxy, image: "ghcr.io/acme/proxy:1.0.0"}]
      script: {image: "python:3.12", source: "print(1)"}
    - name: set
      podSpecPatch: '{{inputs.parameters.patch}}'
      containerSet:
        containers:
        - {name: a, image: "ghcr.io/acme/a:1.0.0"}
        - {name: b, image: "ghcr.io/acme/b:1.0.0"}
"""


def _load(text: str) -> Manifest:
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    load_text(text, "w.yaml", manifests, problems)
    assert not problems
    return manifests[0]


def test_every_container_template_of_a_workflow_is_a_pod() -> None:
    manifest = _load(WORKFLOW)
    prep, container_set = pod_templates(manifest)  # the dag template runs no pod
    assert (prep.name, container_set.name) == ("prep", "set")
    assert prep.path == ("spec", "workflowSpec", "templates", 1)
    # template fields win over templateDefaults, which win over the workflow's
    assert prep.spec["securityContext"] == {"runAsUser": 1000}
    assert prep.field_path("securityContext") == (*prep.path, "securityContext")
    assert container_set.spec["securityContext"] == {"runAsNonRoot": True}
    assert container_set.field_path("securityContext") == (
        "spec",
        "workflowSpec",
        "securityContext",
    )
    assert prep.spec["priorityClassName"] == "batch"
    assert prep.spec["serviceAccountName"] == "runner"
    # a plain-YAML podSpecPatch counts, a templated one cannot be read
    assert prep.spec["hostIPC"] is True
    assert prep.field_path("hostIPC") == (*prep.path, "podSpecPatch", "hostIPC")
    assert "hostIPC" not in container_set.spec
    # workflow volumes and template volumes, each with its own path
    assert [(v["name"], p) for v, p in prep.volumes()] == [
        ("shared", ("spec", "workflowSpec", "volumes", 0)),
        ("scratch", (*prep.path, "volumes", 0)),
    ]
    assert prep.labels == {"team": "ml", "step": "prep"}


def test_containers_of_every_workflow_pod() -> None:
    manifest = _load(WORKFLOW)
    found = [
        (ref.name, ref.init, ref.pod.name if ref.pod else None) for ref in all_containers(manifest)
    ]
    assert found == [
        ("main", False, "prep"),
        ("proxy", False, "prep"),
        ("fetch", True, "prep"),
        ("a", False, "set"),
        ("b", False, "set"),
    ]
    assert [ref.name for ref in containers(manifest, init=False)] == ["main", "proxy", "a", "b"]
    assert {
        "Workflow",
        "WorkflowTemplate",
        "ClusterWorkflowTemplate",
        "CronWorkflow",
    } <= WORKLOAD_KINDS


def test_kubernetes_kinds_keep_one_template() -> None:
    manifest = _load(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n"
        "    spec:\n      template:\n        spec:\n          initContainers: [{name: i, image: x}]\n"
        "          containers: [{name: m, image: y}]\n          ephemeralContainers: [{name: e, image: z}]\n"
    )
    (template,) = pod_templates(manifest)
    assert template.path == ("spec", "jobTemplate", "spec", "template")
    assert [(r.name, r.init, r.ephemeral) for r in all_containers(manifest)] == [
        ("m", False, False),
        ("i", True, False),
        ("e", False, True),
    ]
    assert [r.name for r in containers(manifest)] == ["m", "i"]


PATCHED = """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: patched}
spec:
  podSpecPatch: '{"containers": [{"name": "main", "env": [{"name": "B", "value": "wf"}]}]}'
  templates:
  - name: build
    container:
      image: ghcr.io/acme/build:1.0.0
      env: [{name: A, value: "1"}, {name: B, value: "2"}]
      securityContext: {runAsNonRoot: true}
    podSpecPatch: |
      containers:
      - name: main
        securityContext:
          privileged: true
      - name: debug
        image: ghcr.io/acme/debug:1.0.0
      initContainers:
      - name: fetch
        image: ghcr.io/acme/fetch:1.0.0
"""


def test_pod_spec_patch_containers_merge_by_name_and_locate_in_the_patch() -> None:
    manifest = _load(PATCHED)
    main, debug, fetch = all_containers(manifest)
    # Merged over the template's container, by name, workflow patch then template patch.
    assert main.name == "main" and main.path == ("spec", "templates", 0, "container")
    assert main.container["securityContext"] == {"runAsNonRoot": True, "privileged": True}
    assert main.container["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "wf"}]
    assert main.container["image"] == "ghcr.io/acme/build:1.0.0"
    # A field the patch sets is located in the patch's text, one it does not in the template.
    assert manifest.locate((*main.path, "securityContext", "privileged"))[0] == 16
    assert manifest.locate((*main.path, "securityContext", "runAsNonRoot"))[0] == 11
    assert manifest.locate((*main.path, "image"))[0] == 9
    # Entries naming no container add one (the workflow-level one-line patch: its key's line).
    assert (debug.name, debug.init, fetch.name, fetch.init) == ("debug", False, "fetch", True)
    assert manifest.locate((*debug.path, "image"))[0] == 18
    assert manifest.locate((*fetch.path, "image"))[0] == 21
    assert manifest.locate(("spec", "podSpecPatch", "containers", 0, "env"))[0] == 5
