"""Secrets: MD301 secret-in-image, MD302 plaintext-secret-value, MD303 committed-secret-manifest,
MD304 secret-on-command-line, MD305 secret-as-env-var, MD306 build-context-secrets, MD308 external-secret-config.

Every message names the key and the place, never the value (principle 6): a finding about a secret must be
safe to paste into a ticket, a SARIF dashboard or an audit record.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medlint.checks.dockerignore_match import IgnoreMatcher, compile_ignore
from medlint.checks.secret_patterns import (
    BUILTIN_PATTERNS,
    credential_format,
    is_literal_secret_value,
    is_secret_name,
    matches_placeholder,
    params_pattern,
    patterns_for,
)
from medlint.findings import RelatedLocation, Violation
from medlint.model import (
    ArtifactKind,
    ComposeProject,
    Dockerfile,
    DockerIgnore,
    Instruction,
    K8sObject,
    Located,
    Project,
    Workload,
)
from medlint.parsers.compose_positions import SourcedMap, compose_key_location, compose_value_location
from medlint.parsers.shell import split_words
from medlint.source import Location, YamlList, YamlMap, key_location

DEFAULT_SECRET_FILES = BUILTIN_PATTERNS.image_secret_files  # rules/data/secret-patterns.yaml
# `scheme://user:password@`. A match may only start where a run of scheme characters starts (the
# lookbehind), so a long word without `://` is scanned once, not once per character (quadratic).
_URL_CREDENTIALS = re.compile(
    r"(?<![a-z0-9+.-])[0-9+.-]*[a-z][a-z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@", re.IGNORECASE
)


# --------------------------------------------------------------------------------------------------
# MD301


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
                how = "declares" if value in (None, "") else "sets"
                yield Violation(
                    where,
                    f"{instruction.keyword} {how} the secret-like variable {key}; its value is stored in the image config and build history",
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


# --------------------------------------------------------------------------------------------------
# MD302


def _walk_values(
    node: Any, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], YamlMap, str, Any]]:
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
                who = (
                    f'service "{workload.name}"'
                    if workload.artifact is ArtifactKind.COMPOSE
                    else f'container "{container.name}" of {workload.subject}'
                )
                if env.source == "literal" and is_literal_secret_value(env.value):
                    yield Violation(
                        env.location,
                        f"{who} sets {env.name} to a literal value; deliver it from a secret instead",
                        subject,
                        workload.artifact,
                    )
                elif env.default is not None and is_literal_secret_value(env.default):
                    yield Violation(
                        env.location,
                        f"{who} gives {env.name} a literal default in ${{...:-...}}; the default ships to every site",
                        subject,
                        workload.artifact,
                    )
    for chart in project.charts:
        for values_file in chart.values_files:
            for path, parent, key, value in _walk_values(values_file.values):
                if not is_secret_name(key, pattern, pointers) or not is_literal_secret_value(value):
                    continue
                if isinstance(value, (int, float)) or _has_existing_secret(parent):
                    continue
                dotted = ".".join(path)
                yield Violation(
                    key_location(values_file.path, parent, key),
                    f"values key {dotted} has a literal default; use an existingSecret reference with an empty default",
                    f"chart:{chart.directory or '.'}/values:{values_file.path}:{dotted}",
                    ArtifactKind.HELM,
                )


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
    return "sops" in obj.body


def _secret_entries(obj: K8sObject) -> Iterator[tuple[YamlMap, str, str | None]]:
    """Decoded entries: a Secret's `data` is base64, a ConfigMap's `data` is text and `binaryData` base64."""
    sections = (
        (("data", True), ("stringData", False))
        if obj.kind == "Secret"
        else (("data", False), ("binaryData", True))
    )
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
                    yield Violation(
                        where,
                        f'{obj.subject} commits a value for key "{key}"; base64 is an encoding, not encryption',
                        subject,
                        artifact,
                    )
            else:
                if is_secret_name(key, pattern, pointers) and is_literal_secret_value(value):
                    yield Violation(
                        where,
                        f'{obj.subject} holds the secret-like entry "{key}" in plain text',
                        subject,
                        artifact,
                    )
                else:
                    kind = credential_format(value, float(params.get("entropy_threshold", 4.5)))
                    if kind:
                        yield Violation(
                            where, f'{obj.subject} entry "{key}" contains {kind}', subject, artifact
                        )


# --------------------------------------------------------------------------------------------------
# MD304

SECRET_FLAGS = (
    "--requirepass",
    "--password",
    "--token",
    "--masterauth",
    "--api-key",
    "--apikey",
    "--secret",
    "--client-secret",
    "--access-key",
    "--secret-key",
    "--pass",
)
DB_CLIENTS = ("mysql", "mariadb", "mysqldump", "mysqladmin", "mariadb-dump")


_LAUNCHERS = ("CMD", "CMD-SHELL", "exec", "env", "sh", "bash", "ash", "dash", "-c", "&&", "||", ";", "|")


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def _program_starts(tokens: list[str]) -> list[bool]:
    """For each token, whether it is a program name: the first word that is no launcher or assignment
    after a launcher (or at the start). One pass: the word before a token, skipping assignments, is carried
    along instead of being searched for again (quadratic on a long argv)."""
    starts: list[bool] = []
    previous: str | None = None  # the last token that is no assignment
    for token in tokens:
        assignment = _ASSIGNMENT.match(token) is not None
        starts.append(
            token not in _LAUNCHERS and not assignment and (previous is None or previous in _LAUNCHERS)
        )
        if not assignment:
            previous = token
    return starts


def _argv_problems(
    words: list[str], secret_env: set[str], pattern: str, pointers: tuple[str, ...]
) -> Iterator[str]:
    """Why an argv exposes a secret (a short phrase), for each problem found. Never the value."""
    tokens: list[str] = []
    for word in words:
        tokens.extend(word.split())  # `sh -c "redis-server --requirepass x"`: the inner script counts too
    program = ""
    for token, starts in zip(tokens, _program_starts(tokens)):
        if starts:
            program = posixpath.basename(token)
        flag = token.split("=", 1)[0]
        if flag.lower() in SECRET_FLAGS:
            yield f"the flag {flag}"
        elif program in ("redis-cli",) and token == "-a":
            yield "redis-cli -a"
        elif program in DB_CLIENTS and token.startswith("-p") and len(token) > 2:
            yield f"{program} -p<password>"
        elif token.startswith(("PGPASSWORD=", "MYSQL_PWD=")):
            yield f"{token.split('=', 1)[0]}= on the command line"
        for name in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", token):
            if name in secret_env:
                yield f"$({name}), an environment variable taken from a Secret"
        for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", token.replace("$$", "$")):
            if (
                is_secret_name(name, pattern, pointers)
                and name not in secret_env
                and f"$({name})" not in token
            ):
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
            problems = list(
                dict.fromkeys(_argv_problems([w.value for w in words], secret_env, pattern, pointers))
            )
            if not problems:
                continue
            who = (
                f'service "{workload.name}"'
                if workload.artifact is ArtifactKind.COMPOSE
                else f'container "{container_name}" of {workload.subject}'
            )
            yield Violation(
                words[0].location,
                f"{who} passes a secret on the command line ({'; '.join(problems)})",
                f"{workload.subject}/container:{container_name}/argv",
                workload.artifact,
            )


# --------------------------------------------------------------------------------------------------
# MD305


def _who(workload: Workload, container_name: str) -> str:
    if workload.artifact is ArtifactKind.COMPOSE:
        return f'service "{workload.name}"'
    return f'container "{container_name}" of {workload.subject}'


def _kubernetes_env_secrets(workload: Workload) -> Iterator[Violation]:
    """secretKeyRef variables and envFrom.secretRef sources of every container (init and ephemeral too)."""
    for container in workload.containers:
        who = _who(workload, container.name)
        base = f"{workload.subject}/container:{container.name}"
        for env in container.env:
            if env.source == "secret":
                yield Violation(
                    env.location,
                    f'{who} receives key "{env.secret_key}" of Secret "{env.secret_name}" as the environment '
                    f"variable {env.name}; mount the Secret as a file instead",
                    f"{base}/env:{env.name}",
                    workload.artifact,
                )
        for source in container.env_from_secrets:
            yield Violation(
                source.location,
                f'{who} loads every key of Secret "{source.value}" into its environment (envFrom.secretRef); '
                "mount the Secret as a file instead",
                f"{base}/envFrom:{source.value}",
                workload.artifact,
            )


def _compose_env_secrets(workload: Workload, pattern: str, pointers: tuple[str, ...]) -> Iterator[Violation]:
    """Secret-like `environment` keys whose value comes from the host (`${VAR}`, or a bare `KEY`)."""
    container = workload.containers[0]
    for env in container.env:
        if env.source not in ("interpolated", "unset") or not is_secret_name(env.name, pattern, pointers):
            continue
        origin = (
            ", ".join(f"${{{name}}}" for name in env.interpolated_names)
            if env.source == "interpolated" and env.interpolated_names != (env.name,)
            else f"the host variable {env.name}"
        )
        yield Violation(
            env.location,
            f'service "{workload.name}" takes the secret-like variable {env.name} from {origin}; '
            f"deliver it with `secrets:` and the variable {env.name}_FILE instead",
            f"{workload.subject}/env:{env.name}",
            workload.artifact,
        )


def secret_as_env_var(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD305: secrets handed over as environment variables, which leak through dumps, inspect and children."""
    pattern, pointers = params_pattern(params)
    for workload in project.workloads:
        if workload.artifact is ArtifactKind.DOCKERFILE:
            continue
        if workload.artifact is ArtifactKind.COMPOSE:
            yield from _compose_env_secrets(workload, pattern, pointers)
        else:
            yield from _kubernetes_env_secrets(workload)


