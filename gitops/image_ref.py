"""Container image references: ``[registry/]repository[:tag][@sha256:digest]``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST_PART = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_DOMAIN = rf"(?:{_HOST_PART}(?:\.{_HOST_PART})*(?::[0-9]+)?)"
_REPOSITORY = re.compile(rf"^(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")


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
    if digest and not _DIGEST.fullmatch(digest):
        raise ValueError(f"digest {digest!r} is not sha256:<64 lower-case hex digits>")
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


def pinning_problem(text: str) -> str | None:
    """Why ``text`` is not a reproducible image reference, or None when it is."""
    try:
        ref = parse_image(text)
    except ValueError as exc:
        return str(exc)
    if ref.digest is None and ref.tag is None:
        return "has no tag or digest, so it means whatever ':latest' points to when pulled"
    if ref.digest is None and ref.tag == "latest":
        return "uses the moving tag 'latest'"
    return None
