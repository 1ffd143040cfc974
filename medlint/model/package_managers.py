"""Reading RUN commands: package managers (MD103, MD104, MD213, MD801, MD802), downloads and verification
(MD107), file modes (MD213).

Each recogniser takes the words of one simple command (as `Instruction.commands` holds them: quotes
removed, variables not substituted) and says what the command installs or removes and how each package
is written. Deciding whether a spec is pinned is per manager, because each writes versions differently:
`curl=7.88.1-10` (apt, apk), `httpd-2.4.57-5.el9` (yum/dnf: the version starts at the last `-` followed by
a digit, since names contain hyphens), `requests==2.31.0` (pip), `left-pad@1.3.0` (npm).
Downloads are recognised the same way: `curl URL` and `wget -O- URL` write to stdout, `curl -o FILE` and
`wget URL` write a file whose path is remembered so that a later execution of it can be matched.
Everything here is pure string work on words; nothing reads files.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from medlint.model.core import ShellCommand
from medlint.model.shell import command_name, split_shell, split_words

# --------------------------------------------------------------------------------------------------
# OS package managers

#: Programs and the subcommands that install packages, by manager family.
_OS_INSTALL = {
    "apt-get": ("apt", ("install",)),
    "apt": ("apt", ("install",)),
    "apk": ("apk", ("add",)),
    "yum": ("yum", ("install", "localinstall", "reinstall")),
    "dnf": ("yum", ("install", "in", "localinstall", "reinstall")),
    "dnf5": ("yum", ("install", "in", "reinstall")),
    "microdnf": ("yum", ("install", "reinstall")),
    "tdnf": ("yum", ("install", "reinstall")),
    "zypper": ("zypper", ("install", "in")),
}
_OS_REMOVE = {
    "apt": ("remove", "purge", "autoremove"),
    "apk": ("del",),
    "yum": ("remove", "rm", "erase", "autoremove"),
    "zypper": ("remove", "rm"),
}
#: Options whose value is the next word when written without `=` (`-o Dpkg::...`, `--virtual .deps`).
_OS_VALUE_OPTIONS = {
    "apt": {
        "-o",
        "--option",
        "-c",
        "--config-file",
        "-t",
        "--target-release",
        "--default-release",
        "-a",
        "--host-architecture",
    },
    "apk": {
        "-t",
        "--virtual",
        "-X",
        "--repository",
        "-p",
        "--root",
        "--arch",
        "--keys-dir",
        "--cache-dir",
        "--repositories-file",
        "--cache-max-age",
        "--timeout",
    },
    "yum": {
        "-c",
        "--config",
        "--enablerepo",
        "--disablerepo",
        "--repo",
        "--repoid",
        "--installroot",
        "--releasever",
        "-x",
        "--exclude",
        "--setopt",
        "--repofrompath",
        "-d",
        "--debuglevel",
        "-e",
        "--errorlevel",
        "--downloaddir",
        "--destdir",
        "--forcearch",
        "--rpmverbosity",
    },
    "zypper": {
        "-t",
        "--type",
        "-r",
        "--repo",
        "--from",
        "-R",
        "--root",
        "-c",
        "--config",
        "--reposd-dir",
        "--cache-dir",
        "--download",
    },
}
#: Options with which an install installs nothing (a dry run, or a download only).
_SIMULATE_OPTIONS = {
    "apt": {"-s", "--simulate", "--dry-run", "--just-print", "--no-act", "--recon", "-d", "--download-only"},
    "apk": {"-s", "--simulate"},
    "yum": {"--assumeno", "--downloadonly"},
    "zypper": {"-D", "--dry-run", "--download-only"},
}
_LOCAL_PACKAGE_SUFFIXES = (".deb", ".rpm", ".apk")
_RPM_VERSION = re.compile(r"-\d")


@dataclass(frozen=True, slots=True)
class OsPackageCommand:
    """An OS package manager installing or removing packages.

    `manager` is the family ("apt", "apk", "yum", "zypper"), `program` the word as run ("apt-get", "dnf").
    `packages` are the package words as written; `virtual` is apk's `--virtual` group name.
    """

    manager: str
    program: str
    action: str  # "install" or "remove"
    packages: tuple[str, ...]
    options: tuple[str, ...]
    virtual: str | None = None
    from_stdin: bool = False  # `xargs apt-get install < list`: more packages come from a file

    def has_option(self, *names: str) -> bool:
        return has_option(self.options, names)

    def option_values(self, *names: str) -> list[str]:
        return option_values(self.options, names)


def has_option(options: tuple[str, ...], names: tuple[str, ...]) -> bool:
    """Whether any of the options is given, in either `--name` or `--name=value` form."""
    return any(option == name or option.startswith(name + "=") for option in options for name in names)


def option_values(options: tuple[str, ...], names: tuple[str, ...]) -> list[str]:
    """Values of an option written `--name=value` (`_split_arguments` stores `--name value` joined that way)."""
    return [option.split("=", 1)[1] for option in options for name in names if option.startswith(name + "=")]


def _split_arguments(words: list[str], value_options: set[str]) -> tuple[list[str], list[str]]:
    """Options (a value option joined to its value with `=`) and positional words, in order."""
    options: list[str] = []
    positional: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            positional.extend(words[index + 1 :])
            break
        if word.startswith("-") and len(word) > 1:
            if word in value_options and index + 1 < len(words):
                options.append(f"{word}={words[index + 1]}")
                index += 2
                continue
            options.append(word)
        else:
            positional.append(word)
        index += 1
    return options, positional


_XARGS_VALUE_OPTIONS = {
    "-n",
    "-I",
    "-i",
    "-P",
    "-d",
    "-a",
    "-L",
    "-l",
    "-s",
    "-E",
    "-e",
    "--max-args",
    "--max-procs",
    "--delimiter",
    "--arg-file",
    "--max-lines",
    "--max-chars",
    "--replace",
    "--eof",
}


def unwrap_xargs(words: tuple[str, ...] | list[str]) -> tuple[list[str], bool]:
    """The command `xargs` runs (its arguments come from stdin), and whether xargs was there at all."""
    program, index = command_name(words)
    if program != "xargs":
        return list(words), False
    position = index + 1
    while position < len(words) and words[position].startswith("-"):
        takes_value = words[position] in _XARGS_VALUE_OPTIONS
        position += 2 if takes_value else 1
    return list(words[position:]), True


@dataclass(frozen=True, slots=True)
class PackageManagerCall:
    """Any call of an OS package manager, split by its grammar: `dnf -y clean all` is program "dnf", family
    "yum", verb "clean", arguments ("all",). What a verb means (a refresh, an upgrade, a cleanup) is a fact of
    the rule pack's package-managers table, not of the grammar."""

    program: str
    family: str  # "apt", "apk", "yum" (the RPM family) or "zypper"
    verb: str
    arguments: tuple[str, ...]
    options: tuple[str, ...]

    def has_option(self, *names: str) -> bool:
        return has_option(self.options, names)