# --------------------------------------------------------------------------------------------------
# MD306
#
# Two parts. The ignore-file part reads the Dockerfile and its `.dockerignore`. The repository part needs to
# know which files lie in each build context and whether git tracks them; checks do no I/O, so the loader
# provides `Project.repository_files` (git-tracked paths, None without VCS metadata), `workspace_files`
# (paths present on disk under the scanned paths and the build contexts) and `dockerignore_files` (the ignore
# files of contexts that are not a scanned Dockerfile's directory). Each is read with getattr so the check
# keeps working, at W, on a model that does not have them yet.

#: `COPY <source>` forms that send the whole context (`COPY .`, `COPY ./ /app`, `ADD . /x`, `COPY * /app`).
WHOLE_CONTEXT_SOURCES = frozenset({".", "*", "/", "/*"})
#: What the ignore file must exclude (catalog MD306), each with the paths that show it is excluded.
DEFAULT_REQUIRED_IGNORES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (".git", (".git/HEAD", ".git/config")),
    (".env*", (".env", ".env.local", ".env.production")),
    ("*.pem", ("server.pem",)),
    ("*.key", ("server.key",)),
    ("**/secrets/**", ("secrets/token", "app/secrets/token")),
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")
_PROBE = "medlint-probe"


@dataclass(frozen=True, slots=True)
class BuildContext:
    """A directory sent to the builder, and what medlint knows about the ignore file that filters it."""

    directory: str  # repository-relative, "." for the root
    owner: str  # for messages: "Dockerfile app/Dockerfile" or 'service "web" of compose.yaml'
    artifact: ArtifactKind
    anchor: Location  # where a finding about the whole context goes when no whole-context COPY exists
    dockerfile: Dockerfile | None  # the Dockerfile built from it; None for inline or unscanned Dockerfiles
    ignore: DockerIgnore | None
    ignore_known: bool  # False when the context's ignore file could not be determined
    additional: bool = False  # a Compose `additional_contexts` entry: only the repository part applies


