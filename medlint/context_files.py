"""Files of the build context that a Dockerfile's RUN commands read: pip requirement and constraint files.

Checks are pure and cannot read files, so the loader collects their text into `Dockerfile.context_files`,
keyed by the path as written in `pip install -r/-c` (normalised; nested `-r`/`-c` lines relative to the file
that includes them, see `requirement_file_key`). The build context is taken to be the Dockerfile's directory.

A file is stored only when the path pip reads inside the image is known to hold that context file, so that a
finding about its entries is about the file that is really installed:
- the path is resolved against WORKDIR and any `cd` earlier in the RUN (an unknown directory stops it);
- the latest writer of that image path must be a `RUN --mount=type=bind` of the context, or a COPY/ADD from
  the context (`COPY requirements.txt .`, `COPY deploy/requirements.txt /app/`, `COPY . /app`); a writer whose
  source cannot be seen (`COPY --from`, a remote or archive ADD, variables, `--parents`, `--exclude`, heredocs)
  stops it, and a file no COPY or bind mount provides (the base image, a `git clone`) is not looked up;
- no earlier command mentions the file's name (`sed -i`, `tee`, `curl -o`, `pip-compile` output, `> file`)
  or writes a tree over its directory (`git clone . `, `tar -x`, `cp -r`), which could have changed it;
- the same written path must resolve to the same context file in every RUN that names it;
- the file is not excluded by the Dockerfile's ignore file, and is a regular file inside the scanned root
  (symlinks resolved, never followed out of it), at most 1 MiB, valid UTF-8.
Anything else is left out, and the check keeps its `requirements-file` warning for that file.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from medlint.decoding import SourceError
from medlint.limits import DEFAULT_LIMITS
from medlint.model import Dockerfile, DockerIgnore, Instruction, Stage
from medlint.model.dockerignore_match import compile_ignore
from medlint.model.package_managers import (
    MAX_REQUIREMENT_NESTING,
    parse_requirements,
    pip_file_arguments,
    requirement_file_key,
)
from medlint.model.shell import command_name
from medlint.reader import FileReader

#: Upper bound on the size of one requirement or constraints file that is read (limits.max_context_file_bytes).
MAX_CONTEXT_FILE_BYTES = DEFAULT_LIMITS.max_context_file_bytes
#: Upper bound on the number of files read for one Dockerfile.
MAX_CONTEXT_FILES = 64

#: The working directory a base image sets, unknown but the same for every path relative to it.
_BASE_CWD = "@cwd"
_GLOB = re.compile(r"[*?\[]")
_ARCHIVE = re.compile(r"\.(tar|tgz|tbz2?|txz|tzst|gz|bz2|xz|zst|lz|lzma|zip)$", re.IGNORECASE)
#: Programs that generate requirement files under a name they do not have to be given.
_GENERATORS = {"pip-compile", "pipreqs"}
#: Programs that write whole directory trees (an argument naming a directory above the file covers it).
_TREE_WRITERS = {"git", "tar", "bsdtar", "unzip", "cp", "mv", "rsync", "ln", "wget", "curl", "cpio", "7z"}
_EXTRACTORS = {"tar", "bsdtar", "unzip", "cpio", "7z"}
_GIT_WRITES = {
    "clone",
    "checkout",
    "switch",
    "restore",
    "pull",
    "reset",
    "merge",
    "rebase",
    "stash",
    "apply",
    "am",
}

#: pip commands that only read the files their `-r`/`-c` name.
_PIP_READS = ("install", "download", "wheel", "lock", "check")
_OPAQUE = "opaque"  # a writer whose content cannot be seen


def _join(cwd: str | None, path: str) -> str | None:
    """An image path: absolute, or under the base image's working directory; None when it cannot be known."""
    if not path or "$" in path or "`" in path or path.startswith("~"):
        return None
    if path.startswith("/"):
        joined = path
    elif cwd is None:
        return None
    else:
        joined = cwd + "/" + path
    normal = posixpath.normpath(joined)
    if normal.startswith("/"):
        return "/" + normal.lstrip("/")
    if normal == _BASE_CWD or normal.startswith(_BASE_CWD + "/"):
        return normal
    return None  # `..` above the base image's unknown working directory


def _under(path: str, directory: str) -> bool:
    return path != directory and path.startswith(directory.rstrip("/") + "/")