#: Every program the grammar knows, with its family.
OS_PACKAGE_MANAGERS = {program: family for program, (family, _) in _OS_INSTALL.items()}


def package_manager_call(words: tuple[str, ...] | list[str]) -> PackageManagerCall | None:
    """The package manager a command runs and its sub-command (also through `xargs`), or None."""
    words, _ = unwrap_xargs(words)
    program, index = command_name(words)
    family = OS_PACKAGE_MANAGERS.get(program)
    if family is None:
        return None
    options, positional = _split_arguments(list(words[index + 1 :]), _OS_VALUE_OPTIONS[family])
    if not positional:
        return None
    return PackageManagerCall(program, family, positional[0], tuple(positional[1:]), tuple(options))


def os_package_command(words: tuple[str, ...] | list[str]) -> OsPackageCommand | None:
    """The OS package install or removal a command performs (also through `xargs`), or None."""
    words, from_stdin = unwrap_xargs(words)
    program, index = command_name(words)
    if program not in _OS_INSTALL:
        return None
    manager, install_verbs = _OS_INSTALL[program]
    options, positional = _split_arguments(list(words[index + 1 :]), _OS_VALUE_OPTIONS[manager])
    if not positional:
        return None
    verb, packages = positional[0], tuple(positional[1:])
    if verb in install_verbs:
        action = "install"
    elif verb in _OS_REMOVE[manager]:
        action = "remove"
    else:
        return None
    if set(options) & _SIMULATE_OPTIONS.get(manager, set()):
        return None  # `apt-get install -s`: a dry run installs nothing
    groups = option_values(tuple(options), ("-t", "--virtual")) if manager == "apk" else []
    virtual = groups[0] if groups else None
    return OsPackageCommand(manager, program, action, packages, tuple(options), virtual, from_stdin)


def is_local_package_file(spec: str) -> bool:
    """A `.deb`/`.rpm`/`.apk` file from the build context or the image (not a URL): it is exempt."""
    return spec.lower().endswith(_LOCAL_PACKAGE_SUFFIXES) and "://" not in spec


def os_package_name(manager: str, spec: str) -> str:
    """The package name without version or architecture (`curl=7.8` -> `curl`, `httpd-2.4-1` -> `httpd`)."""
    if manager == "apt":
        return spec.split("=", 1)[0].split(":", 1)[0].split("/", 1)[0]
    if manager == "apk" or (manager == "zypper" and re.search(r"[=<>]", spec)):
        return re.split(r"[=<>~]", spec, maxsplit=1)[0]
    start = _rpm_version_start(spec)
    if not start:
        return spec
    name = spec[:start]
    # `httpd-2.4.57-5.el9` is name-version-release: the last `-digit` starts the release.
    return re.sub(r"-\d[\w.+~^]*$", "", name) or name


def _rpm_version_start(spec: str) -> int | None:
    """Index of the last `-` followed by a digit in an RPM spec (`nodejs-18.19.0-1.el9`), or None."""
    matches = list(_RPM_VERSION.finditer(spec))
    return matches[-1].start() if matches else None


def os_package_pinned(manager: str, spec: str) -> bool:
    """Whether an OS package spec names an exact version (local package files count as pinned)."""
    if is_local_package_file(spec):
        return True
    if manager == "apt":
        name, sep, version = spec.partition("=")
        return bool(sep and name and version)
    if manager == "apk":
        match = re.match(r"^([^=<>~]+)=([^=<>~].*)$", spec)
        return match is not None
    if manager == "zypper" and re.match(r"^[^=<>]+=[^=<>]", spec):
        return True
    if manager in ("yum", "zypper"):
        base = spec.rsplit("/", 1)[-1] if "://" in spec else spec
        start = _rpm_version_start(base)
        return start is not None and start > 0
    return False


