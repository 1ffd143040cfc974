"""Discovery: walk the given paths and classify each file as an artifact kind, or say why it is not one.

Nothing is dropped silently. A file named on the command line is always considered; one that matches no
kind is reported. A file inside a Helm chart (a template, a values file) stands for its whole chart, which is
how pre-commit's per-file invocation still lints complete units.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from medlint.escape import printable
from medlint.model import ArtifactKind
from medlint.pathglob import GitIgnore, matches_any
from medlint.reader import relative_within

#: Directories never walked into (they hold tooling state or third-party code, not the product's artifacts).
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
    }
)
YAML_SUFFIXES = (".yaml", ".yml")
#: medlint's own configuration is neither an artifact nor "not an artifact": it is never listed.
CONFIG_FILE_NAMES = frozenset({".medlint.yaml", ".medlint.yml"})


class DiscoveryError(Exception):
    """A usage problem with the given paths (for example one that does not exist): exit code 2."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file to read. `kind` is None when only its content can tell (YAML/JSON sniffed later)."""

    path: Path
    relative: str
    kind: ArtifactKind | None
    explicit: bool = False


@dataclass(frozen=True, slots=True)
class ChartUnit:
    """A Helm chart directory found by its Chart.yaml."""

    directory: Path
    relative: str


@dataclass
class Discovery:
    root: Path
    scanned: list[Path] = field(default_factory=list)  # the given paths, resolved
    candidates: list[Candidate] = field(default_factory=list)
    charts: list[ChartUnit] = field(default_factory=list)
    ignored_explicit: list[str] = field(default_factory=list)  # named files that are no artifact kind
    #: Files named on the command line (root-relative), and the charts a named file stands for.
    named_files: list[str] = field(default_factory=list)
    named_charts: list[str] = field(default_factory=list)
    gitignored: int = 0  # files and folders a .gitignore left out of directory scans


#: Extensions of files that sit beside Dockerfiles with a Dockerfile-like name but are something else: the
#: source of a Dockerfile tool (`dockerfile.py`, `dockerfile.go`), its docs, data or editor leftovers.
#: `Dockerfile.<variant>` (dev, prod, alpine, arm64, ...) stays a Dockerfile.
NOT_DOCKERFILE_EXTENSIONS = frozenset(
    {
        "py", "pyc", "pyi", "go", "rs", "rb", "js", "mjs", "cjs", "ts", "java", "kt", "c", "h", "cc", "cpp", "cs",
        "php", "pl", "lua", "sh", "bash", "zsh", "ps1", "bat", "cmd", "md", "rst", "txt", "adoc", "html", "htm",
        "css", "json", "yaml", "yml", "toml", "ini", "cfg", "xml", "csv", "lock", "sum", "mod", "snap", "golden",
        "orig", "rej", "bak", "swp", "tmp", "patch", "diff", "png", "jpg", "jpeg", "gif", "svg", "pdf", "zip",
        "gz", "tgz", "tar", "dockerignore",
    }
)  # fmt: skip


def is_dockerfile_name(name: str) -> bool:
    lower = name.lower()
    if lower.rpartition(".")[2] in NOT_DOCKERFILE_EXTENSIONS and lower.count(".") >= 1:
        return False
    return (
        lower in ("dockerfile", "containerfile")
        or lower.startswith(("dockerfile.", "dockerfile-", "containerfile."))
        or lower.endswith(".dockerfile")
    )


def is_compose_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(YAML_SUFFIXES) and (lower.startswith(("compose", "docker-compose")))


def classify_name(name: str) -> tuple[bool, ArtifactKind | None]:
    """(is a candidate, kind if the name alone decides it)."""
    if is_dockerfile_name(name):
        return True, ArtifactKind.DOCKERFILE
    if is_compose_name(name):
        return True, ArtifactKind.COMPOSE
    if name.lower().endswith(YAML_SUFFIXES + (".json",)):
        return True, None
    return False, None