def _relative(path: str, directory: str) -> str:
    return path[len(directory.rstrip("/")) + 1 :]


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


@dataclass(frozen=True, slots=True)
class _Writer:
    """A COPY/ADD or a bind mount: context sources placed at an image destination."""

    sources: tuple[str, ...]  # context-relative as written; empty for an opaque writer
    destination: str | None  # image path; None when unknown (then it may cover anything)
    opaque: bool  # the content cannot be seen: --from, remote/archive ADD, variables, heredoc, --parents


@dataclass(frozen=True, slots=True)
class _Command:
    words: tuple[str, ...]
    cwd: str | None


@dataclass
class _History:
    """What happened in a stage's lineage before a RUN: writers (latest last), commands, raw RUN texts."""

    writers: list[_Writer] = field(default_factory=list)
    commands: list[_Command] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    cwd: str | None = _BASE_CWD


class _Context:
    """The build context directory on disk, read only inside the scanned root; what the ignore file keeps out
    of the context does not exist for the build."""

    def __init__(
        self, directory: Path, root: Path, ignore: DockerIgnore | None, reader: FileReader | None = None
    ) -> None:
        self.directory = directory
        self.root = root
        self.reader = reader or FileReader(root)
        self.ignore = compile_ignore(ignore.patterns) if ignore is not None and ignore.patterns else None

    def _path(self, relative: str) -> Path | None:
        normal = posixpath.normpath(relative.lstrip("/") or ".")
        if normal == ".." or normal.startswith("../") or _GLOB.search(normal) or "$" in normal:
            return None
        if normal != "." and self.ignore is not None and self.ignore.excludes(normal):
            return None
        try:
            resolved = (self.directory / normal).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if resolved != self.root and self.root not in resolved.parents:
            return None  # a symlink out of the scanned project is never followed
        return resolved

    def kind(self, relative: str) -> str | None:
        """ "file", "dir", or None (absent, outside the root, or something else)."""
        path = self._path(relative)
        if path is None:
            return None
        try:
            mode = path.stat().st_mode
        except OSError:
            return None
        return "file" if stat.S_ISREG(mode) else "dir" if stat.S_ISDIR(mode) else None

    def read(self, relative: str) -> str | None:
        path = self._path(relative)
        if path is None:
            return None
        try:
            return self.reader.read_text(
                path,
                max_bytes=self.reader.limits.max_context_file_bytes,
                limit_name="limits.max_context_file_bytes",
            )
        except (OSError, SourceError):
            return None


def _copy_writer(instruction: Instruction, cwd: str | None) -> _Writer:
    if instruction.json_arguments is not None:
        words = [_unquote(word) for word in instruction.json_arguments]
    else:
        words = [_unquote(word) for word in (instruction.resolved or instruction.arguments).split()]
    if len(words) < 2:
        return _Writer((), None, True)
    sources, destination = words[:-1], words[-1]
    target = _join(cwd, destination)
    flags = instruction.flags
    opaque = (
        instruction.heredocs != ()
        or "from" in flags
        or "parents" in flags
        or "exclude" in flags
        or any("$" in source or source.startswith("<<") for source in sources)
    )
    if instruction.keyword == "ADD":
        opaque = opaque or any(
            "://" in source or source.startswith("git@") or _ARCHIVE.search(source) for source in sources
        )
    return _Writer(() if opaque else tuple(sources), target, opaque)


def _mount_writers(instruction: Instruction, cwd: str | None) -> list[_Writer]:
    """`RUN --mount=...`: a bind mount of the context is a writer for this RUN only; other mounts are opaque."""
    writers: list[_Writer] = []
    for mount in instruction.flags.get("mount", "").split("\n"):
        if not mount.strip():
            continue
        fields = dict(part.partition("=")[::2] for part in mount.split(",") if part)
        target = fields.get("target") or fields.get("dst") or fields.get("destination") or ""
        kind = fields.get("type", "bind")
        if kind == "secret" and not target:
            continue  # /run/secrets/<id>
        if kind == "ssh" and not target:
            continue
        destination = _join(cwd, target) if target else None
        source = fields.get("source") or fields.get("src") or "."
        if kind == "bind" and "from" not in fields and "$" not in source:
            writers.append(_Writer((source,), destination, False))
        else:
            writers.append(_Writer((), destination, True))
    return writers