# --------------------------------------------------------------------------------------------------
# Language package managers


@dataclass(frozen=True, slots=True)
class LanguageInstall:
    """A language-level install: which tool, the package specs as written, and its options."""

    tool: str  # "pip", "npm", "yarn", "gem", "go", "cargo"
    verb: str  # "install", "ci", "add", ...
    packages: tuple[str, ...]
    options: tuple[str, ...]

    def has_option(self, *names: str) -> bool:
        return has_option(self.options, names)

    def option_values(self, *names: str) -> list[str]:
        return option_values(self.options, names)


_PIP_VALUE_OPTIONS = {
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "--cache-dir",
    "--log",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--cert",
    "--client-cert",
    "--no-binary",
    "--only-binary",
    "-C",
    "--config-settings",
    "--global-option",
    "--install-option",
    "--report",
    "--python",
    "--index",
    "--keyring-provider",
    "--root-user-action",
    "--use-feature",
    "--use-deprecated",
}
_NPM_INSTALL_VERBS = {
    "install",
    "i",
    "add",
    "in",
    "ins",
    "inst",
    "insta",
    "instal",
    "isnt",
    "isnta",
    "isntal",
    "isntall",
    "install-test",
    "it",
}
_NPM_CI_VERBS = {"ci", "clean-install", "ic", "install-clean", "isntall-clean", "install-ci-test", "cit"}
_NPM_VALUE_OPTIONS = {
    "--prefix",
    "--registry",
    "--cache",
    "--omit",
    "--include",
    "--only",
    "--loglevel",
    "-w",
    "--workspace",
    "--userconfig",
    "--tag",
    "--install-strategy",
    "-C",
}
_GEM_VALUE_OPTIONS = {
    "-v",
    "--version",
    "-i",
    "--install-dir",
    "-n",
    "--bindir",
    "--source",
    "-s",
    "-p",
    "--http-proxy",
    "--platform",
    "--document",
    "-g",
    "--file",
}
_CARGO_VALUE_OPTIONS = {
    "--version",
    "--vers",
    "--git",
    "--branch",
    "--tag",
    "--rev",
    "--path",
    "--root",
    "--index",
    "--registry",
    "--bin",
    "--example",
    "--features",
    "-F",
    "--profile",
    "--target",
    "--target-dir",
    "-j",
    "--jobs",
    "--config",
    "-Z",
    "--color",
}
_EXACT_SEMVER = re.compile(r"^[=v]?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def _python_pip_index(words: list[str]) -> int | None:
    """Index of the first argument after `pip`, `pip3.11` or `python3 -m pip`; None when not pip."""
    program, index = command_name(words)
    if re.fullmatch(r"pip(\d+(\.\d+)?)?", program):
        return index + 1
    if re.fullmatch(r"python(\d+(\.\d+)?)?", program):
        rest = words[index + 1 :]
        for position, word in enumerate(rest[:-1]):
            if word == "-m" and rest[position + 1] == "pip":
                return index + position + 3
            if not word.startswith("-"):
                return None
    return None


def language_install(words: tuple[str, ...] | list[str]) -> LanguageInstall | None:
    """The language-level install a command performs (pip, npm, yarn, gem, go, cargo), or None."""
    words = list(words)
    pip_start = _python_pip_index(words)
    if pip_start is not None:
        return _verb_install("pip", words[pip_start:], _PIP_VALUE_OPTIONS, {"install"})
    program, index = command_name(words)
    rest = words[index + 1 :]
    if program == "npm":
        return _verb_install("npm", rest, _NPM_VALUE_OPTIONS, _NPM_INSTALL_VERBS | _NPM_CI_VERBS)
    if program == "yarn":
        return _yarn_install(rest)
    if program == "gem":
        return _verb_install("gem", rest, _GEM_VALUE_OPTIONS, {"install", "i"})
    if program == "go":
        return _verb_install(
            "go",
            rest,
            {
                "-o",
                "-p",
                "-C",
                "-mod",
                "-modfile",
                "-overlay",
                "-pkgdir",
                "-tags",
                "-toolexec",
                "-gcflags",
                "-ldflags",
                "-asmflags",
            },
            {"install"},
        )
    if program == "cargo":
        return _verb_install("cargo", rest, _CARGO_VALUE_OPTIONS, {"install"})
    return None


def _verb_install(
    tool: str, rest: list[str], value_options: set[str], verbs: set[str]
) -> LanguageInstall | None:
    options, positional = _split_arguments(rest, value_options)
    if not positional or positional[0] not in verbs:
        return None
    verb = positional[0]
    if tool == "npm":
        verb = "ci" if verb in _NPM_CI_VERBS else "install"
    return LanguageInstall(tool, verb, tuple(positional[1:]), tuple(options))


def _yarn_install(rest: list[str]) -> LanguageInstall | None:
    """Bare `yarn` and `yarn install` install the lockfile; `yarn add` and `yarn global add` add packages."""
    options, positional = _split_arguments(
        rest, {"--cwd", "--modules-folder", "--cache-folder", "--network-timeout", "--mutex", "--registry"}
    )
    if not positional:
        if any(option in ("--version", "-v", "--help", "-h") for option in options):
            return None
        return LanguageInstall("yarn", "install", (), tuple(options))
    if positional[0] == "install":
        return LanguageInstall("yarn", "install", tuple(positional[1:]), tuple(options))
    if positional[0] == "add":
        return LanguageInstall("yarn", "add", tuple(positional[1:]), tuple(options))
    if positional[:2] == ["global", "add"]:
        return LanguageInstall("yarn", "add", tuple(positional[2:]), tuple(options))
    return None


def is_local_path(spec: str) -> bool:
    """A path in the build context or the image (`.`, `./pkg`, `/src/app`, `dist/x.whl`, `file:...`)."""
    if "://" in spec:
        return False
    return (
        spec.startswith((".", "/", "~", "file:"))
        or spec.endswith((".whl", ".tar.gz", ".tgz", ".zip", ".gem"))
        or spec == "."
    )


def pip_requirement_pinned(spec: str) -> bool:
    """`name==1.2.3` or `name===1.2.3` (`==1.*` is not a pin); direct URLs and VCS refs with `@ref` pin too."""
    text = spec.split(";", 1)[0].strip()
    if is_local_path(text):
        return True
    if " @ " in text or "://" in text:
        url = text.split(" @ ", 1)[-1]
        if url.startswith(("git+", "hg+", "svn+", "bzr+")):
            path = url.split("://", 1)[-1].split("#", 1)[0]
            return "@" in path.partition("/")[2]
        return True  # a direct link to one archive
    match = re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*(===?)\s*([^,*\s]+)$", text)
    return match is not None


def npm_package_pinned(spec: str) -> bool:
    """`name@1.2.3` or `@scope/name@1.2.3` with an exact version; local paths and git refs with `#ref` pin."""
    if is_local_path(spec):
        return True
    if "://" in spec or spec.startswith(("git+", "github:", "gitlab:", "bitbucket:")):
        return "#" in spec
    at = spec.rfind("@")
    if at <= 0:
        return False
    version = spec[at + 1 :]
    return _EXACT_SEMVER.match(version) is not None


def npm_package_name(spec: str) -> str:
    at = spec.rfind("@")
    return spec[:at] if at > 0 else spec


def gem_version_pinned(version: str) -> bool:
    """An exact gem version (`2.4.22`, `= 2.4.22`); requirements such as `~> 2.4` or `>= 0` are not pins."""
    text = version.strip()
    if text.startswith("="):
        text = text[1:].strip()
    return re.fullmatch(r"\d+(\.[0-9A-Za-z]+)*", text) is not None


def go_version_pinned(version: str) -> bool:
    """A semantic version, a pseudo-version or a commit hash; `latest`, branch names and queries float."""
    return re.fullmatch(r"v\d+(\.\d+){0,2}([-+][0-9A-Za-z.+-]*)?|[0-9a-f]{7,40}", version) is not None


# --------------------------------------------------------------------------------------------------
# pip requirement and constraint files (MD104)
#
# The loader reads the files `pip install -r/-c` name from the build context (`Dockerfile.context_files`);
# parsing their text is pure string work and lives here, following pip's own rules (pip/_internal/req/
# req_file.py): a line ending in `\` continues on the next one, `#` at the start of a line or after whitespace
# starts a comment, a line starting with `-` holds options (`-r`, `-c`, `-e`, `--index-url`, `--require-hashes`,
# ...), any other line is a requirement whose own options (`--hash=...`) start at the first word beginning with `-`.

#: How deep `-r`/`-c` lines inside requirement files are followed below the file named on the command line.
MAX_REQUIREMENT_NESTING = 5

_REQUIREMENT_FILE_OPTIONS = {
    "-r": "requirement",
    "--requirement": "requirement",
    "-c": "constraint",
    "--constraint": "constraint",
    "-e": "editable",
    "--editable": "editable",
}
#: Options of a requirements file that take a value (which is not a requirement).
_REQUIREMENT_FILE_VALUE_OPTIONS = {
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--use-feature",
    "--no-binary",
    "--only-binary",
    "--config-settings",
    "-C",
    "--global-option",
    "--install-option",
    "--hash",
}
# A run of spaces is tried from its start only (linear on long runs without `#`).
_COMMENT = re.compile(r"(^|(?<!\s)\s+)#.*$")
_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
_DIGEST_FRAGMENT = re.compile(r"[#&](sha256|sha384|sha512)=[0-9a-fA-F]{32,}")
_COMMIT = re.compile(r"[0-9a-fA-F]{7,64}")
_VERSION_TAG = re.compile(r"v?\d+\.\d+[0-9A-Za-z.+-]*")  # `(\.\d+)+` before the class only backtracked
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True, slots=True)
class RequirementEntry:
    """One requirement of a requirements file: its line (the first of a continued line) and spec as written,
    without per-requirement options; `editable` for `-e` lines."""

    line: int
    spec: str
    editable: bool = False