def _context_dir(path: str) -> str:
    return posixpath.normpath(path) if path else "."


def _inside(path: str, directory: str) -> str | None:
    """`path` relative to `directory`, or None when it lies outside."""
    if directory == ".":
        return path
    return path[len(directory) + 1 :] if path.startswith(directory + "/") else None


def _is_local_context(reference: str) -> bool:
    return not (_SCHEME.match(reference) or reference.startswith(("git@", "github.com/", "/")))


def _ignore_for(
    project: Project, directory: str, dockerfile_path: str | None
) -> tuple[DockerIgnore | None, bool]:
    """The ignore file BuildKit uses for a context: `<Dockerfile>.dockerignore`, else `<context>/.dockerignore`.

    Returns (ignore file or None, whether that answer is known).
    """
    candidates = ([dockerfile_path + ".dockerignore"] if dockerfile_path else []) + [
        posixpath.normpath(posixpath.join(directory, ".dockerignore"))
    ]
    listed = getattr(project, "dockerignore_files", None)
    if listed is not None:
        by_path = {item.path: item for item in listed}
        return next((by_path[path] for path in candidates if path in by_path), None), True
    dockerfile = project.dockerfile(dockerfile_path)
    if dockerfile is None:
        return None, False
    if dockerfile.ignore_file is not None and dockerfile.ignore_file.path in candidates:
        return dockerfile.ignore_file, True
    if _context_dir(posixpath.dirname(dockerfile.path)) == directory:
        return dockerfile.ignore_file, True  # the loader looked in exactly this directory
    return None, False


