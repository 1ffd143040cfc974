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
#: A path component: lowercase letters and digits, joined by one separator (`.`, `_`, `__` or dashes).
_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\Z")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")
MAX_TAG_LENGTH = 128
MAX_NAME_LENGTH = 255
_DIGEST_ALGORITHM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*\Z")
#: The digest algorithms registries accept (opencontainers/go-digest), with the hex length of each.
DIGEST_HEX_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
#: Prefixes of references a build tool replaces before deploying (`ko://import/path` for ko and skaffold):
#: unresolved here, like a template variable, not malformed.
BUILD_TOOL_PLACEHOLDERS = ("ko://",)
_PLACEHOLDER = re.compile(r"<[^<>]*>")
_LOWER_HEX = re.compile(r"[a-f0-9]+\Z")
_HEX = re.compile(r"[A-Fa-f0-9]+\Z")
_DOMAIN_COMPONENT = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_REFERENCE_DOMAIN = re.compile(
    rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?\Z"
)


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image reference split by the distribution reference grammar.

    `registry` is None for Docker Hub short names; a registry port (`host:5000/app`) is never read as a tag.
    `unresolved` is set when a variable in the reference could not be resolved (ARG without default, unset
    Compose variable): rules then report W instead of passing. `problem` says which part of a reference
    without variables breaks the grammar (a truncated digest, an upper-case path, a tag over 128
    characters): such a reference cannot be pulled, and one finding names the part (MD001 in a Dockerfile,
    MD002 in Compose and Kubernetes) instead of the image rules.
    """

    written: str  # the reference as written, for messages
    location: Location
    registry: str | None = None
    repository: str = ""
    tag: str | None = None
    digest: str | None = None
    unresolved: bool = False
    is_stage: bool = False  # a Dockerfile stage alias, not an external image
    problem: str | None = None  # the part that breaks the reference grammar, in words

    @property
    def is_scratch(self) -> bool:
        return self.repository == "scratch" and self.registry is None

    @property
    def names_an_image(self) -> bool:
        """A reference to an image one can pull: not a stage, not scratch, no variable left, well formed."""
        return (
            not self.unresolved
            and not self.is_stage
            and not self.is_scratch
            and bool(self.repository)
            and self.problem is None
        )

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
    prefix is dropped. A reference that still contains `$` or `{{` is `unresolved`; one without variables
    that does not fit the grammar gets a `problem` naming the bad part.
    """
    text = written.strip() if isinstance(written, str) else ""
    if not text:
        return ImageRef(
            written if isinstance(written, str) else "",
            location=location,
            unresolved=unresolved,
            problem=None if unresolved else "the image reference is empty",
        )
    name, at, digest = text.partition("@")
    registry: str | None = None
    first, slash, remainder = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        registry, name = first, remainder
    tag: str | None = None
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name, tag = name[:colon], name[colon + 1 :]
    full_name = f"{registry}/{name}" if registry else name
    if registry in ("docker.io", "index.docker.io"):
        registry = None
    if registry is None and name.startswith("library/"):
        name = name[len("library/") :]
    unresolved = unresolved or "$" in text or "{{" in text or text.startswith(BUILD_TOOL_PLACEHOLDERS)
    return ImageRef(
        written=written,
        location=location,
        registry=registry,
        repository=name,
        tag=tag,
        digest=digest if at else None,
        unresolved=unresolved,
        problem=None
        if unresolved
        else reference_problem(registry, full_name, name, tag, digest if at else None),
    )


def _shown(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def reference_problem(
    registry: str | None, full_name: str, path: str, tag: str | None, digest: str | None
) -> str | None:
    """The first part of a split reference that breaks the distribution grammar, in words; None if valid.

    The rules are those of distribution/reference and opencontainers/go-digest, which Docker, containerd and
    the kubelet apply: a registry is a host name or IP with an optional port; the repository path is one or
    more lowercase components separated by `/`, at most 255 characters with the registry; a tag is at most
    128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`; a digest is a known algorithm with
    exactly its number of lowercase hex digits.
    """
    placeholder = _PLACEHOLDER.search(full_name + (f":{tag}" if tag is not None else ""))
    if placeholder is not None:
        return f"'{_shown(placeholder.group())}' is a placeholder, not an image name; write the image it stands for"
    if registry is not None and not _REFERENCE_DOMAIN.match(registry):
        return (
            f"the registry '{_shown(registry)}' is not a host name or IP address with an optional port "
            "(registry.example.com:5000)"
        )
    if not path:
        return "the repository name is missing"
    if path != path.lower():
        return f"the repository '{_shown(path)}' must be lowercase"
    bad = next((component for component in path.split("/") if not _PATH_COMPONENT.match(component)), None)
    if bad is not None:
        what = "an empty path component" if not bad else f"the path component '{_shown(bad)}'"
        return (
            f"the repository '{_shown(path)}' has {what}: components are lowercase letters and digits, "
            "joined by '.', '_', '__' or dashes"
        )
    if len(full_name) > MAX_NAME_LENGTH:
        return f"the repository name has {len(full_name)} characters; at most {MAX_NAME_LENGTH} are allowed"
    if tag is not None:
        if not tag:
            return "the tag after ':' is empty"
        if len(tag) > MAX_TAG_LENGTH:
            return f"the tag has {len(tag)} characters; at most {MAX_TAG_LENGTH} are allowed"
        if not _TAG.match(tag) or not tag.isascii():
            return (
                f"the tag '{_shown(tag)}' may hold only letters, digits, '_', '.' and '-', and may not start "
                "with '.' or '-'"
            )
    if digest is not None:
        return _digest_problem(digest)
    return None


def _digest_problem(digest: str) -> str | None:
    algorithm, colon, hex_digits = digest.partition(":")
    if not digest:
        return "the digest after '@' is empty"
    if not colon:
        return f"the digest '{_shown(digest)}' has no algorithm: write sha256:<64 hex digits>"
    if not _DIGEST_ALGORITHM.match(algorithm):
        return f"the digest algorithm '{_shown(algorithm)}' is not a valid algorithm name"
    expected = DIGEST_HEX_LENGTHS.get(algorithm)
    if expected is None:
        known = ", ".join(DIGEST_HEX_LENGTHS)
        return f"the digest algorithm '{_shown(algorithm)}' is not one registries accept ({known})"
    if not hex_digits:
        return f"the {algorithm} digest has no hex digits after '{algorithm}:'"
    if not _HEX.match(hex_digits):
        return f"the {algorithm} digest '{_shown(hex_digits, 20)}' holds characters that are not hexadecimal"
    if not _LOWER_HEX.match(hex_digits):
        return f"the {algorithm} digest '{_shown(hex_digits, 20)}' must be written in lowercase hex"
    if len(hex_digits) != expected:
        return f"the {algorithm} digest has {len(hex_digits)} hex digits; {algorithm} has {expected}"
    return None