@dataclass(frozen=True, slots=True)
class RequirementsText:
    """What a requirements (or constraints) file says: requirements, nested files, and whether pip checks hashes.

    `require_hashes` is set by a `--require-hashes` line or by a `--hash` on any requirement: either puts pip in
    hash-checking mode, in which every requirement must be pinned with `==` and a hash or the install fails.
    """

    entries: tuple[RequirementEntry, ...]
    requirement_files: tuple[str, ...]  # nested `-r` paths as written
    constraint_files: tuple[str, ...]  # nested `-c` paths as written
    require_hashes: bool


def _logical_requirement_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each logical line: continuations joined, comments removed, blanks skipped."""
    pending: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.endswith("\\") and not _COMMENT.match(line):
            if not pending:
                first = number
            pending.append(line[:-1])
            continue
        if _COMMENT.match(line):
            line = " " + line  # pip: a comment line ends a continuation and stays a comment
        if pending:
            pending.append(line)
            line, number = "".join(pending), first
            pending = []
        stripped = _COMMENT.sub("", line).strip()
        if stripped:
            yield number, stripped
    if pending:
        stripped = _COMMENT.sub("", "".join(pending)).strip()
        if stripped:
            yield first, stripped


def _shell_words(text: str) -> list[str]:
    try:
        return split_words(text)
    except ValueError:
        return text.split()


def _option_line(words: list[str]) -> Iterator[tuple[str, str]]:
    """(option kind, value) pairs of an option line: "requirement", "constraint", "editable", "require-hashes",
    "hash"; other options are skipped with their values."""
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        name, equals, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if not word.startswith("--") and len(word) > 2 and word[:2] in _REQUIREMENT_FILE_OPTIONS:
            name, equals, value = word[:2], "=", word[2:]  # `-rbase.txt`: optparse takes the attached value
        if name == "--require-hashes":
            yield "require-hashes", ""
            continue
        if name in _REQUIREMENT_FILE_OPTIONS or name in _REQUIREMENT_FILE_VALUE_OPTIONS:
            if not equals and index < len(words):
                value = words[index]
                index += 1
            kind = _REQUIREMENT_FILE_OPTIONS.get(name, "hash" if name == "--hash" else "")
            if kind:
                yield kind, value


def parse_requirements(text: str) -> RequirementsText:
    """The requirements, nested `-r`/`-c` files and hash-checking mode of a pip requirements file's text."""
    entries: list[RequirementEntry] = []
    requirement_files: list[str] = []
    constraint_files: list[str] = []
    require_hashes = False
    for number, line in _logical_requirement_lines(text):
        words = line.split(" ")
        split = next((index for index, word in enumerate(words) if word.startswith("-")), len(words))
        spec = " ".join(words[:split]).strip()
        if spec:
            entries.append(RequirementEntry(number, spec))
        for kind, value in _option_line(_shell_words(" ".join(words[split:]))):
            if kind == "requirement" and value and not spec:
                requirement_files.append(value)
            elif kind == "constraint" and value and not spec:
                constraint_files.append(value)
            elif kind == "editable" and value and not spec:
                entries.append(RequirementEntry(number, value, editable=True))
            elif kind in ("require-hashes", "hash"):
                require_hashes = True
    return RequirementsText(tuple(entries), tuple(requirement_files), tuple(constraint_files), require_hashes)