def _compose_contexts(project: Project, compose: ComposeProject) -> Iterator[BuildContext]:
    for service in compose.services:
        if service.build_context is None or not _is_local_context(service.build_context):
            continue
        raw = service.raw if isinstance(service.raw, dict) else {}
        anchor = compose_key_location(raw, "build", service.location)
        owner = f'service "{service.name}" of {compose.path}'
        directory = _context_dir(service.build_context)
        ignore, known = _ignore_for(project, directory, service.dockerfile_path)
        yield BuildContext(
            directory,
            owner,
            ArtifactKind.COMPOSE,
            anchor,
            project.dockerfile(service.dockerfile_path),
            ignore,
            known,
        )
        yield from _additional_contexts(project, raw, owner)


def _additional_contexts(project: Project, raw: Mapping[str, Any], owner: str) -> Iterator[BuildContext]:
    """Local `build.additional_contexts` (mapping or `name=path` list), resolved against their Compose file."""
    from medlint.parsers.compose import (
        build_as_mapping,
        split_assignment,
    )  # loaded anyway when Compose exists

    build = build_as_mapping(raw) if isinstance(raw, SourcedMap) else None
    node = build.get("additional_contexts") if isinstance(build, Mapping) else None
    entries = (
        list(node.items())
        if isinstance(node, Mapping)
        else [(index, split_assignment(item)[1]) for index, item in enumerate(node)]
        if isinstance(node, list)
        else []
    )
    for key, value in entries:
        if not value or not _is_local_context(str(value)):
            continue
        where = compose_value_location(node, key)
        directory = _context_dir(posixpath.join(posixpath.dirname(where.path), str(value)))
        ignore, known = _ignore_for(project, directory, None)
        yield BuildContext(
            directory,
            f"{owner} (additional context)",
            ArtifactKind.COMPOSE,
            where,
            None,
            ignore,
            known,
            additional=True,
        )


def build_contexts(project: Project) -> list[BuildContext]:
    """Every local build context: each Compose `build:` (with its additional contexts), and the directory of
    each scanned Dockerfile that no Compose service builds. One entry per (directory, Dockerfile)."""
    contexts: list[BuildContext] = []
    for compose in project.compose_projects:
        contexts.extend(_compose_contexts(project, compose))
    built_by_compose = {context.dockerfile.path for context in contexts if context.dockerfile is not None}
    for dockerfile in project.dockerfiles:
        if dockerfile.path in built_by_compose or not dockerfile.stages:
            continue
        directory = _context_dir(posixpath.dirname(dockerfile.path))
        anchor = dockerfile.stages[0].from_instruction.location
        contexts.append(
            BuildContext(
                directory,
                f"Dockerfile {dockerfile.path}",
                ArtifactKind.DOCKERFILE,
                anchor,
                dockerfile,
                dockerfile.ignore_file,
                True,
            )
        )
    unique: dict[tuple[str, str | None, bool], BuildContext] = {}
    for context in contexts:
        key = (
            context.directory,
            context.dockerfile.path if context.dockerfile else context.owner,
            context.additional,
        )
        unique.setdefault(key, context)
    return list(unique.values())


def _copy_sources(instruction: Instruction) -> list[str]:
    """The source operands of a COPY/ADD (heredoc bodies excluded)."""
    if instruction.json_arguments is not None:
        return list(instruction.json_arguments[:-1])
    words = (instruction.resolved or instruction.arguments).split()
    return [word for word in words[:-1] if not word.startswith("<<")]


def whole_context_copy(dockerfile: Dockerfile) -> Instruction | None:
    """The first COPY/ADD, in any stage, that copies the whole build context."""
    for instruction in dockerfile.instructions():
        if instruction.keyword not in ("COPY", "ADD") or "from" in instruction.flags:
            continue
        if any(posixpath.normpath(source) in WHOLE_CONTEXT_SOURCES for source in _copy_sources(instruction)):
            return instruction
    return None


