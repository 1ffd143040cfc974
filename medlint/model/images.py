"""Image references, split by the distribution reference grammar, and their canonical names.

One reader serves every place an image is named: Dockerfile FROM and `COPY --from`, the `# syntax=`
directive, Compose `image:` and Kubernetes `image:` fields. Rules compare images by `canonical_name`, so
`node`, `library/node` and `docker.io/library/node` are one image.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medlint.model.location import Location

DOCKER_HUB = "docker.io"
_REFERENCE_PATH = re.compile(
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*\Z"
)
_REFERENCE_TAG = re.compile(r"\w[\w.-]{0,127}\Z", re.ASCII)
_REFERENCE_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}\Z")
_REFERENCE_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?\Z"
)


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image reference split by the distribution reference grammar.

    `registry` is None for Docker Hub short names; a registry port (`host:5000/app`) is never read as a tag.
    `unresolved` is set when a variable in the reference could not be resolved (ARG without default, unset
    Compose variable): rules then report W instead of passing.
    """

    written: str  # the reference as written, for messages
    location: Location
    registry: str | None = None
    repository: str = ""
    tag: str | None = None
    digest: str | None = None
    unresolved: bool = False
    is_stage: bool = False  # a Dockerfile stage alias, not an external image

    @property
    def is_scratch(self) -> bool:
        return self.repository == "scratch" and self.registry is None

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def canonical_name(self) -> str:
        """`node` -> `docker.io/library/node`; `ghcr.io/org/app` stays; lower-case, no tag or digest."""
        registry = (self.registry or DOCKER_HUB).lower()
        repository = self.repository.lower()
        if registry == DOCKER_HUB and "/" not in repository:
            repository = f"library/{repository}"
        return f"{registry}/{repository}"


def parse_image_reference(written: str, location: Location, unresolved: bool = False) -> ImageRef:
    """Split an image reference by the distribution grammar: `[registry[:port]/]path[:tag][@digest]`.

    Never raises. The first component is a registry only if it has a '.' or ':', is 'localhost' or has
    upper-case letters; `docker.io`/`index.docker.io` become registry None and Docker Hub's `library/`
    prefix is dropped. References that do not fit the grammar, or that still contain `$` or `{{`, are
    returned with `unresolved=True`.
    """
    text = written.strip() if isinstance(written, str) else ""
    if not text:
        return ImageRef(written if isinstance(written, str) else "", location=location, unresolved=True)
    name, at, digest = text.partition("@")
    registry: str | None = None
    first, slash, remainder = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        registry, name = first, remainder
    tag: str | None = None
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name, tag = name[:colon], name[colon + 1 :]
    if registry in ("docker.io", "index.docker.io"):
        registry = None
    if registry is None and name.startswith("library/"):
        name = name[len("library/") :]
    valid = (
        _REFERENCE_PATH.match(name) is not None
        and (tag is None or _REFERENCE_TAG.match(tag) is not None)
        and (not at or _REFERENCE_DIGEST.match(digest) is not None)
        and (registry is None or _REFERENCE_DOMAIN.match(registry) is not None)
    )
    return ImageRef(
        written=written,
        location=location,
        registry=registry,
        repository=name,
        tag=tag,
        digest=digest or None,
        unresolved=unresolved or not valid or "$" in text or "{{" in text,
    )