def canonical_name(name: str) -> str:
    """A distribution name as pip compares it (PEP 503): lower case, runs of `-_.` as one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _split_marker(spec: str) -> str:
    """The requirement without its environment marker. In a URL requirement the marker needs ` ;` (pip)."""
    if "://" in spec or spec.startswith(_VCS_PREFIXES):
        return re.split(r"\s;", spec, maxsplit=1)[0].strip()
    return spec.split(";", 1)[0].strip()


_DIRECT_REFERENCE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*@\s*(\S.*)$")


def _direct_reference(text: str) -> tuple[str | None, str]:
    """(name, location) of a PEP 508 direct reference `name[extras] @ url`; (None, text) for anything else."""
    match = _DIRECT_REFERENCE.match(text)
    if match and ("://" in match.group(3) or match.group(3).startswith(("file:", *_VCS_PREFIXES))):
        return match.group(1), match.group(3).strip()
    return None, text


def requirement_name(spec: str) -> str | None:
    """The canonical distribution name of a requirement (`Flask[async]>=2` -> `flask`, `x @ url` -> `x`,
    `git+https://...#egg=tool` -> `tool`); None for a path or URL that does not name one."""
    text = _split_marker(spec)
    name, location = _direct_reference(text)
    if name is not None:
        return canonical_name(name)
    if "://" in location or location.startswith(("file:", *_VCS_PREFIXES)) or is_local_path(location):
        egg = re.search(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)", location)
        return canonical_name(egg.group(1)) if egg else None
    match = _NAME.match(text)
    return canonical_name(match.group(1)) if match else None


def _vcs_reference(url: str) -> str | None:
    """The revision of a VCS URL (`git+https://host/repo.git@<rev>#egg=x`), or None when it names none."""
    location = url.split("#", 1)[0].split("://", 1)[-1]
    path = location.partition("/")[2]  # after the host, so `git@host` and `user:token@host` are not revisions
    return path.rsplit("@", 1)[1] if "@" in path else None


def requirement_problem(spec: str) -> str | None:
    """Why a requirement of a requirements file does not pin one artifact, or None when it does.

    Pinned: `name==1.2.3` or `name===1.2.3` (extras and markers allowed; `==1.*` is not a pin), a local path,
    a VCS URL at a commit hash (or a release tag such as `@v1.2.3`), a direct archive URL with a `#sha256=`
    (sha384, sha512) digest.
    """
    text = _split_marker(spec)
    _, url = _direct_reference(text)
    if url.startswith("file:") or (
        "://" not in url and not url.startswith(_VCS_PREFIXES) and is_local_path(url)
    ):
        return None
    if url.startswith(_VCS_PREFIXES):
        reference = _vcs_reference(url)
        if reference is None:
            return "names no VCS revision (pin it to a commit hash)"
        if (
            _COMMIT.fullmatch(reference)
            or _VERSION_TAG.fullmatch(reference)
            or (url.startswith("svn+") and reference.isdigit())
        ):
            return None
        return f'follows the VCS reference "@{reference}", which can move (pin it to a commit hash)'
    if "://" in url:
        return None if _DIGEST_FRAGMENT.search(url) else "is a direct URL without a #sha256= digest"
    if re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*(===?)\s*([^,*\s]+)$", text):
        return None
    name = _NAME.match(text)
    return f"has no exact version (pin it as {name.group(1)}==<version>)" if name else "has no exact version"


def requirement_file_key(written: str, including_key: str | None = None) -> str | None:
    """How `Dockerfile.context_files` names a requirements file: the path as written in `-r`/`-c`, normalised
    (`./requirements.txt` -> `requirements.txt`); a nested file is relative to the directory of the file that
    includes it, as pip reads it. None for a URL or a path with variables, which are never read."""
    if not written or "://" in written or "$" in written or "`" in written:
        return None
    if including_key is not None and not written.startswith("/"):
        written = posixpath.join(posixpath.dirname(including_key), written)
    return posixpath.normpath(written)


def pip_file_arguments(
    words: tuple[str, ...] | list[str], verbs: tuple[str, ...] = ("install",)
) -> list[tuple[str, str]]:
    """("requirement" | "constraint", path as written) for each `-r`/`-c` of a `pip install` command (or of the
    other pip `verbs` given, such as `wheel` and `download`, which read the same files)."""
    words = list(words)
    start = _python_pip_index(words)
    if start is None:
        return []
    options, positional = _split_arguments(words[start:], _PIP_VALUE_OPTIONS)
    if not positional or positional[0] not in verbs:
        return []
    return [("requirement", value) for value in option_values(tuple(options), ("-r", "--requirement"))] + [
        ("constraint", value) for value in option_values(tuple(options), ("-c", "--constraint"))
    ]


# --------------------------------------------------------------------------------------------------
# Downloads, execution and verification (MD107)

_CURL_VALUE_LETTERS = set("oHduAexmwXCTKbcErYyzQt")
_CURL_VALUE_OPTIONS = {
    "--output",
    "--header",
    "--data",
    "--data-raw",
    "--data-binary",
    "--data-urlencode",
    "--user",
    "--user-agent",
    "--referer",
    "--proxy",
    "--max-time",
    "--write-out",
    "--request",
    "--continue-at",
    "--upload-file",
    "--config",
    "--cookie",
    "--cookie-jar",
    "--cert",
    "--key",
    "--cacert",
    "--capath",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "--connect-timeout",
    "--proto",
    "--proto-redir",
    "--resolve",
    "--output-dir",
    "--range",
    "--form",
    "--url",
    "--limit-rate",
    "--max-filesize",
    "--interface",
    "--dns-servers",
    "--tls-max",
    "--ciphers",
}
_WGET_VALUE_LETTERS = set("OPoatTUeiYwlQ")
_WGET_VALUE_OPTIONS = {
    "--output-document",
    "--directory-prefix",
    "--output-file",
    "--append-output",
    "--tries",
    "--timeout",
    "--user-agent",
    "--header",
    "--user",
    "--password",
    "--execute",
    "--input-file",
    "--progress",
    "--wait",
    "--level",
    "--quota",
    "--post-data",
    "--post-file",
    "--method",
    "--body-data",
    "--ca-certificate",
    "--certificate",
    "--private-key",
    "--load-cookies",
    "--save-cookies",
    "--referer",
    "--http-user",
    "--http-password",
    "--ca-directory",
    "--dns-timeout",
    "--connect-timeout",
    "--read-timeout",
    "--limit-rate",
}
_STDOUT_PATHS = ("-", "/dev/stdout")
_INTERPRETERS = re.compile(
    r"^(sh|bash|dash|ash|zsh|ksh|mksh|python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|node|nodejs|php[0-9.]*)$"
)
_SHELL_NAMES = re.compile(r"^(sh|bash|dash|ash|zsh|ksh|mksh)$")
_INLINE_SCRIPT_OPTIONS = {"-c", "-e", "-E", "-r", "-p", "--eval", "--print", "-m"}
_HASH_TOOLS = re.compile(r"^(sha(1|224|256|384|512)sum|md5sum|b2sum|shasum|cksum)$")


@dataclass(frozen=True, slots=True)
class Download:
    """A download by curl or wget: where the content goes (`path`, or "-" for stdout) and from where."""

    tool: str
    path: str
    url: str


def _url_basename(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _option_words(
    arguments: list[str], value_letters: set[str], value_options: set[str]
) -> Iterator[tuple[str, str]]:
    """(option, value) pairs and ("", positional) pairs of a curl/wget argument list, short groups unpacked."""
    index = 0
    while index < len(arguments):
        word = arguments[index]
        index += 1
        if word.startswith("--"):
            name, equals, value = word.partition("=")
            if not equals and name in value_options and index < len(arguments):
                value = arguments[index]
                index += 1
            yield name, value
        elif word.startswith("-") and len(word) > 1:
            for position, letter in enumerate(word[1:], start=1):
                if letter in value_letters:
                    value = word[position + 1 :]
                    if not value and index < len(arguments):
                        value = arguments[index]
                        index += 1
                    yield "-" + letter, value
                    break
                yield "-" + letter, ""
        else:
            yield "", word


def download_of(words: tuple[str, ...] | list[str]) -> list[Download]:
    """What a curl or wget command downloads and where each URL's content goes."""
    program, index = command_name(words)
    if program not in ("curl", "wget"):
        return []
    arguments = list(words[index + 1 :])
    curl = program == "curl"
    letters, options = (
        (_CURL_VALUE_LETTERS, _CURL_VALUE_OPTIONS) if curl else (_WGET_VALUE_LETTERS, _WGET_VALUE_OPTIONS)
    )
    urls: list[str] = []
    output: str | None = None
    remote_name = False
    directory = ""
    for option, value in _option_words(arguments, letters, options):
        if option == "" and ("://" in value or value.startswith("$")):
            urls.append(value)
        elif option in (("-o", "--output") if curl else ("-O", "--output-document")):
            output = value
        elif curl and option in ("-O", "--remote-name", "--remote-name-all"):
            remote_name = True
        elif option in ("-P", "--directory-prefix", "--output-dir"):
            directory = value.rstrip("/") + "/"
    downloads: list[Download] = []
    for url in urls:
        if output is not None:
            path = output
        elif program == "wget" or remote_name:
            path = directory + _url_basename(url)
        else:
            path = "-"
        downloads.append(Download(program, "-" if path in _STDOUT_PATHS else path, url))
    return downloads