def _source_of(writer: _Writer, path: str, context: _Context) -> str:
    """The context file a writer puts at `path`: "" when it does not cover it, `_OPAQUE` when unknown."""
    destination = writer.destination
    if destination is None:
        return _OPAQUE
    covers = path == destination or _under(path, destination)
    if writer.opaque:
        return _OPAQUE if covers else ""
    for source in reversed(writer.sources):  # a later source overwrites an earlier one
        found = _source_candidate(source, destination, path, context)
        if found:
            return found
    return ""


def _source_candidate(source: str, destination: str, path: str, context: _Context) -> str:
    normal = posixpath.normpath(source.lstrip("/") or ".")
    if normal == ".." or normal.startswith("../"):
        return _OPAQUE if path == destination or _under(path, destination) else ""
    if _GLOB.search(normal):
        directory, pattern = posixpath.split(normal)
        if not _under(path, destination) or _GLOB.search(directory):
            return _OPAQUE if path == destination or _under(path, destination) else ""
        relative = _relative(path, destination)
        if not fnmatch.fnmatchcase(relative.split("/", 1)[0], pattern):
            return ""
        candidate = posixpath.join(directory, relative)
        return candidate if context.kind(candidate) == "file" else ""
    kind = context.kind(normal)
    if kind == "dir":
        if _under(path, destination):
            candidate = posixpath.normpath(posixpath.join(normal, _relative(path, destination)))
            return candidate if context.kind(candidate) == "file" else ""
        return ""
    if path == destination or path == posixpath.join(destination, posixpath.basename(normal)):
        return normal if kind == "file" else _OPAQUE
    if kind is None and _under(path, destination):
        return _OPAQUE  # a source this context does not have: the build uses another context
    return ""


def _mentions(history: _History, current: list[_Command], raw: str, path: str) -> bool:
    """Whether a command before the pip install may have created or changed the file at `path`."""
    name = posixpath.basename(path)
    as_word = re.compile(r"(^|[/=:])" + re.escape(name) + r"$")
    redirect = re.compile(r">\|?\s*['\"]?([^\s'\"<>|;&]*/)?" + re.escape(name) + r"(?![\w.-])")
    if any(redirect.search(text) for text in [*history.raw, raw]):
        return True
    for command in [*history.commands, *current]:
        program, index = command_name(command.words)
        if program in _GENERATORS:
            return True
        reads = [value for _, value in pip_file_arguments(command.words, _PIP_READS)]
        arguments = [
            word
            for word in command.words[index + 1 :]
            if not any(word == value or word.endswith("=" + value) for value in reads)
        ]
        if any(as_word.search(word) for word in arguments):
            return True
        if program not in _TREE_WRITERS:
            continue
        targets = [word for word in arguments if not word.startswith("-") and "://" not in word]
        if _writes_working_directory(program, arguments):
            targets.append(".")
        for word in targets:
            target = _join(command.cwd, word)
            if target is None or path == target or _under(path, target):
                return True
    return False


def _writes_working_directory(program: str, arguments: list[str]) -> bool:
    """An extraction or checkout into the working directory (`tar -xf a.tar`, `git clone URL`, `git pull`);
    `tar -C dir`, `unzip -d dir` and `git clone URL dir` write into the directory they name instead."""
    if program in _EXTRACTORS:
        return not any(
            word in ("-C", "--directory", "-d") or word.startswith("--directory=") for word in arguments
        )
    if program != "git" or not arguments or arguments[0] not in _GIT_WRITES:
        return False
    operands = [word for word in arguments[1:] if not word.startswith("-")]
    return arguments[0] != "clone" or len(operands) < 2


def _after_cd(words: tuple[str, ...], cwd: str | None) -> str | None:
    program, index = command_name(words)
    if program not in ("cd", "pushd", "popd"):
        return cwd
    operands = [word for word in words[index + 1 :] if not word.startswith("-")]
    if program == "popd" or len(operands) != 1:
        return None  # `cd` alone goes to $HOME, `cd -` back: unknown here
    return _join(cwd, operands[0])


