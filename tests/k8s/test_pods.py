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
    assert prep.field_path("hostIPC") == (*prep.path, "podSpecPatch")
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