def downloads_to_file(words: tuple[str, ...] | list[str]) -> list[Download]:
    return [download for download in download_of(words) if download.path != "-"]


def _downloads_to_stdout(words: tuple[str, ...] | list[str]) -> Download | None:
    return next((download for download in download_of(words) if download.path == "-"), None)


def _substitution_download(word: str) -> Download | None:
    """A download inside `$(...)`, backticks or `<(...)` whose output the surrounding command uses."""
    if word.startswith(("$(", "<(")) and word.endswith(")"):
        inner = word[2:-1]
    elif word.startswith("`") and word.endswith("`") and len(word) > 1:
        inner = word[1:-1]
    else:
        return None
    for command in split_shell(inner):
        found = _downloads_to_stdout(command.words)
        if found:
            return found
    return None


def _interpreter_arguments(words: tuple[str, ...] | list[str]) -> tuple[str, list[str]] | None:
    program, index = command_name(words)
    if _INTERPRETERS.match(program) or program in (".", "source", "eval"):
        return program, list(words[index + 1 :])
    return None


def _reads_stdin(program: str, arguments: list[str]) -> bool:
    """An interpreter without a script argument (or with `-`, or a shell with `-s`) runs what stdin holds."""
    if program in (".", "source", "eval"):
        return False
    for index, word in enumerate(arguments):
        if word == "-" or (word == "-s" and _SHELL_NAMES.match(program)):
            return True
        if word in _INLINE_SCRIPT_OPTIONS or (
            word.startswith("-") and not word.startswith("--") and "c" in word and _SHELL_NAMES.match(program)
        ):
            return False
        if word in ("-o", "+o", "-O", "+O", "-W", "-X"):
            continue
        if not word.startswith(("-", "+")) and not (
            index and arguments[index - 1] in ("-o", "+o", "-O", "+O", "-W", "-X")
        ):
            return False
    return True


