"""Secrets: MD301 secret-in-image, MD302 plaintext-secret-value, MD303 committed-secret-manifest,
MD304 secret-on-command-line.

Every message names the key and the place, never the value (principle 6): a finding about a secret must be
safe to paste into a ticket, a SARIF dashboard or an audit record.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import posixpath
import re
import shlex
from typing import Any, Iterator, Mapping

from medlint.checks.secret_patterns import (
    credential_format,
    is_literal_secret_value,
    is_secret_name,
    matches_placeholder,
    params_pattern,
)
from medlint.findings import Violation
from medlint.model import ArtifactKind, Dockerfile, Instruction, K8sObject, Located, Project, Workload
from medlint.source import YamlList, YamlMap, key_location

DEFAULT_SECRET_FILES = (".env", ".env.*", "*.pem", "*.key", "id_rsa*", "id_ed25519*", "id_ecdsa*", "*.p12", "*.pfx",
                        ".npmrc", ".pypirc", "credentials", "credentials.*", ".netrc", ".git-credentials")
_URL_CREDENTIALS = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@", re.IGNORECASE)


# --------------------------------------------------------------------------------------------------
# MD301


def _key_value_pairs(instruction: Instruction) -> list[tuple[str, str | None]]:
    """Keys and values of ENV/ARG/LABEL, in both the `k=v` and the legacy `k v` forms."""
    text = instruction.arguments.strip()
    try:
        words = shlex.split(text, posix=True)
    except ValueError:  # an unbalanced quote: Docker would keep the raw words
        words = text.split()
    if instruction.keyword in ("ENV", "LABEL") and words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]) or None)]
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        key, sep, value = word.partition("=")
        pairs.append((key, value if sep else None))
    return pairs


def _secret_file_patterns(params: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(params.get("secret_file_patterns") or DEFAULT_SECRET_FILES)


def _instruction_secret_findings(dockerfile: Dockerfile, instruction: Instruction, params: Mapping[str, Any]) -> Iterator[Violation]:
    pattern, pointers = params_pattern(params)
    subject = f"Dockerfile:{dockerfile.path}/stage:{instruction.stage_index}/{instruction.keyword}"
    where = instruction.location
    if instruction.keyword in ("ENV", "ARG", "LABEL"):
        for key, value in _key_value_pairs(instruction):
            if is_secret_name(key, pattern, pointers) and (value is None or value == "" or is_literal_secret_value(value)):
                if instruction.keyword == "LABEL" and not value:
                    continue
                how = "declares" if value in (None, "") else "sets"
                yield Violation(where, f"{instruction.keyword} {how} the secret-like variable {key}; its value is stored in the image config and build history",
                                f"{subject}:{key}", ArtifactKind.DOCKERFILE)
            elif value and credential_format(value, float(params.get("entropy_threshold", 4.5))):
                kind = credential_format(value, float(params.get("entropy_threshold", 4.5)))
                yield Violation(where, f"{instruction.keyword} {key} holds {kind}, which is baked into the image",
                                f"{subject}:{key}", ArtifactKind.DOCKERFILE)
    elif instruction.keyword in ("COPY", "ADD"):
        sources = list(instruction.json_arguments or ())[:-1] if instruction.json_arguments else \
            [word for word in instruction.arguments.split()[:-1]]
        for source in sources:
            name = posixpath.basename(source.rstrip("/"))
            if any(fnmatch.fnmatch(name, pattern) for pattern in _secret_file_patterns(params)):
                yield Violation(where, f"{instruction.keyword} copies the secret file {source} into the image",
                                f"{subject}:{source}", ArtifactKind.DOCKERFILE)
    elif instruction.keyword == "RUN":
        mounts = instruction.flags.get("mount", "")
        for command in instruction.commands:
            words = list(command.words)
            if not words:
                continue
            program = posixpath.basename(words[0])
            if program == "chpasswd":
                yield Violation(where, "RUN sets a password with chpasswd, which is recorded in the build history",
                                f"{subject}:chpasswd", ArtifactKind.DOCKERFILE)
            for index, word in enumerate(words):
                if word in ("-u", "--user") and program in ("curl",) and index + 1 < len(words):
                    credential = words[index + 1]
                    user, sep, password = credential.partition(":")
                    if sep and password and not password.startswith("$"):
                        yield Violation(where, f"RUN passes an inline credential to {program} {word}; it is recorded in the build history",
                                        f"{subject}:{program}-user", ArtifactKind.DOCKERFILE)
                match = _URL_CREDENTIALS.search(word)
                if match and not match.group(1).startswith("$") and "type=secret" not in mounts:
                    yield Violation(where, "RUN uses a URL with an embedded password; it is recorded in the build history",
                                    f"{subject}:url-credentials", ArtifactKind.DOCKERFILE)


def secret_in_image(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD301: secrets in build variables, labels, copied files or RUN lines of any stage."""
    for dockerfile in project.dockerfiles:
        for instruction in dockerfile.global_args:
            yield from _instruction_secret_findings(dockerfile, instruction, params)
        for instruction in dockerfile.instructions():
            yield from _instruction_secret_findings(dockerfile, instruction, params)


