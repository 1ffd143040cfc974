"""Package URLs (purl), written and read per the purl specification (github.com/package-url/purl-spec).

`pkg:type/namespace/name@version?qualifiers#subpath`: the type in lower case; namespace segments, name and
version percent-encoded (a `:` stays as it is, as the specification's current text and packageurl-python
write it); qualifiers sorted by key, their values encoded likewise with `/` kept, empty ones left out.
Per-type normalisation follows the type definitions medlint writes: `oci`, `apk` and `npm` names and the
`deb` and `apk` namespaces in lower case, `pypi` names lower case with `_` as `-`, an `oci` version (a digest)
in lower case.

Reading is the inverse, for the purls of supplied SBOMs; a text that is not a purl gives None.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from medlint.redact import strip_url_credentials

_LOWER_NAME = {"oci", "apk", "npm", "deb", "pypi", "alpm", "bitnami", "github", "gitlab", "bitbucket", "helm"}
_LOWER_NAMESPACE = {"deb", "apk", "rpm", "alpm", "github", "gitlab", "bitbucket", "pypi"}


def _encode(text: str, keep: str = ":") -> str:
    return quote(text, safe=keep)


@dataclass(frozen=True, slots=True)
class Purl:
    """A parsed or composed Package URL."""

    type: str
    name: str
    namespace: str | None = None
    version: str | None = None
    qualifiers: Mapping[str, str] = field(default_factory=dict)
    subpath: str | None = None

    def __str__(self) -> str:
        return build_purl(self.type, self.name, self.namespace, self.version, self.qualifiers, self.subpath)


def build_purl(
    purl_type: str,
    name: str,
    namespace: str | None = None,
    version: str | None = None,
    qualifiers: Mapping[str, str | None] | None = None,
    subpath: str | None = None,
) -> str:
    """The canonical text of a purl."""
    kind = purl_type.strip().lower()
    name = name.strip().strip("/")
    if kind in _LOWER_NAME:
        name = name.lower()
    if kind == "pypi":
        name = name.replace("_", "-")
    parts = [f"pkg:{kind}/"]
    if namespace:
        segments = [segment for segment in namespace.strip("/").split("/") if segment.strip()]
        if kind in _LOWER_NAMESPACE:
            segments = [segment.lower() for segment in segments]
        if segments:
            parts.append("/".join(_encode(segment) for segment in segments) + "/")
    parts.append(_encode(name))
    if version:
        written = version.strip()
        parts.append("@" + _encode(written.lower() if kind == "oci" else written))
    # A repository or download URL may carry its credentials (`https://user:token@charts.example.com`):
    # a purl names where a component comes from, never how to log in there.
    pairs = sorted(
        (key.strip().lower(), strip_url_credentials(value.strip()))
        for key, value in (qualifiers or {}).items()
        if key and value is not None and value.strip()
    )
    if pairs:
        parts.append("?" + "&".join(f"{key}={_encode(value, ':/')}" for key, value in pairs))
    if subpath:
        segments = [s for s in subpath.strip("/").split("/") if s.strip() and s not in (".", "..")]
        if segments:
            parts.append("#" + "/".join(_encode(segment) for segment in segments))
    return "".join(parts)


def parse_purl(text: str) -> Purl | None:
    """The parts of a purl; None when `text` is not one (no `pkg:` scheme, no type or no name)."""
    if not isinstance(text, str):
        return None
    remainder = text.strip()
    if not remainder.lower().startswith("pkg:"):
        return None
    remainder = remainder[4:].lstrip("/")
    remainder, _, subpath = remainder.partition("#")
    remainder, _, query = remainder.partition("?")
    kind, slash, path = remainder.partition("/")
    if not slash or not kind:
        return None
    path = path.strip("/")
    version: str | None = None
    at = path.rfind("@")
    if at > path.rfind("/"):
        path, version = path[:at], unquote(path[at + 1 :]) or None
    namespace, _, name = path.rpartition("/")
    if not name:
        return None
    qualifiers: dict[str, str] = {}
    for pair in query.split("&") if query else ():
        key, equals, value = pair.partition("=")
        if equals and key and value:
            qualifiers[key.lower()] = unquote(value)
    return Purl(
        type=kind.lower(),
        name=unquote(name),
        namespace="/".join(unquote(part) for part in namespace.split("/")) if namespace else None,
        version=version,
        qualifiers=qualifiers,
        subpath="/".join(unquote(part) for part in subpath.split("/")) if subpath else None,
    )