def _pipeline_before(commands: Sequence[ShellCommand], index: int) -> list[ShellCommand]:
    """The commands feeding commands[index] through `|` (nested substitutions in between included)."""
    feeding: list[ShellCommand] = []
    position = index - 1
    while position >= 0:
        feeding.append(commands[position])
        if commands[position].operator_before in ("|", "|&", "") and position > 0:
            position -= 1
            continue
        break
    return feeding


def executed_download(commands: Sequence[ShellCommand], index: int) -> str | None:
    """How commands[index] runs downloaded content directly (a pipe into an interpreter, `sh -c "$(curl ...)"`,
    `bash <(curl ...)`, `eval "$(curl ...)"`), as a short phrase quoting the download; None otherwise."""
    command = commands[index]
    words = command.words
    first = next((word for word in words if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word)), "")
    found = _substitution_download(first)
    if found:
        return f'runs the output of "{found.tool} {found.url}"'
    interpreter = _interpreter_arguments(words)
    if interpreter is None:
        return None
    program, arguments = interpreter
    shell = _SHELL_NAMES.match(program) is not None
    for position, word in enumerate(arguments):
        # A shell's `-c` script is split by the parser already; its `$(curl ...)` is a command of its own.
        inline = not shell and position > 0 and arguments[position - 1] in _INLINE_SCRIPT_OPTIONS
        if word.startswith("<(") or inline or program == "eval":
            found = _substitution_download(word)
            if found:
                return f'{program} runs the output of "{found.tool} {found.url}"'
    if command.operator_before in ("|", "|&") and _reads_stdin(program, arguments):
        for feeding in _pipeline_before(commands, index):
            found = _downloads_to_stdout(feeding.words)
            if found:
                return f'pipes "{found.tool} {found.url}" into {program}'
    return None


def _same_file(word: str, path: str) -> bool:
    if word == path or word.removeprefix("./") == path.removeprefix("./"):
        return True
    return (
        not word.startswith("/") and "$" not in path and posixpath.basename(word) == posixpath.basename(path)
    )


