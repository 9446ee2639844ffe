"""IM: container images: reproducible references.

A tag like ``latest`` names whatever was pushed last: two nodes can run different code under
one Deployment, a rollback redeploys the new image, and the diff in git says nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.image_ref import mutability_problem, parse_image
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import WORKLOAD_KINDS, containers
from gitops.rules.registry import Violation, rule

FAMILY = "images"


@rule("IM001", "mutable-image-tag", family=FAMILY, severity=Severity.ERROR, kinds=WORKLOAD_KINDS)
def mutable_image_tag(manifest: Manifest, graph: ObjectGraph, options: Any) -> Iterator[Violation]:
    """A container image uses the tag ``latest``, or no tag at all.

    Why: The image behind the tag changes without a change in git: replicas drift apart,
    rollbacks do not roll back, and what runs cannot be traced to a commit.
    Fix: Pin a release tag (registry/repository:1.4.2) or a digest (@sha256:...); in this repo,
    set the image in envs/<env>.images.yaml.
    """
    for ref in containers(manifest):
        image = ref.container.get("image")
        if not isinstance(image, str):
            continue
        try:
            problem = mutability_problem(parse_image(image))
        except ValueError:
            continue  # IM004 reports references that are not well formed
        if problem:
            yield Violation(
                message=f'container "{ref.name}" image "{image}" {problem}',
                path=(*ref.path, "image"),
                container=ref.name,
            )


@rule(
    "IM004", "invalid-image-reference", family=FAMILY, severity=Severity.ERROR, kinds=WORKLOAD_KINDS
)
def invalid_image_reference(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container image is not a valid image reference.

    Why: The kubelet refuses the reference (InvalidImageName) or the registry cannot resolve
    it, so the pod never starts; a digest that is not one a runtime resolves (for example a
    placeholder such as sha256:123456) looks pinned in review but pins nothing.
    Fix: Write registry/repository:tag or registry/repository@sha256:<64 hex digits>; in this
    repo, set the image in envs/<env>.images.yaml.
    """
    for ref in containers(manifest):
        image = ref.container.get("image")
        if not isinstance(image, str):
            continue
        try:
            parse_image(image)
        except ValueError as exc:
            yield Violation(
                message=f'container "{ref.name}" image "{image}" is not a valid reference: {exc}',
                path=(*ref.path, "image"),
                container=ref.name,
            )


@rule(
    "IM002",
    "image-not-pinned-by-digest",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
    enabled=False,
)
def image_not_pinned_by_digest(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container image is referenced by tag only, not by digest.

    Why: A tag can be re-pushed, so even a release tag does not guarantee the bytes that run
    are the bytes that were tested; a digest does. Off in the recommended preset; turn it on
    for production (for example in a per-env override).
    Fix: Reference the image as registry/repository:tag@sha256:<digest>.
    """
    for ref in containers(manifest):
        image = ref.container.get("image")
        if not isinstance(image, str):
            continue
        try:
            parsed = parse_image(image)
        except ValueError:
            continue  # IM001 reports malformed references
        if not parsed.pinned:
            yield Violation(
                message=f'container "{ref.name}" image "{image}" is not pinned by digest',
                path=(*ref.path, "image"),
                container=ref.name,
            )


@rule(
    "IM003",
    "mutable-tag-not-always-pulled",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
)
def mutable_tag_not_always_pulled(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container with a moving image tag is told not to pull it again.

    Why: For ``latest`` or no tag, Kubernetes defaults imagePullPolicy to Always, so each
    pod start fetches what the tag means now. An explicit IfNotPresent or Never instead keeps
    whatever each node cached first: nodes run different builds under one tag, and a new
    push never reaches a node that has the tag already. A release tag or a digest names
    fixed content, and IfNotPresent is right for it (pods then start without the registry),
    so unlike kube-score and Polaris this rule does not ask for Always there. IM001 reports
    the moving tag itself; this rule adds that the pull policy makes it worse.
    Fix: Pin the image (see IM001); until then, set imagePullPolicy: Always or remove it.
    """
    for ref in containers(manifest):
        image = ref.container.get("image")
        policy = ref.container.get("imagePullPolicy")
        if not isinstance(image, str) or policy not in ("IfNotPresent", "Never"):
            continue
        try:
            parsed = parse_image(image)
        except ValueError:
            continue  # IM001 reports malformed references
        if parsed.digest is None and parsed.tag in (None, "latest"):
            yield Violation(
                message=f'container "{ref.name}" image "{image}" uses a moving tag with '
                f"imagePullPolicy {policy}, so each node keeps the build it cached first",
                path=(*ref.path, "imagePullPolicy"),
                container=ref.name,
            )


RULES = (
    mutable_image_tag,
    image_not_pinned_by_digest,
    invalid_image_reference,
    mutable_tag_not_always_pulled,
)