def _required_ignores(params: Mapping[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    configured = params.get("required_ignore_patterns")
    if not configured:
        return DEFAULT_REQUIRED_IGNORES
    return tuple((str(item["pattern"]), tuple(str(probe) for probe in item["probes"])) for item in configured)


def _ignore_file_findings(context: BuildContext, params: Mapping[str, Any]) -> Iterator[Violation]:
    """Part 1: a whole-context COPY needs an ignore file that excludes .git, .env*, keys and secrets/."""
    if context.additional or context.dockerfile is None:
        return
    copy = whole_context_copy(context.dockerfile)
    if copy is None:
        return
    dockerfile = context.dockerfile
    subject = f"build-context:{context.directory}/dockerfile:{dockerfile.path}/ignore-file"
    artifact = ArtifactKind.DOCKERFILE
    copied = f"{copy.keyword} {' '.join(_copy_sources(copy))}"
    if not context.ignore_known:
        yield Violation(
            copy.location,
            f"{dockerfile.path} copies its whole build context ({copied}) and medlint could "
            f"not read the .dockerignore of context {context.directory} ({context.owner})",
            subject,
            artifact,
            variant="unverified",
        )
        return
    if context.ignore is None:
        yield Violation(
            copy.location,
            f"{dockerfile.path} copies its whole build context ({copied}) but context "
            f"{context.directory} has no .dockerignore, so .git, .env files and keys enter the build",
            subject,
            artifact,
        )
        return
    matcher = compile_ignore(context.ignore.patterns)
    missing = [
        pattern
        for pattern, probes in _required_ignores(params)
        if not all(matcher.excludes(probe) for probe in probes)
    ]
    if missing:
        yield Violation(
            copy.location,
            f"{dockerfile.path} copies its whole build context ({copied}) but "
            f"{context.ignore.path} does not exclude {', '.join(missing)}",
            subject,
            artifact,
            related=(RelatedLocation(Location(context.ignore.path), "the ignore file"),),
        )


@dataclass(frozen=True, slots=True)
class SecretFileMatcher:
    """The repository secret-file patterns (§3.2): name patterns on the file name, path patterns on the path."""

    name_patterns: tuple[str, ...]
    path_patterns: tuple[tuple[str, IgnoreMatcher], ...]
    template_suffixes: tuple[str, ...]

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SecretFileMatcher:
        table = patterns_for(params)
        patterns = tuple(table.repository_secret_files)
        suffixes = tuple(table.template_suffixes)
        return cls(
            name_patterns=tuple(pattern for pattern in patterns if "/" not in pattern),
            path_patterns=tuple(
                (pattern, compile_ignore([pattern])) for pattern in patterns if "/" in pattern
            ),
            template_suffixes=suffixes,
        )

    def match(self, path: str) -> str | None:
        """The pattern a (context-relative) path matches, or None; templates and source files never match."""
        name = posixpath.basename(path)
        if name.endswith(self.template_suffixes):
            return None
        for pattern in self.name_patterns:
            if fnmatch.fnmatchcase(name, pattern):
                return pattern
        return next((pattern for pattern, matcher in self.path_patterns if matcher.excludes(path)), None)

    def probes(self) -> tuple[str, ...]:
        """Paths that stand for every pattern, at the context root and one directory down."""
        names = [
            pattern.replace("**/", "").replace("/**", f"/{_PROBE}")
            for pattern in self.name_patterns + tuple(pattern for pattern, _ in self.path_patterns)
        ]
        stems = {name.replace("*", filler) for name in names for filler in ("", _PROBE)}
        return tuple(sorted(stems | {f"{_PROBE}-dir/{stem}" for stem in stems}))


def _is_env_file(path: str, secret_files: SecretFileMatcher) -> bool:
    name = posixpath.basename(path)
    return (name == ".env" or name.startswith(".env.")) and not name.endswith(secret_files.template_suffixes)


def _unlisted_context_findings(
    contexts: list[BuildContext], secret_files: SecretFileMatcher
) -> Iterator[Violation]:
    """No file listing at all: one W per context whose ignore file does not keep every secret pattern out."""
    probes = secret_files.probes()
    for context in contexts:
        if context.additional:
            continue
        if context.ignore_known and context.ignore is not None:
            matcher = compile_ignore(context.ignore.patterns)
            if all(matcher.excludes(probe) for probe in probes):
                continue
        copy = whole_context_copy(context.dockerfile) if context.dockerfile is not None else None
        location = copy.location if copy is not None else context.anchor
        artifact = ArtifactKind.DOCKERFILE if copy is not None else context.artifact
        yield Violation(
            location,
            f"medlint cannot tell which files of build context {context.directory} ({context.owner}) "
            "are tracked by git (no VCS metadata or file listing), so secret files in it were not checked",
            f"build-context:{context.directory}/{context.owner}/repository",
            artifact,
            variant="unverified",
        )


def _context_file_findings(
    contexts: list[BuildContext], files: tuple[str, ...], tracked: bool, secret_files: SecretFileMatcher
) -> Iterator[Violation]:
    """Secret files inside a context that its ignore file lets through, once per file."""
    candidates = [path for path in files if secret_files.match(path)]  # a superset of the per-context matches
    reported: set[str] = set()
    for context in contexts:
        matcher = compile_ignore(context.ignore.patterns) if context.ignore is not None else None
        for path in candidates:
            relative = _inside(path, context.directory)
            if path in reported or relative is None or (matcher is not None and matcher.excludes(relative)):
                continue
            pattern = secret_files.match(relative)
            if pattern is None:
                continue
            reported.add(path)
            yield _secret_file_violation(
                path,
                f"looks like a secret file ({pattern}) and lies in build context "
                f"{context.directory} of {context.owner}, which does not exclude it",
                tracked,
                context.artifact,
            )


def _secret_file_violation(path: str, what: str, tracked: bool, artifact: ArtifactKind) -> Violation:
    if tracked:
        return Violation(
            Location(path),
            f"{path} is tracked by git and {what}; remove it from the repository, purge "
            "it from history and rotate what it holds",
            f"file:{path}",
            artifact,
            variant="tracked-secret-file",
        )
    return Violation(
        Location(path),
        f"{path} {what}; medlint cannot tell whether it is committed (no VCS metadata)",
        f"file:{path}",
        artifact,
        variant="unverified",
    )


def _repository_findings(
    project: Project, contexts: list[BuildContext], params: Mapping[str, Any]
) -> Iterator[Violation]:
    """Part 2: secret files in build contexts, and committed `.env` files anywhere in the scanned paths."""
    secret_files = SecretFileMatcher.from_params(params)
    tracked_files = getattr(project, "repository_files", None)
    present_files = getattr(project, "workspace_files", None)
    if tracked_files is None and present_files is None:
        yield from _unlisted_context_findings(contexts, secret_files)
        return
    tracked = tracked_files is not None
    files = tuple(tracked_files if tracked_files is not None else present_files or ())
    reported: set[str] = set()
    for violation in _context_file_findings(contexts, files, tracked, secret_files):
        reported.add(violation.location.path)
        yield violation
    in_scope = set(present_files) if present_files is not None else set(files)
    compose_dirs = {posixpath.dirname(compose.path) for compose in project.compose_projects}
    for path in files:
        if path in reported or path not in in_scope or not _is_env_file(path, secret_files):
            continue
        artifact = (
            ArtifactKind.COMPOSE if posixpath.dirname(path) in compose_dirs else ArtifactKind.DOCKERFILE
        )
        yield _secret_file_violation(
            path,
            "is an environment file (.env files hold deployment settings and "
            "credentials; commit a .env.example instead)",
            tracked,
            artifact,
        )


def build_context_secrets(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD306: build contexts must keep secrets out: an ignore file for whole-context copies, no tracked secrets."""
    contexts = build_contexts(project)
    for context in contexts:
        yield from _ignore_file_findings(context, params)
    yield from _repository_findings(project, contexts, params)


# --------------------------------------------------------------------------------------------------
# MD308

_GO_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def go_duration_seconds(value: Any) -> float | None:
    """A Go duration string (`1h`, `15m`, `1h30m`, `0`) in seconds; None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return 0.0 if value == 0 else None  # metav1.Duration is a string; only a bare 0 is harmless
    text = str(value).strip().lstrip("+")
    if text == "0":
        return 0.0
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("-")
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    total, position = 0.0, 0
    while position < len(text):  # each part where the last ended: one pass, never a search per start
        match = _GO_DURATION_PART.match(text, position)
        if match is None:
            return None
        total += float(match.group(1)) * units[match.group(2)]
        position = match.end()
    return sign * total if text and position == len(text) else None


def _store_ref_problems(reference: Any) -> list[str]:
    """The fields a store reference lacks (`kind`, `name`)."""
    if not isinstance(reference, Mapping):
        return ["kind", "name"]
    return [field for field in ("kind", "name") if not str(reference.get(field) or "").strip()]


def _entries_with_own_source(spec: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    """data/dataFrom entries when every one names its own store or generator (`sourceRef`); else None."""
    entries: list[Any] = []
    for key in ("data", "dataFrom"):
        items = spec.get(key)
        if isinstance(items, list):
            entries.extend(items)
    if not entries or not all(
        isinstance(entry, Mapping) and isinstance(entry.get("sourceRef"), Mapping) for entry in entries
    ):
        return None
    return entries


def _refresh_findings(obj: K8sObject, spec: YamlMap, artifact: ArtifactKind) -> Iterator[Violation]:
    subject = f"{obj.subject}/refreshInterval"
    if "refreshInterval" not in spec or spec.get("refreshInterval") in (None, ""):
        yield Violation(
            key_location(obj.path, obj.body, "spec"),
            f"{obj.subject} sets no refreshInterval; set it "
            "explicitly (e.g. 1h) so rotated secrets reach the cluster",
            subject,
            artifact,
            variant="refresh-interval",
        )
        return
    seconds = go_duration_seconds(spec["refreshInterval"])
    where = key_location(obj.path, spec, "refreshInterval")
    if seconds is None:
        yield Violation(
            where,
            f'{obj.subject} has a refreshInterval that is not a duration ("{spec["refreshInterval"]}")',
            subject,
            artifact,
            variant="unresolved",
        )
    elif seconds <= 0:
        yield Violation(
            where,
            f"{obj.subject} has refreshInterval {spec['refreshInterval']}, so the secret syncs once "
            "and rotations never arrive",
            subject,
            artifact,
            variant="refresh-interval",
        )


def _store_findings(obj: K8sObject, spec: YamlMap, artifact: ArtifactKind) -> Iterator[Violation]:
    subject = f"{obj.subject}/secretStoreRef"
    if "secretStoreRef" not in spec:
        entries = _entries_with_own_source(spec)
        if entries is None:
            yield Violation(
                key_location(obj.path, obj.body, "spec"),
                f"{obj.subject} has no secretStoreRef, so it names no store to sync from",
                subject,
                artifact,
                variant="secret-store-ref",
            )
            return
        for entry in entries:
            source = entry["sourceRef"]
            reference = source.get("storeRef") if "storeRef" in source else source.get("generatorRef")
            missing = _store_ref_problems(reference)
            if missing:
                yield Violation(
                    key_location(obj.path, entry, "sourceRef"),
                    f"{obj.subject} has a sourceRef without {' and '.join(missing)}",
                    subject,
                    artifact,
                    variant="secret-store-ref",
                )
        return
    missing = _store_ref_problems(spec["secretStoreRef"])
    if missing:
        yield Violation(
            key_location(obj.path, spec, "secretStoreRef"),
            f"{obj.subject} has a secretStoreRef without "
            f"{' and '.join(missing)}; name the store and its kind (SecretStore or ClusterSecretStore) "
            "explicitly",
            subject,
            artifact,
            variant="secret-store-ref",
        )


def external_secret_config(project: Project, params: Mapping[str, Any]) -> Iterator[Violation]:
    """MD308: an ExternalSecret must name its store explicitly and refresh periodically."""
    for obj in project.k8s_objects:
        if obj.kind != "ExternalSecret" or not (obj.api_version or "").startswith("external-secrets.io/"):
            continue
        artifact = ArtifactKind.HELM if obj.rendered_from else ArtifactKind.KUBERNETES
        spec = obj.body.get("spec") if isinstance(obj.body, YamlMap) else None
        if not isinstance(spec, YamlMap):
            spec = YamlMap()  # no spec: both the store and the interval are missing
        yield from _refresh_findings(obj, spec, artifact)
        yield from _store_findings(obj, spec, artifact)