def own_path(path: Path, realpath: Callable[[str], str] = os.path.realpath) -> Path:
    """The absolute path of `path` itself: its directory resolved, a symbolic link named, not its target.

    A link is judged by where it lies: reading it is for the bounded reader to allow or refuse, and a link to
    `/etc/shadow` inside a checkout must never move the scanned root to `/etc`. `realpath` may be a cached
    `os.path.realpath` (discovery resolves each directory once, not once per file).
    """
    absolute = Path(os.path.abspath(path))
    if absolute.name in ("", ".", ".."):
        return absolute.resolve()
    return Path(realpath(str(absolute.parent))) / absolute.name


def find_root(paths: list[Path], cwd: Path) -> Path:
    """The directory all reported paths are relative to: the enclosing git checkout, else cwd or the scan.

    Computed from the paths as written (not resolved), so a link among them cannot widen the scanned
    project to wherever the link points; the caller resolves the result.
    """
    lexical = [Path(os.path.abspath(path)) for path in paths]
    common = Path(
        os.path.commonpath([str(p if p.is_dir() and not p.is_symlink() else p.parent) for p in lexical])
    )
    for directory in (common, *common.parents):
        if (directory / ".git").exists():
            return directory
    cwd = Path(os.path.abspath(cwd))
    return cwd if common == cwd or cwd in common.parents else common


def _display(
    path: Path,
    root: Path,
    lexical_root: Path | None = None,
    realpath: Callable[[str], str] = os.path.realpath,
) -> str:
    """The path as reports show it: root-relative, POSIX, bytes that are not UTF-8 shown as `\\xff`.

    A file under a linked folder is named by where it appears in the project (`linked/Dockerfile`).
    Worked out on strings first: discovery asks this for every file and folder it walks, and building the
    same paths as `Path` objects was most of its time."""
    absolute = os.path.abspath(path)
    name = os.path.basename(absolute)
    if name not in ("", ".", ".."):
        inside = relative_within(os.path.join(realpath(os.path.dirname(absolute)), name), str(root))
        if inside is None and lexical_root is not None:
            inside = relative_within(absolute, str(lexical_root))
        if inside is not None:
            return printable(inside if os.sep == "/" else inside.replace(os.sep, "/"))
    own = own_path(path, realpath)  # the path's own name is a dot, or a platform's path rules apply
    candidates = [(own, root)]
    if lexical_root is not None:
        candidates.append((Path(absolute), lexical_root))
    for candidate, base in candidates:
        try:
            return printable(candidate.relative_to(base).as_posix())
        except ValueError:
            continue
    return printable(own.as_posix())


def _has_chart_yaml(directory: Path) -> bool:
    return (directory / "Chart.yaml").is_file()


def _chart_dir_of(
    path: Path, root: Path, has_chart_yaml: Callable[[Path], bool] = _has_chart_yaml
) -> Path | None:
    """The outermost chart directory containing `path` (subcharts in charts/ belong to their parent).
    `has_chart_yaml` may be cached (discovery asks once per directory, not once per file and ancestor)."""
    found = None
    for directory in (
        path if path.is_dir() else path.parent,
        *(path if path.is_dir() else path.parent).parents,
    ):
        if has_chart_yaml(directory):
            found = directory
        if directory == root:
            break
    return found


def _dockerfiles_governed_by(ignore_file: Path) -> list[Path]:
    """`X.dockerignore` governs the Dockerfile X beside it; `.dockerignore` every Dockerfile in its folder."""
    if ignore_file.name != ".dockerignore":
        own = ignore_file.with_name(ignore_file.name[: -len(".dockerignore")])
        return [own] if own.is_file() else []
    return sorted(p for p in ignore_file.parent.iterdir() if p.is_file() and is_dockerfile_name(p.name))


def _excluded(relative: str, excludes: tuple[str, ...], is_dir: bool = False) -> bool:
    """gitignore-style globs (`**/k8s/**` matches a top-level k8s/); a matched folder excludes its content."""
    return bool(excludes) and matches_any(relative, excludes, is_dir)


