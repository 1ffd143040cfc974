"""MD306 build-context-secrets: build contexts must keep secrets out.

Two parts. The ignore-file part reads the Dockerfile and its `.dockerignore`: a whole-context COPY needs an
ignore file that excludes .git, .env files, keys and secrets/. The repository part needs to know which files
lie in each build context and whether git tracks them; checks do no I/O, so the loader provides
`Project.repository_files` (git-tracked paths, None without VCS metadata), `workspace_files` (paths present on
disk under the scanned paths and the build contexts) and `dockerignore_files` (the ignore files of the
contexts); the contexts themselves are model facts (medlint.model.contexts).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from medlint.checks.secrets.patterns import patterns_for
from medlint.findings import RelatedLocation, Violation
from medlint.model import ArtifactKind, Dockerfile, Instruction, Location, Project
from medlint.model.contexts import BuildContext, build_contexts
from medlint.model.dockerignore_match import IgnoreMatcher, compile_ignore

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
_PROBE = "medlint-probe"


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


def _within(path: str, directory: str) -> bool:
    return directory == "." or path.startswith(directory.rstrip("/") + "/")


def _what_enters(project: Project, directory: str) -> str:
    """What a context without an ignore file sends to the builder, as far as the files on disk show: its
    `.git`, `.env` files and keys when they are there; otherwise only that nothing would keep them out."""
    files, vcs = project.workspace_files, project.vcs_metadata
    if files is None or vcs is None:
        return "nothing keeps .git, .env files or keys out of the build"
    inside = [posixpath.basename(path) for path in files if _within(path, directory)]
    present = []
    if any(_within(path, directory) for path in vcs):
        present.append(".git")
    if any(fnmatch.fnmatchcase(name, ".env*") and name != ".env.example" for name in inside):
        present.append(".env files")
    if any(
        fnmatch.fnmatchcase(name, pattern) for name in inside for pattern in ("*.pem", "*.key", "id_rsa*")
    ):
        present.append("keys")
    if not present:
        return "nothing keeps .git, .env files or keys out of the build"
    listed = present[0] if len(present) == 1 else ", ".join(present[:-1]) + " and " + present[-1]
    return f"its {listed} {'enters' if present == ['.git'] else 'enter'} the build"


def _ignore_file_findings(
    project: Project, context: BuildContext, params: Mapping[str, Any]
) -> Iterator[Violation]:
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
            f"{context.directory} has no .dockerignore, so {_what_enters(project, context.directory)}",
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
    #: Every name pattern in one expression: most files of a repository match none, and are told at once.
    any_name: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        expression = "|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in self.name_patterns)
        object.__setattr__(self, "any_name", re.compile(expression or "(?!)"))

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
        if self.any_name.match(name):
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


def _inside(path: str, directory: str) -> str | None:
    """`path` relative to `directory`, or None when it lies outside."""
    if directory == ".":
        return path
    return path[len(directory) + 1 :] if path.startswith(directory + "/") else None


def _files_under(candidates: list[str], directory: str) -> list[str]:
    """The sorted candidate paths inside `directory` (all of them for the root), found by bisection."""
    if directory == ".":
        return candidates
    prefix = directory + "/"
    start = bisect_left(candidates, prefix)
    return candidates[start : bisect_left(candidates, directory + "0", start)]  # "0" follows "/"


def _context_file_findings(
    contexts: list[BuildContext], files: tuple[str, ...], tracked: bool, secret_files: SecretFileMatcher
) -> Iterator[Violation]:
    """Secret files inside a context that its ignore file lets through, once per file."""
    # A superset of the per-context matches, sorted so each context reads only the files inside it. Only
    # files inside some context are matched: a repository lists many more files than its contexts hold.
    directories = {context.directory for context in contexts}
    if "." not in directories:
        prefixes = tuple(directory + "/" for directory in directories)
        files = tuple(path for path in files if path.startswith(prefixes))
    candidates = sorted(path for path in files if secret_files.match(path))
    reported: set[str] = set()
    for context in contexts:
        matcher = compile_ignore(context.ignore.patterns) if context.ignore is not None else None
        for path in _files_under(candidates, context.directory):
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
    tracked_files = project.repository_files
    present_files = project.workspace_files
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
        yield from _ignore_file_findings(project, context, params)
    yield from _repository_findings(project, contexts, params)
