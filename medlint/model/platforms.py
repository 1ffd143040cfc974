"""BuildKit's automatic platform arguments, and image references that depend on them.

BuildKit defines TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT and their BUILD* twins for every build
(Dockerfile reference, "Automatic platform ARGs in the global scope"): `FROM` lines see them without an `ARG`,
a stage sees them once it declares `ARG TARGETARCH` (no default needed). They are never "unset".

Their values depend on the platform being built, so a reference such as `binary-$TARGETOS` stands for a
family of names. Where the family names stages of the Dockerfile (`binary-linux`, `binary-darwin`), the
reference is a stage: the Dockerfile builds those platforms from its own stages. Otherwise it is an external
image whose name varies by platform; it is read with the values of a build on 64-bit x86 Linux, the usual CI
runner, and shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

#: Each automatic platform argument and its value in a build for linux/amd64 on linux/amd64.
PLATFORM_ARGS: Mapping[str, str] = {
    "TARGETPLATFORM": "linux/amd64",
    "TARGETOS": "linux",
    "TARGETARCH": "amd64",
    "TARGETVARIANT": "",
    "BUILDPLATFORM": "linux/amd64",
    "BUILDOS": "linux",
    "BUILDARCH": "amd64",
    "BUILDVARIANT": "",
}
_NAMES = "|".join(PLATFORM_ARGS)
#: `$TARGETOS` or `${TARGETOS}` (a modifier such as `${TARGETARCH:-amd64}` still stands for the value).
_REFERENCE = re.compile(rf"\$\{{({_NAMES})(?:[:#%/+?-][^}}]*)?\}}|\$({_NAMES})(?![A-Za-z0-9_])")
#: What a value can look like inside a stage name: OS, architecture and variant names are lowercase words;
#: a whole platform (`linux/amd64`) holds a slash, which no stage name can.
_VALUE = {
    name: "[a-z0-9._-]+/[a-z0-9._/-]+" if name.endswith("PLATFORM") else "[a-z0-9._-]*"
    for name in PLATFORM_ARGS
}


def written_reference(name: str) -> str:
    """How an expanded text keeps a platform argument: `${TARGETARCH}`."""
    return "${" + name + "}"


def platform_dependent(text: str) -> bool:
    return "$" in text and _REFERENCE.search(text) is not None


def with_platform_values(text: str) -> str:
    """The text with each platform argument replaced by its linux/amd64 value."""
    return _REFERENCE.sub(lambda match: PLATFORM_ARGS[match.group(1) or match.group(2)], text)


def platform_stage(text: str, stage_names: Sequence[str]) -> str | None:
    """The stage a platform-dependent reference names, or None when its values name no stage.

    Stage names are compared in lower case, as BuildKit does. When several stages fit (one per platform), the
    one a linux/amd64 build takes is returned if it exists, else the first in the file: rules that follow the
    final image's lineage follow that one.
    """
    if not platform_dependent(text):
        return None
    pattern, position = [], 0
    for match in _REFERENCE.finditer(text):
        pattern.append(re.escape(text[position : match.start()].lower()))
        pattern.append(_VALUE[match.group(1) or match.group(2)])
        position = match.end()
    pattern.append(re.escape(text[position:].lower()))
    family = re.compile("".join(pattern))
    matching = [name for name in stage_names if family.fullmatch(name.lower())]
    if not matching:
        return None
    default = with_platform_values(text).lower()
    return default if default in matching else matching[0]
