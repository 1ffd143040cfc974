"""Dockerfile fixes (MD801, MD802, MD803) at exact positions: continuation lines, comments inside a
continuation, heredocs, the escape directive; and what is left to a person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medlint.fix.dockerfile_edit import DockerfileText, shell_commands

FINAL = "FROM debian:12.6-slim@sha256:" + "0" * 64 + "\n"


def fixed(project: Any, run_fix: Any, dockerfile: str, *args: str) -> tuple[str, str]:
    root: Path = project({"Dockerfile": dockerfile})
    result = run_fix(*args)
    return (root / "Dockerfile").read_text(encoding="utf-8"), result.output


def test_flag_and_cleanup_in_a_continued_run_with_a_comment_line(project: Any, run_fix: Any) -> None:
    text, _ = fixed(
        project,
        run_fix,
        FINAL + "RUN apt-get update \\\n"
        "    # the runtime libraries\n"
        "    && apt-get -y install \\\n"
        "       libpq5 \\\n"
        "       ca-certificates\n"
        "USER 10001\n",
    )
    assert text == (
        FINAL + "RUN apt-get update \\\n"
        "    # the runtime libraries\n"
        "    && apt-get -y install --no-install-recommends \\\n"
        "       libpq5 \\\n"
        "       ca-certificates \\\n"
        "       && rm -rf /var/lib/apt/lists/*\n"
        "USER 10001\n"
    )


def test_cleanup_on_a_single_line_run(project: Any, run_fix: Any) -> None:
    text, _ = fixed(
        project, run_fix, FINAL + "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
    )
    assert text.endswith(
        "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"
    )


def test_heredoc_script_gets_the_flag_and_a_last_line(project: Any, run_fix: Any) -> None:
    text, _ = fixed(
        project,
        run_fix,
        FINAL + "RUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nEOF\nUSER 10001\n",
    )
    assert text == (
        FINAL + "RUN <<EOF\nset -e\napt-get update\napt-get install --no-install-recommends -y curl\n"
        "rm -rf /var/lib/apt/lists/*\nEOF\nUSER 10001\n"
    )


def test_backtick_escape_directive_is_used_for_the_continuation(project: Any, run_fix: Any) -> None:
    text, _ = fixed(
        project,
        run_fix,
        "# escape=`\n"
        + FINAL
        + "RUN apt-get update && `\n    apt-get install -y --no-install-recommends curl\n",
    )
    assert text.endswith(
        "    apt-get install -y --no-install-recommends curl `\n    && rm -rf /var/lib/apt/lists/*\n"
    )


def test_apk_and_pip_cache_options(project: Any, run_fix: Any) -> None:
    text, _ = fixed(
        project,
        run_fix,
        "FROM alpine:3.20@sha256:"
        + "1" * 64
        + "\nRUN apk add curl=8.9.1-r1 && python3 -m pip install flask==3.0.3\n",
    )
    assert (
        "RUN apk add --no-cache curl=8.9.1-r1 && python3 -m pip install --no-cache-dir flask==3.0.3\n" in text
    )


def test_add_of_local_files_becomes_copy_keeping_case_and_options(project: Any, run_fix: Any) -> None:
    text, _ = fixed(
        project, run_fix, FINAL + "add --chown=10001:10001 app.jar config/ /opt/app/\nUSER 10001\n"
    )
    assert "copy --chown=10001:10001 app.jar config/ /opt/app/\n" in text


def test_add_that_copy_cannot_replace_is_left_alone(project: Any, run_fix: Any) -> None:
    root = project({})
    (root / "payload.bin").write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 20)  # gzip: ADD would extract it
    cases = {
        "checksum": FINAL + "ADD --checksum=sha256:" + "2" * 64 + " app.jar /opt/\n",
        "archive": FINAL + "ADD payload.bin /opt/\n",
        "mixed": FINAL + "ADD app.jar rootfs.tar.gz /opt/\n",
        "glob": FINAL + "ADD payload.* /opt/\n",
    }
    for name, dockerfile in cases.items():
        (root / "Dockerfile").write_text(dockerfile, encoding="utf-8")
        result = run_fix("--select", "MD803")
        assert (root / "Dockerfile").read_text(encoding="utf-8") == dockerfile, name
        assert "MD803" in result.output and "Needs a person" in result.output, name


def test_runs_the_tokenizer_cannot_edit_with_certainty_are_left_alone(project: Any, run_fix: Any) -> None:
    for dockerfile in (
        FINAL + 'RUN ["apt-get", "install", "-y", "curl"]\n',
        FINAL + "RUN apt-get update && apt-get install -y --no-install-recommends curl # pin later\n",
    ):
        text, output = fixed(project, run_fix, dockerfile, "--select", "MD801,MD802")
        assert text == dockerfile, output
    # Inside `sh -c '...'` the option cannot be placed with certainty; the cleanup after it can.
    text, output = fixed(project, run_fix, FINAL + "RUN sh -c 'apt-get update && apt-get install -y curl'\n")
    assert text.endswith(
        "RUN sh -c 'apt-get update && apt-get install -y curl' && rm -rf /var/lib/apt/lists/*\n"
    )
    assert "MD802 no plain `apt-get install` command" in output


def test_instruction_reader_maps_joined_text_back_to_the_file() -> None:
    text = "FROM a\nRUN echo a \\\n  # note\n\n    && echo b\nCOPY <<EOF /x\nbody\nEOF\n"
    document = DockerfileText(text)
    run, copy = document.instructions[1], document.instructions[2]
    assert (run.first_line, run.last_line, run.end_line) == (1, 4, 4)
    assert run.text == " echo a     && echo b"
    assert all(text[offset] == char for offset, char in zip(run.offsets, run.text))
    assert copy.heredocs[0].delimiter == "EOF" and text[copy.heredocs[0].body_start :].startswith("body\n")
    assert document.instruction_at(3) is run and document.instruction_at(8) is copy


def test_shell_tokenizer_positions_and_quotes() -> None:
    script = "apt-get -o 'A=B' install -y \"x y\" && pip3 install $(cat r.txt) # done"
    commands = shell_commands(script)
    assert [[word.value for word in command.words] for command in commands] == [
        ["apt-get", "-o", "A=B", "install", "-y", "x y"],
        ["pip3", "install", "$(cat r.txt)"],
    ]
    install = commands[0].words[3]
    assert script[install.start : install.end] == "install"
    assert commands[1].words[2].complex


def test_heredoc_without_errexit_chains_the_cleanup_to_the_last_command(project: Any, run_fix: Any) -> None:
    # Without `set -e` a script's status is its last command's: a cleanup line of its own would hide a
    # failing install, so the cleanup is chained to it instead.
    text, _ = fixed(
        project,
        run_fix,
        FINAL
        + "RUN <<EOF\napt-get update\napt-get install -y --no-install-recommends curl\n\nEOF\nUSER 10001\n",
    )
    assert text == (
        FINAL + "RUN <<EOF\napt-get update\n"
        "apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n\nEOF\nUSER 10001\n"
    )


def test_rpm_and_zypper_installs_get_their_own_cleanup_and_flag(project: Any, run_fix: Any) -> None:
    """The package-managers table says what each manager cleans with and which option keeps weak
    dependencies out; the apt cleanup is never added to a dnf RUN."""
    fedora = "FROM fedora:41@sha256:" + "0" * 64 + "\n"
    text, _ = fixed(
        project,
        run_fix,
        fedora + "RUN dnf -y install less-661-3.fc41\n"
        "RUN zypper -n in --from repo curl=8.6.0 \\\n    && echo done\n"
        "RUN microdnf install -y tzdata-2024a-1.el9 && microdnf clean all\nUSER 10001\n",
    )
    assert text == (
        fedora + "RUN dnf -y install --setopt=install_weak_deps=False less-661-3.fc41 && dnf clean all\n"
        "RUN zypper -n in --no-recommends --from repo curl=8.6.0 \\\n    && echo done \\\n"
        "    && zypper clean --all\n"
        "RUN microdnf install --setopt=install_weak_deps=0 -y tzdata-2024a-1.el9 && microdnf clean all\n"
        "USER 10001\n"
    )
