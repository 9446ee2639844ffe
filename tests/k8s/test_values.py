"""Quantities and image references: the value parsers constructs and rules rely on."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gitops.k8s.image_ref import parse_image, pinning_problem
from gitops.k8s.quantity import parse_quantity, scale_cpu, scale_memory

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500m", Decimal("0.5")),
        ("2", Decimal(2)),
        (2, Decimal(2)),
        ("1.5", Decimal("1.5")),
        ("512Mi", Decimal(512 * 2**20)),
        ("1Gi", Decimal(2**30)),
        ("1G", Decimal(10**9)),
        ("1e3", Decimal(1000)),
        ("100k", Decimal(100000)),
        ("250u", Decimal("0.00025")),
    ],
)
def test_quantities(text: str | int, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["1.5.0", "abc", "1 Gi", "", "1GiB", "--1"])
def test_malformed_quantities(text: str) -> None:
    with pytest.raises(ValueError, match="quantity"):
        parse_quantity(text)


def test_scaling_rounds_up_to_whole_units() -> None:
    assert scale_cpu("100m", 0.25) == "25m"
    assert scale_cpu("1", 0.3333) == "334m"
    assert scale_memory("100Mi", 0.333) == "34Mi"
    assert scale_memory("1Gi", 2) == "2Gi"


@pytest.mark.parametrize(
    ("image", "repository", "tag", "digest"),
    [
        ("nginx", "nginx", None, None),
        ("nginx:1.27", "nginx", "1.27", None),
        (
            "registry.example.com:5000/team/app:v1.2.3-rc.1",
            "registry.example.com:5000/team/app",
            "v1.2.3-rc.1",
            None,
        ),
        (f"ghcr.io/acme/app@{DIGEST}", "ghcr.io/acme/app", None, DIGEST),
        (f"ghcr.io/acme/app:1.0@{DIGEST}", "ghcr.io/acme/app", "1.0", DIGEST),
    ],
)
def test_image_references(image: str, repository: str, tag: str | None, digest: str | None) -> None:
    ref = parse_image(image)
    assert (ref.repository, ref.tag, ref.digest) == (repository, tag, digest)


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("nginx", "has no tag or digest"),
        ("nginx:latest", "uses the moving tag 'latest'"),
        ("Nginx:1.0", "not a valid image repository"),
        ("nginx@sha256:abc", "digest 'sha256:abc' is not sha256:<64 lower-case hex digits>"),
        ("nginx:1.27.2\n", "tag '1.27.2\\n' is not a valid image tag"),
        ("nginx:1.27.2", None),
        (f"nginx:latest@{DIGEST}", None),
    ],
)
def test_pinning_problems(image: str, problem: str | None) -> None:
    found = pinning_problem(image)
    assert (found is None) if problem is None else (problem in (found or ""))