def discover(
    paths: list[str],
    cwd: Path,
    excludes: tuple[str, ...] = (),
    root: Path | None = None,
    gitignore: bool = True,
) -> Discovery:
    """Classify the files under `paths`. Raises DiscoveryError for a path that does not exist.

    Directory scans skip what `excludes` and (with `gitignore`) the checkout's `.gitignore` files leave out;
    a file named explicitly is always read."""
    given = [Path(p) if Path(p).is_absolute() else cwd / p for p in paths]
    for original, path in zip(paths, given):
        if not path.exists():
            raise DiscoveryError(f"path '{original}' does not exist; pass files or directories to lint")
    lexical_root = root or find_root(given, cwd)
    root = lexical_root.resolve()
    discovery = Discovery(root=root, scanned=[own_path(path) for path in given])
    ignore = GitIgnore(root) if gitignore else None

    realpath = functools.lru_cache(maxsize=None)(os.path.realpath)
    has_chart_yaml = functools.lru_cache(maxsize=None)(_has_chart_yaml)

    def relative_of(path: Path, root: Path) -> str:
        return _display(path, root, lexical_root, realpath)

    def git_ignored(path: Path, is_dir: bool) -> bool:
        if ignore is None:
            return False
        relative = relative_of(path, root)
        if relative.startswith("/"):  # outside the root: no .gitignore of ours applies
            return False
        if ignore.ignored(relative, is_dir):
            discovery.gitignored += 1
            return True
        return False

    seen_files: set[Path] = set()
    seen_charts: set[Path] = set()

    def add_chart(directory: Path) -> None:
        directory = directory.resolve()
        if directory not in seen_charts:
            seen_charts.add(directory)
            discovery.charts.append(ChartUnit(directory, relative_of(directory, root)))

    def add_file(path: Path, explicit: bool) -> None:
        resolved = own_path(path, realpath)  # two links to one file are two files of the repository
        if explicit:
            discovery.named_files.append(relative_of(path, root))
        if resolved in seen_files:
            return
        chart = _chart_dir_of(path, root, has_chart_yaml)
        if chart is not None:
            add_chart(chart)
            if explicit:
                discovery.named_charts.append(relative_of(chart.resolve(), root))
            return
        if explicit and path.name.lower().endswith(".dockerignore"):
            # A changed ignore file changes what its Dockerfiles copy in: lint those instead.
            for dockerfile in _dockerfiles_governed_by(path):
                add_file(dockerfile, explicit=True)
            return
        if path.name in CONFIG_FILE_NAMES:
            return  # medlint's configuration, read as such
        is_candidate, kind = classify_name(path.name)
        relative = relative_of(path, root)
        if not is_candidate:
            if explicit:
                discovery.ignored_explicit.append(relative)
            return
        seen_files.add(resolved)
        discovery.candidates.append(Candidate(Path(os.path.abspath(path)), relative, kind, explicit))

    for path in given:
        if path.is_file():
            if not _excluded(relative_of(path, root), excludes):  # pre-commit passes excluded files too
                add_file(path, explicit=True)
            continue
        chart = _chart_dir_of(path, root)
        if chart is not None:
            add_chart(chart)
            continue
        for directory, dirnames, filenames in os.walk(path):
            current = Path(directory)
            dirnames[:] = sorted(
                name
                for name in dirnames
                if name not in DEFAULT_EXCLUDED_DIRS
                and not _excluded(relative_of(current / name, root), excludes, is_dir=True)
                and not git_ignored(current / name, is_dir=True)
            )
            if "Chart.yaml" in filenames:
                add_chart(current)
                dirnames[:] = []
                continue
            for name in sorted(filenames):
                file_path = current / name
                if file_path.is_symlink() and not file_path.exists():
                    continue  # a dangling link has no content to lint
                if not _excluded(relative_of(file_path, root), excludes) and not git_ignored(
                    file_path, is_dir=False
                ):
                    add_file(file_path, explicit=False)
    discovery.candidates.sort(key=lambda candidate: candidate.relative)
    discovery.charts.sort(key=lambda chart: chart.relative)
    return discovery