class _Collector:
    """Resolves and reads the files for one Dockerfile, keeping keys that resolve consistently."""

    def __init__(self, context: _Context) -> None:
        self.context = context
        self.sources: dict[str, str | None] = {}  # key -> context path (None: conflicting or unreadable)
        self.texts: dict[str, str] = {}

    def add(self, key: str, source: str | None) -> str | None:
        """Record that `key` reads `source` here; the text when it is (still) consistently known."""
        if key in self.sources:
            if self.sources[key] != source:
                self.sources[key] = None
                self.texts.pop(key, None)
            return self.texts.get(key)
        if source is None or len(self.texts) >= MAX_CONTEXT_FILES:
            self.sources[key] = None
            return None
        text = self.context.read(source)
        self.sources[key] = source if text is not None else None
        if text is not None:
            self.texts[key] = text
        return text


def _lineage(dockerfile: Dockerfile, stage: Stage) -> list[Stage]:
    chain = [stage]
    while chain[-1].parent_stage is not None and len(chain) <= len(dockerfile.stages):
        chain.append(dockerfile.stages[chain[-1].parent_stage])
    return list(reversed(chain))


def _raw_text(instruction: Instruction) -> str:
    return "\n".join([instruction.arguments, *(heredoc.content for heredoc in instruction.heredocs)])


def requirement_files(
    dockerfile: Dockerfile, directory: Path, root: Path, reader: FileReader | None = None
) -> dict[str, str]:
    """The texts of the requirement and constraint files the Dockerfile's `pip install -r/-c` read, by key.

    `directory` is the build context (the Dockerfile's directory), `root` the scanned root (resolved);
    files are read through `reader` (bounded, inside the root).
    """
    collector = _Collector(_Context(directory, root, dockerfile.ignore_file, reader))
    for stage in dockerfile.stages:
        history = _History()
        for current_stage in _lineage(dockerfile, stage):
            own = current_stage is stage
            for instruction in current_stage.instructions:
                _step(instruction, history, collector, own)
    return {key: text for key, text in collector.texts.items() if collector.sources.get(key) is not None}


def _step(instruction: Instruction, history: _History, collector: _Collector, own: bool) -> None:
    keyword = instruction.keyword
    if keyword == "WORKDIR":
        history.cwd = _join(history.cwd, _unquote(instruction.resolved or instruction.arguments))
    elif keyword in ("COPY", "ADD"):
        history.writers.append(_copy_writer(instruction, history.cwd))
    elif keyword == "RUN":
        raw = _raw_text(instruction)
        mounts = _mount_writers(instruction, history.cwd)
        cwd = history.cwd
        current: list[_Command] = []
        for shell_command in instruction.commands:
            command = _Command(shell_command.words, cwd)
            if own:
                for _, written in pip_file_arguments(command.words):
                    key = requirement_file_key(written)
                    if key is not None:
                        _resolve(key, _join(cwd, written), 0, mounts, history, current, raw, collector)
            current.append(command)
            cwd = _after_cd(shell_command.words, cwd)
        history.commands.extend(current)
        history.raw.append(raw)


def _resolve(
    key: str,
    path: str | None,
    depth: int,
    mounts: list[_Writer],
    history: _History,
    current: list[_Command],
    raw: str,
    collector: _Collector,
    seen: frozenset[str] = frozenset(),
) -> None:
    """Find the context file behind image path `path`, read it under `key`, and follow its `-r`/`-c` lines."""
    source = _context_source(path, mounts, history, current, raw, collector.context) if path else None
    text = collector.add(key, source)
    if text is None or depth >= MAX_REQUIREMENT_NESTING or key in seen:
        return
    parsed = parse_requirements(text)
    for nested in (*parsed.requirement_files, *parsed.constraint_files):
        nested_key = requirement_file_key(nested, key)
        if nested_key is None or path is None:
            continue
        nested_path = _join(posixpath.dirname(path), nested)
        _resolve(nested_key, nested_path, depth + 1, mounts, history, current, raw, collector, seen | {key})


def _context_source(
    path: str, mounts: list[_Writer], history: _History, current: list[_Command], raw: str, context: _Context
) -> str | None:
    """The context file at image path `path` when the pip command runs, or None when it is not known."""
    found = ""
    for writer in [*reversed(mounts), *reversed(history.writers)]:
        found = _source_of(writer, path, context)
        if found:
            break
    if not found or found == _OPAQUE:
        return None
    if _mentions(history, current, raw, path):
        return None
    return found
