"""Container image references: ``[registry/]repository[:tag][@algorithm:digest]``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST_PART = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_DOMAIN = rf"(?:{_HOST_PART}(?:\.{_HOST_PART})*(?::[0-9]+)?)"
_REPOSITORY = re.compile(rf"^(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128, "blake3": 64}
"""Digest algorithms container runtimes resolve (the OCI-registered sha256, sha512 and blake3,
and go-digest's sha384) and the number of lower-case hex digits each takes."""


@dataclass(frozen=True)
class ImageRef:
    repository: str
    tag: str | None
    digest: str | None

    @property
    def pinned(self) -> bool:
        """True when the reference names content, not a moving tag."""
        return self.digest is not None


def parse_image(text: str) -> ImageRef:
    """Parse an image reference; raises ValueError saying what is wrong with it."""
    rest, _, digest = text.partition("@")
    if digest:
        _check_digest(digest)
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    tag: str | None = None
    repository = rest
    if colon > slash:
        repository, tag = rest[:colon], rest[colon + 1 :]
        if not _TAG.fullmatch(tag):
            raise ValueError(f"tag {tag!r} is not a valid image tag")
    if not _REPOSITORY.fullmatch(repository):
        raise ValueError(f"repository {repository!r} is not a valid image repository")
    return ImageRef(repository=repository, tag=tag, digest=digest or None)


def _check_digest(digest: str) -> None:
    algorithm, _, encoded = digest.partition(":")
    length = DIGEST_LENGTHS.get(algorithm)
    if length is None:
        raise ValueError(
            f"digest {digest!r} uses algorithm {algorithm!r}, which container runtimes do not "
            "resolve (use sha256)"
        )
    if not re.fullmatch(rf"[a-f0-9]{{{length}}}", encoded):
        raise ValueError(f"digest {digest!r} is not {algorithm}:<{length} lower-case hex digits>")


def pinning_problem(text: str) -> str | None:
    """Why ``text`` is not a reproducible image reference, or None when it is."""
    try:
        ref = parse_image(text)
    except ValueError as exc:
        return str(exc)
    return mutability_problem(ref)


def mutability_problem(ref: ImageRef) -> str | None:
    """Why a well-formed reference can name different images over time, or None."""
    if ref.digest is None and ref.tag is None:
        return "has no tag or digest, so it means whatever ':latest' points to when pulled"
    if ref.digest is None and ref.tag == "latest":
        return "uses the moving tag 'latest'"
    return None