def executed_file(words: tuple[str, ...] | list[str], path: str) -> str | None:
    """The word under which a command runs the downloaded file `path` (as the program or an interpreter's
    script), or None."""
    if not path or path in _STDOUT_PATHS or posixpath.basename(path) in ("", ".", ".."):
        return None
    _, index = command_name(words)
    if index < len(words) and _same_file(words[index], path):
        return words[index]
    interpreter = _interpreter_arguments(words)
    if interpreter is None:
        return None
    _program, arguments = interpreter
    for position, word in enumerate(arguments):
        if word.startswith("-"):
            if word in _INLINE_SCRIPT_OPTIONS:
                return None
            continue
        if position and arguments[position - 1] in ("-o", "+o", "-O", "+O", "-W", "-X"):
            continue
        return word if _same_file(word, path) else None
    return None


def is_verification(words: tuple[str, ...] | list[str]) -> bool:
    """A checksum or signature check that fails on a mismatch: `sha256sum -c`, `gpg --verify`, `gpgv`,
    `cosign verify-blob`, `minisign -V`, `openssl dgst -verify`, or a `[`/`test` comparison of a hash."""
    program, index = command_name(words)
    arguments = list(words[index + 1 :])
    if _HASH_TOOLS.match(program):
        return any(
            word in ("-c", "--check") or re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", word) is not None
            for word in arguments
            if not word.startswith("--") or word == "--check"
        )
    if program in ("gpg", "gpg2"):
        return any(word in ("--verify", "--verify-files") for word in arguments)
    if program in ("gpgv", "gpgv2"):
        return True
    if program == "cosign":
        return any(word.startswith("verify") for word in arguments[:1])
    if program in ("minisign", "signify"):
        return "-V" in arguments
    if program == "openssl":
        return any(word in ("-verify", "-signature") for word in arguments)
    if program in ("slsa-verifier", "sigstore"):
        return any(word.startswith("verify") for word in arguments)
    if program in ("[", "[[", "test"):
        return any(op in arguments for op in ("=", "==", "!=")) and any(
            any(_computes_hash(inner.words) for inner in split_shell(word[2:-1]))
            for word in arguments
            if word.startswith("$(") and word.endswith(")")
        )
    return False


def _computes_hash(words: list[str]) -> bool:
    """`sha256sum file`, `openssl sha512 -r`, `openssl dgst -sha256 file`: a digest to compare."""
    program, index = command_name(words)
    if program == "openssl":
        return any(re.fullmatch(r"dgst|sha\d*|md5", word) for word in words[index + 1 : index + 2])
    return _HASH_TOOLS.match(program) is not None


# --------------------------------------------------------------------------------------------------
# File modes (MD213)


def chmod_problem(mode: str, recursive: bool) -> str | None:
    """Why a chmod mode is an escalation path: setuid/setgid, or world-writable 777. None otherwise.

    A sticky world-writable directory (`1777`, the /tmp mode) is exempt unless applied recursively, which
    makes every file below it world-writable.
    """
    if re.fullmatch(r"[0-7]{1,5}", mode):
        value = int(mode, 8)
        if value & 0o6000:
            return "setuid" if value & 0o4000 else "setgid"
        if value & 0o777 == 0o777 and (not value & 0o1000 or recursive):
            return "777"
        return None
    granted: dict[str, set[str]] = {"u": set(), "g": set(), "o": set()}
    for clause in mode.split(","):
        match = re.fullmatch(r"([ugoa]*)([-+=])([rwxXst]*)", clause)
        if match is None:
            continue
        who, operator, permissions = match.groups()
        permissions = permissions.replace("X", "x")  # `a+rwX`: directories become 777, files 666
        targets = set(who.replace("a", "ugo")) or {"u", "g", "o"}
        if operator in "+=" and "s" in permissions and targets & {"u", "g"}:
            return "setuid" if "u" in targets else "setgid"
        for target in targets:
            if operator == "-":
                granted[target] -= set(permissions)
            else:
                granted[target] |= set(permissions)
    if all({"r", "w", "x"} <= granted[target] for target in "ugo"):
        return "777"
    return None


@dataclass(frozen=True, slots=True)
class ChmodProblem:
    """A chmod that opens an escalation path: what it does, how it was written, and what it changes."""

    problem: str  # "setuid", "setgid" or "777"
    written: str
    targets: tuple[str, ...]


def chmod_command_problem(words: tuple[str, ...]) -> ChmodProblem | None:
    """The escalation a `chmod` command introduces (`chmod u+s`, `chmod -R 777 dir`), or None."""
    program, index = command_name(words)
    if program != "chmod":
        return None
    arguments = list(words[index + 1 :])
    if any(word.startswith("--reference") for word in arguments):
        return None
    recursive = any(
        word == "--recursive" or re.fullmatch(r"-[RvcfHLP]*R[RvcfHLP]*", word) for word in arguments
    )
    operands = [
        word for word in arguments if not word.startswith("--") and not re.fullmatch(r"-[RvcfHLP]+", word)
    ]
    if not operands:
        return None
    problem = chmod_problem(operands[0], recursive)
    if problem is None:
        return None
    written = " ".join(["chmod", *(["-R"] if recursive else []), operands[0]])
    return ChmodProblem(problem, written, tuple(operands[1:]))