# --------------------------------------------------------------------------------------------------
# MD302


def _walk_values(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], YamlMap, str, Any]]:
    """(key path, parent mapping, key, scalar value) for every scalar under a values tree."""
    if isinstance(node, YamlMap):
        for key, value in node.items():
            key_text = str(key)
            if isinstance(value, (YamlMap, YamlList)):
                yield from _walk_values(value, path + (key_text,))
            else:
                yield path + (key_text,), node, key_text, value
    elif isinstance(node, YamlList):
        for index, item in enumerate(node):
            yield from _walk_values(item, path + (f"[{index}]",))


def _has_existing_secret(parent: YamlMap) -> bool:
    return any(
        str(key).lower().startswith("existingsecret") and isinstance(value, str) and value.strip()
        for key, value in parent.items()
    )


def plaintext_secret_value(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD302: literal secret values in Compose environment, Kubernetes env and Helm values."""
    pattern, pointers = params_pattern(params)
    for workload in project.workloads:
        if workload.artifact is ArtifactKind.DOCKERFILE:
            continue
        for container in workload.containers:
            for env in container.env:
                if not is_secret_name(env.name, pattern, pointers):
                    continue
                subject = f"{workload.subject}/container:{container.name}/env:{env.name}"
                who = f'service "{workload.name}"' if workload.artifact is ArtifactKind.COMPOSE else \
                    f'container "{container.name}" of {workload.subject}'
                if env.source == "literal" and is_literal_secret_value(env.value):
                    yield Violation(env.location, f"{who} sets {env.name} to a literal value; deliver it from a secret instead",
                                    subject, workload.artifact)
                elif env.default is not None and is_literal_secret_value(env.default):
                    yield Violation(env.location, f"{who} gives {env.name} a literal default in ${{...:-...}}; the default ships to every site",
                                    subject, workload.artifact)
    for chart in project.charts:
        for values_file in chart.values_files:
            for path, parent, key, value in _walk_values(values_file.values):
                if not is_secret_name(key, pattern, pointers) or not is_literal_secret_value(value):
                    continue
                if isinstance(value, (int, float)) or _has_existing_secret(parent):
                    continue
                dotted = ".".join(path)
                yield Violation(key_location(values_file.path, parent, key),
                                f"values key {dotted} has a literal default; use an existingSecret reference with an empty default",
                                f"chart:{chart.directory or '.'}/values:{values_file.path}:{dotted}", ArtifactKind.HELM)


# --------------------------------------------------------------------------------------------------
# MD303


def _decoded(value: Any, is_base64: bool) -> str | None:
    if value is None:
        return ""
    text = str(value)
    if not is_base64:
        return text
    try:
        return base64.b64decode(text, validate=False).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None  # not valid base64: the API rejects it; treat the raw text as the value


def _is_sops(obj: K8sObject) -> bool:
    if "sops" in obj.body:
        return True
    return False


def _secret_entries(obj: K8sObject) -> Iterator[tuple[YamlMap, str, str | None]]:
    """Decoded entries: a Secret's `data` is base64, a ConfigMap's `data` is text and `binaryData` base64."""
    sections = (("data", True), ("stringData", False)) if obj.kind == "Secret" else (("data", False), ("binaryData", True))
    for section, is_base64 in sections:
        table = obj.body.get(section)
        if isinstance(table, YamlMap):
            for key, value in table.items():
                decoded = _decoded(value, is_base64)
                yield table, str(key), str(value) if decoded is None else decoded


def committed_secret_manifest(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD303: Secret manifests with real data, and ConfigMaps holding secret-like entries."""
    placeholders = tuple(params.get("placeholder_patterns") or ())
    pattern, pointers = params_pattern(params)
    for obj in project.k8s_objects:
        if obj.kind not in ("Secret", "ConfigMap") or not isinstance(obj.body, YamlMap) or _is_sops(obj):
            continue
        artifact = ArtifactKind.HELM if obj.rendered_from else ArtifactKind.KUBERNETES
        for table, key, value in _secret_entries(obj):
            if value is None or "ENC[" in value:
                continue
            where = key_location(obj.path, table, key)
            subject = f"{obj.subject}/key:{key}"
            if obj.kind == "Secret":
                if not matches_placeholder(value, placeholders):
                    yield Violation(where, f'{obj.subject} commits a value for key "{key}"; base64 is an encoding, not encryption',
                                    subject, artifact)
            else:
                if is_secret_name(key, pattern, pointers) and is_literal_secret_value(value):
                    yield Violation(where, f'{obj.subject} holds the secret-like entry "{key}" in plain text',
                                    subject, artifact)
                else:
                    kind = credential_format(value, float(params.get("entropy_threshold", 4.5)))
                    if kind:
                        yield Violation(where, f'{obj.subject} entry "{key}" contains {kind}', subject, artifact)


# --------------------------------------------------------------------------------------------------
# MD304

SECRET_FLAGS = ("--requirepass", "--password", "--token", "--masterauth", "--api-key", "--apikey", "--secret",
                "--client-secret", "--access-key", "--secret-key", "--pass")
DB_CLIENTS = ("mysql", "mariadb", "mysqldump", "mysqladmin", "mariadb-dump")


_LAUNCHERS = ("CMD", "CMD-SHELL", "exec", "env", "sh", "bash", "ash", "dash", "-c", "&&", "||", ";", "|")


def _starts_program(tokens: list[str], index: int) -> bool:
    """Whether tokens[index] is a program name: the first word that is no launcher or assignment."""
    if tokens[index] in _LAUNCHERS or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", tokens[index]):
        return False
    previous = tokens[:index]
    while previous and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", previous[-1]):
        previous.pop()
    return not previous or previous[-1] in _LAUNCHERS


def _argv_problems(words: list[str], secret_env: set[str], pattern: str, pointers: tuple[str, ...]) -> Iterator[str]:
    """Why an argv exposes a secret (a short phrase), for each problem found. Never the value."""
    tokens: list[str] = []
    for word in words:
        tokens.extend(word.split())  # `sh -c "redis-server --requirepass x"`: the inner script counts too
    program = ""
    for index, token in enumerate(tokens):
        base = posixpath.basename(token)
        if _starts_program(tokens, index):
            program = base
        flag = token.split("=", 1)[0]
        if flag.lower() in SECRET_FLAGS:
            yield f"the flag {flag}"
        elif program in ("redis-cli",) and token == "-a":
            yield "redis-cli -a"
        elif program in DB_CLIENTS and token.startswith("-p") and len(token) > 2:
            yield f"{program} -p<password>"
        elif token.startswith("PGPASSWORD=") or token.startswith("MYSQL_PWD="):
            yield f"{token.split('=', 1)[0]}= on the command line"
        for name in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", token):
            if name in secret_env:
                yield f"$({name}), an environment variable taken from a Secret"
        for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", token.replace("$$", "$")):
            if is_secret_name(name, pattern, pointers) and name not in secret_env and f"$({name})" not in token:
                yield f"the secret-like variable {name} expanded into argv"


def _command_sets(workload: Workload) -> Iterator[tuple[str, list[Located[str]], set[str]]]:
    """Each argv of a workload: container command plus args, then every exec probe or healthcheck test."""
    for container in workload.containers:
        secret_env = {env.name for env in container.env if env.source == "secret"}
        yield container.name, list(container.command) + list(container.args), secret_env
        for probe in container.probes:
            if probe.command:
                yield container.name, [Located(word, probe.location) for word in probe.command], secret_env


def secret_on_command_line(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD304: secrets passed in argv, where `ps`, /proc and `docker inspect` show them."""
    pattern, pointers = params_pattern(params)
    for workload in project.workloads:
        if workload.artifact is ArtifactKind.DOCKERFILE:
            continue
        for container_name, words, secret_env in _command_sets(workload):
            if not words:
                continue
            problems = list(dict.fromkeys(_argv_problems([w.value for w in words], secret_env, pattern, pointers)))
            if not problems:
                continue
            who = f'service "{workload.name}"' if workload.artifact is ArtifactKind.COMPOSE else \
                f'container "{container_name}" of {workload.subject}'
            yield Violation(words[0].location, f"{who} passes a secret on the command line ({'; '.join(problems)})",
                            f"{workload.subject}/container:{container_name}/argv", workload.artifact)
