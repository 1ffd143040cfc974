"""MD301 secret-in-image: no secret baked into an image (ENV/ARG/LABEL values, copied key files, URLs with
credentials in RUN). Messages name the key and the place, never the value."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

from medlint.checks.secrets.patterns import (
    BUILTIN_PATTERNS,
    credential_format,
    is_literal_secret_value,
    is_secret_name,
    params_pattern,
    patterns_for,
)
from medlint.findings import Violation
from medlint.model import ArtifactKind, Dockerfile, Instruction, Project
from medlint.model.shell import split_words

DEFAULT_SECRET_FILES = BUILTIN_PATTERNS.image_secret_files  # rules/data/secret-patterns.yaml
# `scheme://user:password@`. A match may only start where a run of scheme characters starts (the
# lookbehind), so a long word without `://` is scanned once, not once per character (quadratic).
_URL_CREDENTIALS = re.compile(
    r"(?<![a-z0-9+.-])[0-9+.-]*[a-z][a-z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@", re.IGNORECASE
)


def _key_value_pairs(instruction: Instruction) -> list[tuple[str, str | None]]:
    """Keys and values of ENV/ARG/LABEL, in both the `k=v` and the legacy `k v` forms."""
    text = instruction.arguments.strip()
    try:
        words = split_words(text)
    except ValueError:  # an unbalanced quote: Docker would keep the raw words
        words = text.split()
    if instruction.keyword in ("ENV", "LABEL") and words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]) or None)]
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        key, sep, value = word.partition("=")
        pairs.append((key, value if sep else None))
    return pairs


_PUBLIC_WORDS = frozenset(
    {"pub", "public", "cert", "certs", "certificate", "chain", "fullchain", "ca", "bundle", "crt"}
)
_PRIVATE_WORDS = frozenset({"private", "priv", "key", "secret", "secrets"})


def is_public_material(file_name: str) -> bool:
    """Public keys and certificate chains (`id_rsa.pub`, `cert-chain.pem`, `ca.pem`) match the secret-file
    patterns by extension but hold nothing secret; a name that also says private or key stays a secret."""
    words = {word.lower() for word in re.split(r"[^A-Za-z0-9]+", file_name) if word}
    return bool(words & _PUBLIC_WORDS) and not words & _PRIVATE_WORDS


def _secret_file_patterns(params: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(patterns_for(params).image_secret_files)


def _where_the_value_goes(keyword: str, key: str, value: str | None) -> str:
    """What becomes of a secret-like build variable's value: an ENV value is part of the image configuration
    (every container's environment) and of the history; an ARG value is not in the image configuration, but
    the history records it with every RUN that uses it (and build provenance records build arguments)."""
    if keyword == "ENV":
        return (
            f"sets the secret-like variable {key}; its value is stored in the image configuration and history"
        )
    if keyword == "ARG" and value in (None, ""):
        return (
            f"declares the secret-like variable {key}; a value passed with --build-arg is recorded in the "
            "build history of every RUN that uses it"
        )
    if keyword == "ARG":
        return (
            f"sets the secret-like variable {key}; its default is in the Dockerfile and is recorded in the "
            "build history of every RUN that uses it"
        )
    return f"sets the secret-like label {key}; its value is stored in the image configuration"


def _instruction_secret_findings(
    dockerfile: Dockerfile, instruction: Instruction, params: Mapping[str, Any]
) -> Iterator[Violation]:
    pattern, pointers = params_pattern(params)
    subject = f"Dockerfile:{dockerfile.path}/stage:{instruction.stage_index}/{instruction.keyword}"
    where = instruction.location
    if instruction.keyword in ("ENV", "ARG", "LABEL"):
        for key, value in _key_value_pairs(instruction):
            if is_secret_name(key, pattern, pointers) and (
                value is None or value == "" or is_literal_secret_value(value)
            ):
                if instruction.keyword == "LABEL" and not value:
                    continue
                yield Violation(
                    where,
                    f"{instruction.keyword} {_where_the_value_goes(instruction.keyword, key, value)}",
                    f"{subject}:{key}",
                    ArtifactKind.DOCKERFILE,
                )
            elif value and credential_format(value, float(params.get("entropy_threshold", 4.5))):
                kind = credential_format(value, float(params.get("entropy_threshold", 4.5)))
                yield Violation(
                    where,
                    f"{instruction.keyword} {key} holds {kind}, which is baked into the image",
                    f"{subject}:{key}",
                    ArtifactKind.DOCKERFILE,
                )
    elif instruction.keyword in ("COPY", "ADD"):
        sources = (
            list(instruction.json_arguments or ())[:-1]
            if instruction.json_arguments
            else list(instruction.arguments.split()[:-1])
        )
        for source in sources:
            name = posixpath.basename(source.rstrip("/"))
            if any(
                fnmatch.fnmatch(name, pattern) for pattern in _secret_file_patterns(params)
            ) and not is_public_material(name):
                yield Violation(
                    where,
                    f"{instruction.keyword} copies the secret file {source} into the image",
                    f"{subject}:{source}",
                    ArtifactKind.DOCKERFILE,
                )
    elif instruction.keyword == "RUN":
        mounts = instruction.flags.get("mount", "")
        for command in instruction.commands:
            words = list(command.words)
            if not words:
                continue
            program = posixpath.basename(words[0])
            if program == "chpasswd":
                yield Violation(
                    where,
                    "RUN sets a password with chpasswd, which is recorded in the build history",
                    f"{subject}:chpasswd",
                    ArtifactKind.DOCKERFILE,
                )
            for index, word in enumerate(words):
                if word in ("-u", "--user") and program in ("curl",) and index + 1 < len(words):
                    credential = words[index + 1]
                    _user, sep, password = credential.partition(":")
                    if sep and password and not password.startswith("$"):
                        yield Violation(
                            where,
                            f"RUN passes an inline credential to {program} {word}; it is recorded in the build history",
                            f"{subject}:{program}-user",
                            ArtifactKind.DOCKERFILE,
                        )
                match = _URL_CREDENTIALS.search(word)
                if match and not match.group(1).startswith("$") and "type=secret" not in mounts:
                    yield Violation(
                        where,
                        "RUN uses a URL with an embedded password; it is recorded in the build history",
                        f"{subject}:url-credentials",
                        ArtifactKind.DOCKERFILE,
                    )


def secret_in_image(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD301: secrets in build variables, labels, copied files or RUN lines of any stage."""
    for dockerfile in project.dockerfiles:
        for instruction in dockerfile.global_args:
            yield from _instruction_secret_findings(dockerfile, instruction, params)
        for instruction in dockerfile.instructions():
            yield from _instruction_secret_findings(dockerfile, instruction, params)
