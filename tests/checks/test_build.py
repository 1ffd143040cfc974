"""Unit tests for the build-hygiene helpers (MD103, MD104, MD107, MD213, MD801-MD803): package specs per
manager, downloads and verification, chmod modes, variable expansion, and what fixtures cannot show
(levels per class, rule parameters such as snapshot mirrors)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from medlint.api import lint
from medlint.checks import build
from medlint.checks.build import is_remote_source
from medlint.model import ArtifactKind, ComposeProject, ComposeService, Project, Workload
from medlint.model.package_managers import (
    chmod_problem,
    download_of,
    gem_version_pinned,
    go_version_pinned,
    is_verification,
    language_install,
    npm_package_pinned,
    os_package_command,
    os_package_name,
    os_package_pinned,
    package_manager_call,
    parse_requirements,
    pip_requirement_pinned,
    requirement_file_key,
    requirement_name,
    requirement_problem,
    unwrap_xargs,
)
from medlint.model.run_commands import expand, expand_partial, run_steps
from medlint.parsers.dockerfile import parse_dockerfile
from medlint.source import Location


def project_of(text: str) -> Project:
    return Project(dockerfiles=(parse_dockerfile("Dockerfile", text),))


# --------------------------------------------------------------------------------------------------
# OS packages


@pytest.mark.parametrize(
    "manager, spec, pinned",
    [
        ("apt", "curl", False),
        ("apt", "curl=7.88.1-10+deb12u7", True),
        ("apt", "libc6:amd64=2.36-9", True),
        ("apt", "tzdata/bookworm-backports", False),
        ("apt", "curl=", False),
        ("apt", "./local_1.0_amd64.deb", True),
        ("apt", "/tmp/tool.deb", True),
        ("apk", "bash=5.2.26-r0", True),
        ("apk", "su-exec>=0.2", False),
        ("apk", "tini~0.19", False),
        ("apk", "tini~=0.19", False),
        ("apk", "cfssl@testing", False),
        ("yum", "httpd-2.4.57-5.el9", True),
        ("yum", "python3-pip", False),
        ("yum", "perl-Digest-SHA", False),
        ("yum", "nodejs-18.19.0-1.module+el9", True),
        ("yum", "/tmp/pkg-1.0-1.x86_64.rpm", True),
        ("yum", "https://example.com/pgdg-redhat-repo-latest.noarch.rpm", False),
        ("zypper", "curl", False),
        ("zypper", "curl=8.6.0", True),
        ("zypper", "git>=2.40", False),
        ("zypper", "git-2.43.0", True),
    ],
)
def test_os_package_pinned(manager: str, spec: str, pinned: bool) -> None:
    assert os_package_pinned(manager, spec) is pinned


@pytest.mark.parametrize(
    "manager, spec, name",
    [
        ("apt", "libc6:amd64=2.36", "libc6"),
        ("apt", "tzdata/bookworm", "tzdata"),
        ("apk", "bash=5.2", "bash"),
        ("apk", "su-exec>=0.2", "su-exec"),
        ("yum", "httpd-2.4.57-5.el9", "httpd"),
        ("yum", "python3-pip", "python3-pip"),
        ("zypper", "git>=2.40", "git"),
        ("zypper", "git-2.43.0", "git"),
    ],
)
def test_os_package_name(manager: str, spec: str, name: str) -> None:
    assert os_package_name(manager, spec) == name


def test_os_package_command_reads_options_before_and_after_the_verb() -> None:
    command = os_package_command(
        (
            "apt-get",
            "-o",
            "Dpkg::Options::=--force-confold",
            "-y",
            "install",
            "curl",
            "--no-install-recommends",
            "-t",
            "bookworm-backports",
            "git",
        )
    )
    assert command is not None and command.action == "install" and command.manager == "apt"
    assert command.packages == ("curl", "git")
    assert command.has_option("--no-install-recommends")


def test_os_package_command_recognises_each_manager_and_removals() -> None:
    assert os_package_command(("apt", "install", "x")).manager == "apt"  # type: ignore[union-attr]
    apk = os_package_command(("apk", "--no-cache", "add", "--virtual", ".deps", "gcc"))
    assert apk is not None and apk.virtual == ".deps" and apk.packages == ("gcc",)
    assert os_package_command(("dnf", "-y", "install", "x")).manager == "yum"  # type: ignore[union-attr]
    assert os_package_command(("zypper", "-n", "in", "x")).manager == "zypper"  # type: ignore[union-attr]
    assert os_package_command(("apk", "del", ".deps")).action == "remove"  # type: ignore[union-attr]
    assert os_package_command(("apt-get", "install", "-s", "x")) is None  # a dry run installs nothing
    assert os_package_command(("apt-get", "update")) is None
    assert (
        os_package_command(("sudo", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "x")) is not None
    )


def test_xargs_is_unwrapped_and_marks_stdin() -> None:
    assert unwrap_xargs(("xargs", "-r", "-n", "1", "apt-get", "install")) == (["apt-get", "install"], True)
    command = os_package_command(("xargs", "-rt", "apt-get", "install", "-y"))
    assert command is not None and command.from_stdin


def test_package_manager_calls_split_by_the_grammar() -> None:
    call = package_manager_call(("dnf", "-y", "--setopt", "install_weak_deps=0", "clean", "all"))
    assert call is not None
    assert (call.program, call.family, call.verb, call.arguments) == ("dnf", "yum", "clean", ("all",))
    assert call.options == ("-y", "--setopt=install_weak_deps=0")
    call = package_manager_call(("zypper", "--non-interactive", "ref"))
    assert call is not None and (call.family, call.verb) == ("zypper", "ref")
    assert package_manager_call(("apt-get", "-q")) is None
    assert package_manager_call(("pip", "install", "x")) is None


# --------------------------------------------------------------------------------------------------
# Language packages


@pytest.mark.parametrize(
    "spec, pinned",
    [
        ("requests==2.32.3", True),
        ("requests===2.32.3", True),
        ("uvicorn[standard]==0.30.6", True),
        ("requests==2.32.3; python_version>'3.8'", True),
        ("django==4.*", False),
        ("celery>=5.3", False),
        ("celery~=5.3", False),
        ("requests", False),
        ("requests==2.0,!=2.0.1", False),
        (".", True),
        ("./dist/app-1.0-py3-none-any.whl", True),
        ("git+https://github.com/example/tool.git", False),
        ("git+https://github.com/example/tool.git@v1.2.3#egg=tool", True),
        ("git+ssh://git@github.com/example/tool.git", False),
        ("tool @ https://example.com/tool-1.0.tar.gz", True),
    ],
)
def test_pip_requirement_pinned(spec: str, pinned: bool) -> None:
    assert pip_requirement_pinned(spec) is pinned


@pytest.mark.parametrize(
    "spec, pinned",
    [
        ("left-pad@1.3.0", True),
        ("@scope/pkg@1.2.3", True),
        ("@scope/pkg@1.2.3-beta.1", True),
        ("@scope/pkg", False),
        ("npm@10", False),
        ("npm@^10.0.0", False),
        ("pkg@latest", False),
        ("pkg", False),
        ("./local-tool.tgz", True),
        ("git+https://github.com/example/tool.git#4f2c1a9", True),
        ("github:example/tool", False),
    ],
)
def test_npm_package_pinned(spec: str, pinned: bool) -> None:
    assert npm_package_pinned(spec) is pinned


def test_gem_and_go_versions() -> None:
    assert gem_version_pinned("2.5.17") and gem_version_pinned("= 2.5.17")
    assert not gem_version_pinned("~> 7.1") and not gem_version_pinned(">= 0")
    assert go_version_pinned("v0.16.1") and go_version_pinned("v0.0.0-20240101000000-abcdef123456")
    assert go_version_pinned("4f2c1a9")
    assert not go_version_pinned("latest") and not go_version_pinned("master")


def test_language_install_recognises_each_tool() -> None:
    pip = language_install(("python3", "-m", "pip", "install", "-r", "req.txt", "--no-cache-dir", "x==1"))
    assert pip is not None and pip.tool == "pip" and pip.packages == ("x==1",)
    assert pip.option_values("-r") == ["req.txt"]
    assert language_install(("pip3.11", "install", "x")) is not None
    assert language_install(("pip", "--version")) is None
    assert language_install(("npm", "clean-install")).verb == "ci"  # type: ignore[union-attr]
    assert language_install(("npm", "i", "-g", "pm2")).verb == "install"  # type: ignore[union-attr]
    assert language_install(("npm", "run", "build")) is None
    assert language_install(("yarn",)).verb == "install"  # type: ignore[union-attr]
    assert language_install(("yarn", "--version")) is None
    assert language_install(("yarn", "build")) is None
    assert language_install(("yarn", "global", "add", "x")).verb == "add"  # type: ignore[union-attr]
    assert language_install(("go", "install", "-v", "x@latest")).packages == ("x@latest",)  # type: ignore[union-attr]
    assert language_install(("go", "build", "./...")) is None
    assert language_install(("cargo", "install", "--locked", "ripgrep")).has_option("--locked")  # type: ignore[union-attr]


# --------------------------------------------------------------------------------------------------
# Downloads, verification and chmod


@pytest.mark.parametrize(
    "words, path",
    [
        (("curl", "-fsSL", "https://x/i.sh"), "-"),
        (("curl", "-fsSLo", "/tmp/i.sh", "https://x/i.sh"), "/tmp/i.sh"),
        (("curl", "-fsSL", "--output=/tmp/i.sh", "https://x/i.sh"), "/tmp/i.sh"),
        (("curl", "-fsSLO", "https://x/dir/i.sh?x=1"), "i.sh"),
        (("curl", "-H", "Accept: x", "https://x/i.sh"), "-"),
        (("wget", "https://x/dir/tool"), "tool"),
        (("wget", "-qO-", "https://x/i.sh"), "-"),
        (("wget", "-O", "-", "https://x/i.sh"), "-"),
        (("wget", "--progress", "dot:giga", "-O", "go.tgz", "https://x/go.tgz"), "go.tgz"),
        (("wget", "-P", "/opt", "https://x/tool"), "/opt/tool"),
    ],
)
def test_download_destination(words: tuple[str, ...], path: str) -> None:
    downloads = download_of(words)
    assert len(downloads) == 1 and downloads[0].path == path


@pytest.mark.parametrize(
    "words, verifies",
    [
        (("sha256sum", "-c", "-"), True),
        (("sha512sum", "--strict", "--check", "x.sha512"), True),
        (("shasum", "-a", "256", "-c", "x.sha"), True),
        (("sha256sum", "x"), False),
        (("gpg", "--batch", "--verify", "x.asc", "x"), True),
        (("gpg", "--batch", "--recv-keys", "ABC"), False),
        (("gpgv", "--keyring", "k.gpg", "x.asc", "x"), True),
        (("cosign", "verify-blob", "--key", "k.pub", "x"), True),
        (("minisign", "-Vm", "x", "-P", "key"), False),
        (("minisign", "-V", "-m", "x", "-P", "key"), True),
        (("[", "$(sha256sum x | cut -d ' ' -f1)", "=", "$SUM", "]"), True),
        (("[", "$(cat x | openssl sha512 -r)", "=", "$SUM", "]"), True),
        (("[", "-f", "x", "]"), False),
    ],
)
def test_verification(words: tuple[str, ...], verifies: bool) -> None:
    assert is_verification(words) is verifies


@pytest.mark.parametrize(
    "mode, recursive, problem",
    [
        ("777", False, "777"),
        ("0777", False, "777"),
        ("a+rwx", False, "777"),
        ("ugo=rwx", False, "777"),
        ("u+rwx,g+rwx,o+rwx", False, "777"),
        ("a+rwX", True, "777"),
        ("1777", False, None),
        ("1777", True, "777"),
        ("4755", False, "setuid"),
        ("2755", False, "setgid"),
        ("6755", False, "setuid"),
        ("+s", False, "setuid"),
        ("g+s", False, "setgid"),
        ("u+s", False, "setuid"),
        ("a-s", False, None),
        ("755", False, None),
        ("+x", False, None),
        ("o+s", False, None),
    ],
)
def test_chmod_problem(mode: str, recursive: bool, problem: str | None) -> None:
    assert chmod_problem(mode, recursive) == problem


def test_remote_sources() -> None:
    assert is_remote_source("https://example.com/a.tar.gz")
    assert is_remote_source("git@github.com:org/repo.git")
    assert is_remote_source("https://github.com/org/repo.git#v1.0")
    assert not is_remote_source("app.tar.gz") and not is_remote_source("./http/thing")


# --------------------------------------------------------------------------------------------------
# Variables and chains


def test_expansion_keeps_unknown_references_and_refuses_substitutions() -> None:
    scope = {"A": "curl git", "EMPTY": None}
    assert expand("$A", scope) == "curl git"
    assert expand("${MISSING:-jq}", scope) == "jq"
    assert expand("$EMPTY", scope) is None
    assert expand_partial("nginx=${NGINX_VERSION}-r1", scope) == "nginx=${NGINX_VERSION}-r1"
    assert expand_partial("$(cat list)", scope) is None
    assert expand_partial("$B", {"B": "$(scanelf x)"}) is None


def test_chains_follow_and_and_set_e() -> None:
    dockerfile = parse_dockerfile("Dockerfile", "FROM debian:12\nRUN a && b; c\nRUN set -e; a; b\n")
    stage = dockerfile.stages[0]
    plain, errexit = (instruction for instruction in stage.instructions if instruction.keyword == "RUN")
    assert [step.chain for step in run_steps(stage, plain)] == [0, 0, 1]
    assert [step.chain for step in run_steps(stage, errexit)] == [0, 0, 0]


def test_shell_with_errexit_joins_chains() -> None:
    text = 'FROM debian:12\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nRUN a; b\n'
    stage = parse_dockerfile("Dockerfile", text).stages[0]
    run = stage.instructions[-1]
    assert [step.chain for step in run_steps(stage, run)] == [0, 0]


# --------------------------------------------------------------------------------------------------
# Parameters and levels


def _messages(check: Any, text: str, params: dict[str, Any]) -> list[str]:
    return [violation.message for violation in check(project_of(text), params)]


def test_snapshot_mirror_pattern_accepts_unpinned_packages_of_that_stage() -> None:
    text = (
        "FROM debian:12 AS snap\n"
        "RUN echo 'deb http://snapshot.debian.org/archive/debian/20240101T000000Z bookworm main' > /etc/apt/sources.list\n"
        "RUN apt-get update && apt-get install -y curl\n"
        "FROM debian:12\nRUN apt-get install -y git\n"
    )
    assert len(_messages(build.os_packages_pinned, text, {})) == 2
    configured = {"snapshot_url_patterns": ["*snapshot.debian.org/archive/*"]}
    assert list(_messages(build.os_packages_pinned, text, configured)) == [
        'RUN apt-get install: package "git" has no version (pin it as git=<version>)'
    ]


def test_escalation_packages_and_toolchain_are_parameters() -> None:
    text = "FROM alpine:3.20\nRUN apk add --no-cache doas=6.8.2-r7 clang=17.0.6-r1\n"
    assert _messages(build.no_escalation_tools, text, {"escalation_packages": ["doas"]}) == [
        'RUN apk add puts "doas" into the final image'
    ]
    messages = _messages(build.minimal_final_image, text, {"toolchain_packages": ["clang"]})
    assert messages and '"clang"' in messages[0]


def test_apt_mark_through_xargs_hands_packages_to_autoremove() -> None:
    text = (
        "FROM debian:12\nRUN set -eux; apt-get update; apt-get install -y --no-install-recommends gcc=1 make=2; "
        "apt-mark showmanual | xargs apt-mark auto > /dev/null; apt-get purge -y --auto-remove; "
        "rm -rf /var/lib/apt/lists/*\n"
    )
    assert _messages(build.minimal_final_image, text, {"toolchain_packages": ["gcc", "make"]}) == []


@pytest.mark.parametrize(
    "safety_class, expected",
    [
        (
            "A",
            {
                ("MD103", "note"),
                ("MD103", "warning"),
                ("MD801", "note"),
                ("MD802", "note"),
                ("MD803", "note"),
            },
        ),
        (
            "C",
            {
                ("MD103", "error"),
                ("MD103", "warning"),
                ("MD801", "note"),
                ("MD802", "warning"),
                ("MD803", "note"),
            },
        ),
    ],
)
def test_levels_per_class(tmp_path: Path, safety_class: str, expected: set[tuple[str, str]]) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM debian:12.6-slim\nARG EXTRA\n"
        "RUN apt-get update && apt-get install -y curl $EXTRA\n"
        "ADD app.jar /opt/\nUSER 10001\n",
        encoding="utf-8",
    )
    report = lint([str(tmp_path)], cwd=tmp_path, safety_class=safety_class)
    rules = {"MD103", "MD801", "MD802", "MD803"}
    found = {(f.rule_id, f.level.value) for f in report.result.findings if f.rule_id in rules}
    assert found == expected


# --------------------------------------------------------------------------------------------------
# MD104: pip requirement files read from the build context (`Dockerfile.context_files`)


def test_requirements_parser_follows_pip_line_rules() -> None:
    text = (
        "# a comment line \\\n"
        "--index-url https://pypi.org/simple\n"
        "--extra-index-url=https://pypi.example.com/simple --trusted-host pypi.example.com\n"
        "\n"
        "Flask>=3.0   # trailing comment\n"
        "requests[socks]==2.32.3 \\\n"
        "    ; python_version >= '3.8'\n"
        "url-with-fragment @ https://x.example/a-1.0.tar.gz#sha256=" + "a" * 64 + "\n"
        "-r base.txt\n"
        "--requirement=dev/extra.txt\n"
        "-rtight.txt\n"
        "-c constraints.txt\n"
        "--constraint other.txt\n"
        "-e git+https://github.com/example/tool.git@main#egg=tool\n"
        "--editable=.\n"
        "--pre\n"
    )
    parsed = parse_requirements(text)
    assert [(entry.line, entry.spec, entry.editable) for entry in parsed.entries] == [
        (5, "Flask>=3.0", False),
        (6, "requests[socks]==2.32.3     ; python_version >= '3.8'", False),
        (8, "url-with-fragment @ https://x.example/a-1.0.tar.gz#sha256=" + "a" * 64, False),
        (14, "git+https://github.com/example/tool.git@main#egg=tool", True),
        (15, ".", True),
    ]
    assert parsed.requirement_files == ("base.txt", "dev/extra.txt", "tight.txt")
    assert parsed.constraint_files == ("constraints.txt", "other.txt")
    assert parsed.require_hashes is False


def test_requirements_parser_hash_checking_mode() -> None:
    assert parse_requirements("--require-hashes\nflask==3.0.3\n").require_hashes
    hashed = parse_requirements(
        "flask==3.0.3 \\\n    --hash=sha256:abc \\\n    --hash sha256:def\nredis==5.0.8\n"
    )
    assert hashed.require_hashes and [entry.spec for entry in hashed.entries] == [
        "flask==3.0.3",
        "redis==5.0.8",
    ]
    # `#` glued to a word is no comment (URL fragments); a hash inside a comment turns nothing on.
    commented = parse_requirements("tool @ https://x/t.tgz#sha256=00 # --hash=sha256:1\n")
    assert [entry.spec for entry in commented.entries] == ["tool @ https://x/t.tgz#sha256=00"]
    assert not commented.require_hashes


@pytest.mark.parametrize(
    "spec, problem",
    [
        ("requests==2.32.3", None),
        ("requests===2.32.3", None),
        ("uvicorn[standard]==0.30.6", None),
        ("requests == 2.32.3", None),
        ('importlib-metadata==8.2.0 ; python_version < "3.10"', None),
        ("pkg==${PKG_VERSION}", None),
        ("django==4.*", "has no exact version (pin it as django==<version>)"),
        ("celery>=5.3", "has no exact version (pin it as celery==<version>)"),
        ("celery~=5.3", "has no exact version (pin it as celery==<version>)"),
        ('requests ; python_version < "3.10"', "has no exact version (pin it as requests==<version>)"),
        ("requests==2.0,!=2.0.1", "has no exact version (pin it as requests==<version>)"),
        (".", None),
        ("./wheels/app-1.0-py3-none-any.whl", None),
        ("app @ file:///wheels/app-1.0-py3-none-any.whl", None),
        ("git+https://github.com/example/tool.git@4f2c1a9e0b7d3c5a8f6e1d2c3b4a59687f0e1d2c#egg=tool", None),
        ("tool @ git+https://github.com/example/tool.git@4f2c1a9", None),
        ("git+https://github.com/example/tool.git@v1.2.3#egg=tool", None),
        ("svn+https://svn.example.com/repo/trunk@2019#egg=x", None),
        (
            "git+https://github.com/example/tool.git@main#egg=tool",
            'follows the VCS reference "@main", which can move (pin it to a commit hash)',
        ),
        ("git+ssh://git@github.com/example/tool.git", "names no VCS revision (pin it to a commit hash)"),
        (
            "git+https://user:token@github.com/example/tool.git#egg=tool",
            "names no VCS revision (pin it to a commit hash)",
        ),
        ("lib @ https://example.com/lib-1.0.tar.gz#sha256=" + "0" * 64, None),
        ("https://example.com/lib-1.0.tar.gz#egg=lib&sha512=" + "0" * 128, None),
        ("lib @ https://example.com/lib-1.0.tar.gz", "is a direct URL without a #sha256= digest"),
        ("https://example.com/lib-1.0.tar.gz#md5=" + "0" * 32, "is a direct URL without a #sha256= digest"),
    ],
)
def test_requirement_problem(spec: str, problem: str | None) -> None:
    assert requirement_problem(spec) == problem


@pytest.mark.parametrize(
    "spec, name",
    [
        ("Flask[async]>=3.0", "flask"),
        ("zope.interface==6.4", "zope-interface"),
        ("Jinja2 ; python_version >= '3.8'", "jinja2"),
        ("My_Package @ https://x/p.whl", "my-package"),
        ("git+https://github.com/example/tool.git@main#egg=Tool_X", "tool-x"),
        ("https://example.com/lib-1.0.tar.gz", None),
        ("./local/path", None),
    ],
)
def test_requirement_name(spec: str, name: str | None) -> None:
    assert requirement_name(spec) == name


def test_requirement_file_key() -> None:
    assert requirement_file_key("./requirements.txt") == "requirements.txt"
    assert requirement_file_key("/srv/app/../requirements.txt") == "/srv/requirements.txt"
    assert requirement_file_key("base.txt", "requirements/prod.txt") == "requirements/base.txt"
    assert requirement_file_key("../common.txt", "requirements/prod.txt") == "common.txt"
    assert requirement_file_key("/etc/pip/c.txt", "requirements/prod.txt") == "/etc/pip/c.txt"
    assert requirement_file_key("$REQUIREMENTS") is None
    assert requirement_file_key("https://example.com/requirements.txt") is None


def _files_project(text: str, files: dict[str, str], compose: tuple[ComposeProject, ...] = ()) -> Project:
    dockerfile = parse_dockerfile("svc/Dockerfile", text)
    dockerfile = dataclasses.replace(dockerfile, context_files=files)
    return Project(dockerfiles=(dockerfile,), compose_projects=compose)


def _md104(project: Project) -> list[tuple[int, str, str, str | None]]:
    return [
        (v.location.line, v.subject.rsplit("/stage:0/", 1)[1], v.message, v.variant)
        for v in build.language_deps_pinned(project, {})
    ]


def test_requirement_file_entries_one_finding_per_unpinned_package() -> None:
    text = "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    files = {
        "requirements.txt": "flask>=3\nFlask>=3.0\nrequests==2.32.3\nnumpy==1.*\n-r sub/base.txt\n",
        "sub/base.txt": "celery\n-r ../requirements.txt\n",
    }
    assert _md104(_files_project(text, files)) == [
        (
            3,
            "pip-requirements:requirements.txt/flask",
            'RUN pip install: requirement "flask>=3" in requirements.txt has no exact version '
            "(pin it as flask==<version>)",
            None,
        ),
        (
            3,
            "pip-requirements:requirements.txt/numpy",
            'RUN pip install: requirement "numpy==1.*" in requirements.txt has no exact version '
            "(pin it as numpy==<version>)",
            None,
        ),
        (
            3,
            "pip-requirements:sub/base.txt/celery",
            'RUN pip install: requirement "celery" in sub/base.txt (included by requirements.txt) has no exact version '
            "(pin it as celery==<version>)",
            None,
        ),
    ]


def test_requirement_file_unavailable_stays_a_warning() -> None:
    text = "FROM python:3.12\nRUN pip install -r requirements.txt -r other.txt\n"
    findings = _md104(_files_project(text, {"requirements.txt": "flask==3.0.3\n-r missing/base.txt\n"}))
    assert [(subject, variant) for _, subject, _, variant in findings] == [
        ("pip-requirements:other.txt", "requirements-file"),
        ("pip-requirements:missing/base.txt", "requirements-file"),
    ]
    assert "missing/base.txt (included by requirements.txt) is not available" in findings[1][2]


def test_requirement_file_nesting_is_bounded() -> None:
    files = {f"r{depth}.txt": f"-r r{depth + 1}.txt\n" for depth in range(8)}
    text = "FROM python:3.12\nRUN pip install -r r0.txt\n"
    findings = _md104(_files_project(text, files))
    assert [(subject, variant) for _, subject, _, variant in findings] == [
        ("pip-requirements:r6.txt", "requirements-file")
    ]


@pytest.mark.parametrize(
    "run, files, expected",
    [
        # Hash-checking mode (command, file, environment): pip refuses anything unpinned.
        ("pip install --require-hashes -r r.txt", {"r.txt": "flask\n"}, []),
        ("pip install -r r.txt", {"r.txt": "flask\nredis==5 --hash=sha256:00\n"}, []),
        (
            "pip install -r r.txt -r missing.txt",
            {"r.txt": "--require-hashes\nflask==3 --hash=sha256:00\n"},
            [],
        ),
        ("PIP_REQUIRE_HASHES=1 pip install -r r.txt", {"r.txt": "flask\n"}, []),
        # Constraints with exact pins cover requirements and command-line packages; names compared as pip does.
        (
            "pip install -r r.txt -c c.txt",
            {"r.txt": "Flask>=3\nzope.interface\n", "c.txt": "flask==3.0.3\nzope-interface==6.4\n"},
            [],
        ),
        ("pip install -c c.txt flask", {"c.txt": "flask==3.0.3\n"}, []),
        ("pip install -r r.txt", {"r.txt": "-c c.txt\nflask\n", "c.txt": "flask==3.0.3\n"}, []),
        # A range in the constraints file is no pin.
        (
            "pip install -r r.txt -c c.txt",
            {"r.txt": "flask\n", "c.txt": "flask>=3\n"},
            [("pip-requirements:r.txt/flask", None)],
        ),
        ("pip install -c c.txt gunicorn", {"c.txt": "flask==3.0.3\n"}, [("pip:gunicorn", None)]),
        # A constraints file that cannot be read: the requirement's pin cannot be verified.
        (
            "pip install -r r.txt -c c.txt",
            {"r.txt": "flask\n"},
            [("pip-requirements:r.txt/flask", "requirements-file")],
        ),
        ("pip install -c c.txt gunicorn", {}, [("pip:gunicorn", "requirements-file")]),
    ],
)
def test_requirement_file_pins_hashes_and_constraints(
    run: str, files: dict[str, str], expected: list[tuple[str, str | None]]
) -> None:
    text = f"FROM python:3.12\nRUN {run}\n"
    assert [(subject, variant) for _, subject, _, variant in _md104(_files_project(text, files))] == expected


def test_requirement_files_ignored_when_compose_builds_from_another_context() -> None:
    text = "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    workload = Workload(
        kind="Service",
        name="api",
        artifact=ArtifactKind.COMPOSE,
        path="compose.yaml",
        location=Location("compose.yaml"),
        subject="Compose:compose.yaml/service:api",
        containers=(),
    )
    service = ComposeService(
        "api", Location("compose.yaml"), workload, build_context=".", dockerfile_path="svc/Dockerfile"
    )
    compose = (ComposeProject("compose.yaml", (service,)),)
    findings = _md104(_files_project(text, {"requirements.txt": "flask\n"}, compose))
    assert [(subject, variant) for _, subject, _, variant in findings] == [
        ("pip-requirements:requirements.txt", "requirements-file")
    ]
    same = (ComposeProject("compose.yaml", (dataclasses.replace(service, build_context="svc"),)),)
    findings = _md104(_files_project(text, {"requirements.txt": "flask\n"}, same))
    assert [subject for _, subject, _, _ in findings] == ["pip-requirements:requirements.txt/flask"]


@pytest.mark.parametrize(
    "run, left_behind",
    [
        (
            "RUN apt-get update && apt-get install -y --no-install-recommends curl=1 && rm -rf /var/lib/apt",
            False,
        ),
        ("RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y curl=1", False),
        ("RUN dnf install -y curl-8.6.0-1 && rm -rf /var/cache/*", False),
        ("RUN dnf install -y curl-8.6.0-1 && find /var/cache/dnf -mindepth 1 -delete", False),
        ("RUN dnf install -y curl-8.6.0-1 && find / -name '*.pyc' -delete", True),
        ("RUN dnf install -y curl-8.6.0-1 && yum clean all", False),  # the same family cleans the same cache
        ("RUN dnf install -y curl-8.6.0-1 && apt-get dist-clean", True),
        ("RUN zypper -n in curl=8.6.0 && zypper --non-interactive clean --all", False),
    ],
)
def test_what_counts_as_removing_the_index(run: str, left_behind: bool) -> None:
    """MD801 lists-not-removed: removal of the index folder or one above it, a mount on it, the manager's own
    cleanup; a search from / that deletes other files does not count."""
    from medlint.rulepack import load_table

    project = project_of(f"FROM fedora:41\n{run}\n")
    params = {"tables": {"package-managers": load_table("package-managers")}}
    found = [v for v in build.package_index_hygiene(project, params) if v.variant == "lists-not-removed"]
    assert bool(found) is left_behind
