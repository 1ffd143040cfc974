"""The Dockerfile parser: BuildKit's grammar, positions, substitution, command splitting and errors."""

from __future__ import annotations

import pytest

from medlint.model import ArtifactKind, DockerIgnore, Instruction
from medlint.parsers.dockerfile import (
    dockerfile_workload,
    parse_dockerfile,
    read_dockerignore,
)
from medlint.source import Location, SourceError
from tests.conftest import CORPUS

CORPUS_KIND = CORPUS / "dockerfile"


def parse(text: str):
    return parse_dockerfile("app/Dockerfile", text)


def instruction(text: str, keyword: str, index: int = 0) -> Instruction:
    found = [item for item in parse(text).instructions() if item.keyword == keyword]
    return found[index]


def error(text: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        parse(text)
    return caught.value


def commands(item: Instruction) -> list[list[str]]:
    return [list(command.words) for command in item.commands]


# --------------------------------------------------------------------------------------------------
# Lines, continuations, locations


def test_continuation_with_comment_inside_splits_into_commands() -> None:
    text = (
        "FROM debian\n"
        "RUN apt-get update && apt-get install -y \\\n"
        "  curl=7.1 \\\n"
        "  # comment inside continuation\n"
        "  git\n"
    )
    run = instruction(text, "RUN")
    assert commands(run) == [["apt-get", "update"], ["apt-get", "install", "-y", "curl=7.1", "git"]]
    assert [command.line for command in run.commands] == [2, 2]
    assert [command.operator_before for command in run.commands] == ["", "&&"]
    assert run.location == Location("app/Dockerfile", 2, 1, 5, 6)
    assert run.arguments == "apt-get update && apt-get install -y   curl=7.1   git"


def test_each_command_gets_the_physical_line_where_it_starts() -> None:
    run = instruction("FROM a\nRUN set -eux; \\\n\tapt-get update; \\\n\n\tapt-get install x\n", "RUN")
    starts = [(command.line, command.words[0]) for command in run.commands]
    assert starts == [(2, "set"), (3, "apt-get"), (5, "apt-get")]


def test_keywords_are_case_insensitive_and_indented_instructions_keep_their_column() -> None:
    dockerfile = parse("from alpine AS Build\n   run echo hi\n")
    first, run = dockerfile.final_stage.instructions
    assert (first.keyword, dockerfile.final_stage.name) == ("FROM", "build")
    assert (run.keyword, run.location.line, run.location.column, run.location.end_column) == ("RUN", 2, 4, 15)


def test_stage_instructions_start_with_from_and_carry_their_stage_index() -> None:
    dockerfile = parse("ARG V=1\nFROM a\nRUN x\nFROM b\nCMD y\n")
    assert [(item.keyword, item.stage_index) for item in dockerfile.instructions()] == [
        ("FROM", 0),
        ("RUN", 0),
        ("FROM", 1),
        ("CMD", 1),
    ]
    assert [(item.keyword, item.stage_index) for item in dockerfile.global_args] == [("ARG", -1)]
    assert dockerfile.final_stage.from_instruction is dockerfile.final_stage.instructions[0]


def test_crlf_and_bom_are_accepted() -> None:
    run = instruction("\ufeffFROM a\r\nRUN a \\\r\n  b\r\n", "RUN")
    assert commands(run) == [["a", "b"]]
    assert run.location.end_line == 3


def test_escaped_escape_character_is_not_a_continuation() -> None:
    dockerfile = parse("FROM a\nRUN echo \\\\\nRUN b\n")
    assert [item.keyword for item in dockerfile.instructions()] == ["FROM", "RUN", "RUN"]


# --------------------------------------------------------------------------------------------------
# Parser directives


def test_directives_are_recorded_with_their_location() -> None:
    dockerfile = parse(
        "# syntax=docker/dockerfile:1.7\n#check=skip=JSONArgsRecommended\n# escape=`\nFROM a\n"
    )
    assert {name: item.value for name, item in dockerfile.directives.items()} == {
        "syntax": "docker/dockerfile:1.7",
        "check": "skip=JSONArgsRecommended",
        "escape": "`",
    }
    assert dockerfile.directives["check"].location == Location("app/Dockerfile", 2, 1, 2, 32)


@pytest.mark.parametrize(
    "text",
    [
        "# a comment\n# escape=`\nFROM a\n",
        "\n# escape=`\nFROM a\n",
        "FROM a\n# escape=`\n",
        "# unknown=1\n# escape=`\nFROM a\n",
    ],
)
def test_directives_only_count_before_any_comment_blank_line_or_instruction(text: str) -> None:
    assert "escape" not in parse(text).directives


def test_invalid_escape_directive_is_an_error_on_its_line() -> None:
    problem = error("# syntax=docker/dockerfile:1\n# escape=x\nFROM a\n")
    assert (problem.line, problem.column) == (2, 10)
    assert "'\\'" in problem.message and "'`'" in problem.message


def test_repeated_directive_is_an_error() -> None:
    problem = error("# escape=`\n# escape=`\nFROM a\n")
    assert problem.line == 2 and "only one" in problem.message


def test_backtick_escape_for_windows_dockerfiles() -> None:
    text = (
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "ENV TOOLS=C:\\tools\\bin\n"
        "RUN mkdir C:\\app `\n"
        "    && echo done\n"
        "WORKDIR C:\\app\n"
    )
    dockerfile = parse(text)
    _, env, run, workdir = dockerfile.final_stage.instructions
    assert env.resolved == "TOOLS=C:\\tools\\bin"
    assert commands(run) == [["mkdir", "C:\\app"], ["echo", "done"]]
    assert run.location.end_line == 5
    assert workdir.arguments == "C:\\app"


def test_windows_base_image_scripts_keep_backslashes_without_a_directive() -> None:
    run = instruction(
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN SETX /m path C:\\app;%path%\n", "RUN"
    )
    assert commands(run) == [["SETX", "/m", "path", "C:\\app"], ["%path%"]]


def test_powershell_shell_changes_how_run_is_split() -> None:
    text = 'FROM a\nSHELL ["powershell", "-Command"]\nRUN $v = (Get-Item C:\\x).Name; Write-Host $v\n'
    dockerfile = parse(text)
    shell_instruction, run = dockerfile.final_stage.instructions[1:]
    assert shell_instruction.json_arguments == ("powershell", "-Command")
    assert commands(run) == [["$v", "=", "(Get-Item C:\\x).Name"], ["Write-Host", "$v"]]


# --------------------------------------------------------------------------------------------------
# Stages, ARG/ENV scope and substitution


def test_global_args_resolve_in_from_and_unresolved_ones_are_listed() -> None:
    text = "ARG REGISTRY=registry.example.com:5000\nARG TAG\nFROM ${REGISTRY}/team/app:$TAG AS base\n"
    dockerfile = parse(text)
    stage = dockerfile.final_stage
    assert stage.from_instruction.resolved == "registry.example.com:5000/team/app:$TAG AS base"
    assert stage.from_instruction.unresolved_variables == ("TAG",)
    assert stage.base.registry == "registry.example.com:5000"
    assert stage.base.repository == "team/app"
    assert stage.base.unresolved
    assert stage.base.location == Location("app/Dockerfile", 3, 6, 3, 31)
    assert [item.arguments for item in dockerfile.global_args] == [
        "REGISTRY=registry.example.com:5000",
        "TAG",
    ]


def test_global_args_are_visible_in_a_stage_only_after_redeclaration() -> None:
    text = "ARG VERSION=1.2\nFROM a\nLABEL before=$VERSION\nARG VERSION\nLABEL after=$VERSION\n"
    before, after = (item for item in parse(text).instructions() if item.keyword == "LABEL")
    assert (before.resolved, before.unresolved_variables) == ("before=$VERSION", ("VERSION",))
    assert (after.resolved, after.unresolved_variables) == ("after=1.2", ())


def test_env_is_visible_after_its_definition_and_wins_over_arg() -> None:
    text = (
        "FROM a\nARG NAME=arg\nWORKDIR /$HOME_DIR\nENV HOME_DIR=/srv NAME=env\nENV SAME=$HOME_DIR\n"
        "WORKDIR $HOME_DIR/$NAME\n"
    )
    dockerfile = parse(text)
    first_workdir, _, same, workdir = dockerfile.final_stage.instructions[2:]
    assert first_workdir.unresolved_variables == ("HOME_DIR",)
    assert same.resolved == "SAME=/srv"
    assert workdir.resolved == "/srv/env"


def test_env_in_one_instruction_uses_values_from_before_it() -> None:
    env = instruction("FROM a\nENV A=1\nENV A=2 B=$A\n", "ENV", 1)
    assert env.resolved == "A=2 B=1"


@pytest.mark.parametrize(
    ("expression", "resolved", "unresolved"),
    [
        ("${SET}", "yes", ()),
        ("${SET:-d}", "yes", ()),
        ("${UNSET:-d}", "d", ()),
        ("${EMPTY:-d}", "d", ()),
        ("${EMPTY-d}", "", ()),
        ("${SET:+alt}", "alt", ()),
        ("${EMPTY:+alt}", "", ()),
        ("${UNSET:+alt}", "${UNSET:+alt}", ("UNSET",)),
        ("${UNSET}", "${UNSET}", ("UNSET",)),
        ("$UNSET", "$UNSET", ("UNSET",)),
        ("${VERSION%.*}", "1.2", ()),
        ("${VERSION#*.}", "2.3", ()),
        ("${VERSION##*.}", "3", ()),
        ("${VERSION/./-}", "1-2.3", ()),
        ("'$SET'", "'$SET'", ()),
        ("\\$SET", "\\$SET", ()),
        ('"$SET"', '"yes"', ()),
    ],
)
def test_variable_substitution_forms(expression: str, resolved: str, unresolved: tuple[str, ...]) -> None:
    text = f"FROM a\nARG SET=yes\nARG EMPTY=\nARG VERSION=1.2.3\nWORKDIR /x\nEXPOSE {expression}\n"
    expose = instruction(text, "EXPOSE")
    assert expose.resolved == resolved
    assert expose.unresolved_variables == unresolved


def test_multi_stage_build_with_stage_alias_scratch_and_platform() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS Builder\n"
        "RUN go build -o /app\n"
        "FROM builder as test\n"
        "FROM scratch\n"
        "COPY --from=builder /app /app\n"
    )
    dockerfile = parse(text)
    builder, test, final = dockerfile.stages
    assert builder.from_instruction.flags == {"platform": "$BUILDPLATFORM"}
    assert builder.from_instruction.unresolved_variables == ()  # flags do not count, only the image
    assert (builder.name, builder.base.repository, builder.base.tag) == ("builder", "golang", "1.22")
    assert test.base.is_stage and test.parent_stage == 0 and test.name == "test"
    assert final.base.is_scratch and final.parent_stage is None and final.name is None
    assert final.instructions[1].flags == {"from": "builder"}


def test_stage_inherits_env_of_its_parent_stage() -> None:
    text = "FROM a AS base\nENV APP=/srv\nFROM base\nWORKDIR $APP\n"
    assert instruction(text, "WORKDIR").resolved == "/srv"


def test_a_stage_name_used_before_it_is_defined_is_an_external_image() -> None:
    dockerfile = parse("FROM later\nFROM alpine AS later\n")
    assert not dockerfile.stages[0].base.is_stage and dockerfile.stages[0].parent_stage is None


def test_from_resolving_to_a_stage_name_through_an_arg() -> None:
    dockerfile = parse("ARG BASE=build\nFROM alpine AS build\nFROM ${BASE}\n")
    assert dockerfile.final_stage.base.is_stage and dockerfile.final_stage.parent_stage == 0


def test_run_resolved_substitutes_known_values_only_and_cmd_sees_env_only() -> None:
    text = "FROM a\nARG V=1\nENV E=2\nRUN echo $V $E $HOME\nCMD echo $V $E\n"
    dockerfile = parse(text)
    run, cmd = dockerfile.final_stage.instructions[3:]
    assert (run.resolved, run.unresolved_variables) == ("echo 1 2 $HOME", ())
    assert cmd.resolved == "echo $V 2"
    assert commands(run) == [["echo", "$V", "$E", "$HOME"]]


# --------------------------------------------------------------------------------------------------
# Flags


def test_flags_are_parsed_and_repeated_mounts_joined_with_newlines() -> None:
    text = (
        "FROM a\n"
        "RUN --mount=type=secret,id=npm --mount=type=cache,target=/root/.npm --network=none "
        "--security=insecure npm ci\n"
        'COPY --chown="app:app" --chmod=0644 --link src/ /dst/\n'
        "ADD --checksum=sha256:abc --link=false https://x/y.tgz /y.tgz\n"
        "HEALTHCHECK --interval=30s --timeout=5s --start-period=1m --retries=3 CMD curl -f http://localhost/\n"
    )
    run, copy, add, healthcheck = parse(text).final_stage.instructions[1:]
    assert run.flags == {
        "mount": "type=secret,id=npm\ntype=cache,target=/root/.npm",
        "network": "none",
        "security": "insecure",
    }
    assert run.arguments == "npm ci" and commands(run) == [["npm", "ci"]]
    assert copy.flags == {"chown": "app:app", "chmod": "0644", "link": "true"}
    assert copy.arguments == "src/ /dst/"
    assert add.flags == {"checksum": "sha256:abc", "link": "false"}
    assert healthcheck.flags == {"interval": "30s", "timeout": "5s", "start-period": "1m", "retries": "3"}


def test_known_variables_are_substituted_in_flag_values() -> None:
    copy = instruction("FROM a\nARG OWNER=app\nCOPY --chown=${OWNER}:${OWNER} . /srv\n", "COPY")
    assert copy.flags == {"chown": "app:app"}


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("FROM a\nRUN --mount echo hi\n", 5, ["--mount needs a value", "--mount=<value>"]),
        ("FROM a\nCOPY -- from=build /a /b\n", 6, ["malformed flag '--'"]),
        ("FROM a\nCOPY --chwon=app /a /b\n", 6, ["unknown flag --chwon", "--chown"]),
        ("FROM a\nUSER --x=1 app\n", 6, ["unknown flag --x", "no flags"]),
        ("FROM a\nCOPY --from=a --from=b /a /b\n", 15, ["given twice"]),
        ("FROM a\nCOPY --link=maybe /a /b\n", 6, ["true or false"]),
        ("FROM a\nHEALTHCHECK --interval=often CMD true\n", 1, ["invalid duration 'often'"]),
    ],
)
def test_malformed_flags_are_errors_at_the_flag(text: str, column: int, words: list[str]) -> None:
    problem = error(text)
    assert (problem.line, problem.column) == (2, column)
    for word in words:
        assert word in problem.message


# --------------------------------------------------------------------------------------------------
# Exec form


def test_exec_form_is_json_and_invalid_json_falls_back_to_shell_form() -> None:
    text = (
        'FROM a\nCMD ["python", "-m", "app"]\n'
        "ENTRYPOINT ['single', 'quotes']\n"
        'RUN ["sh", "-c", "apt-get install -y x"]\n'
    )
    cmd, entrypoint, run = parse(text).final_stage.instructions[1:]
    assert cmd.json_arguments == ("python", "-m", "app")
    assert commands(cmd) == [["python", "-m", "app"]]
    assert entrypoint.json_arguments is None
    assert commands(entrypoint) == [["[single,", "quotes]"]]
    assert commands(run) == [["sh", "-c", "apt-get install -y x"], ["apt-get", "install", "-y", "x"]]


def test_json_array_with_non_strings_is_an_error() -> None:
    problem = error('FROM a\nCMD ["sleep", 5]\n')
    assert problem.line == 2 and "strings only" in problem.message


def test_shell_requires_json_form() -> None:
    problem = error("FROM a\nSHELL /bin/bash -c\n")
    assert problem.line == 2 and "JSON form" in problem.message


# --------------------------------------------------------------------------------------------------
# Heredocs


def test_run_heredoc_body_is_split_as_a_script_and_belongs_to_the_instruction() -> None:
    text = "FROM a\nRUN <<EOF\napt-get update\napt-get install -y curl && rm -rf /var/lib/apt/lists/*\nEOF\nUSER app\n"
    dockerfile = parse(text)
    run, user = dockerfile.final_stage.instructions[1:]
    [heredoc] = run.heredocs
    assert (heredoc.delimiter, heredoc.line) == ("EOF", 3)
    assert heredoc.content == "apt-get update\napt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    assert [(command.line, command.words) for command in run.commands] == [
        (3, ("apt-get", "update")),
        (4, ("apt-get", "install", "-y", "curl")),
        (4, ("rm", "-rf", "/var/lib/apt/lists/*")),
    ]
    assert run.location == Location("app/Dockerfile", 2, 1, 5, 4)
    assert user.location.line == 6


def test_dash_heredoc_strips_leading_tabs_and_quoted_delimiters_are_unquoted() -> None:
    text = 'FROM a\nRUN <<-"END"\n\tif true; then\n\t\techo hi\n\tfi\n\tEND\n'
    run = instruction(text, "RUN")
    assert run.heredocs[0].delimiter == "END"
    assert run.heredocs[0].content == "if true; then\necho hi\nfi\n"
    assert commands(run) == [["true"], ["echo", "hi"]]


def test_several_heredocs_on_one_line_and_shell_reading_stdin() -> None:
    text = (
        "FROM a\n"
        "RUN <<ONE cat > /a && bash -e <<'TWO'\n"
        "file content && not a command\n"
        "ONE\n"
        "curl -u u:p https://x\n"
        "TWO\n"
    )
    run = instruction(text, "RUN")
    assert [(item.delimiter, item.line) for item in run.heredocs] == [("ONE", 3), ("TWO", 5)]
    assert [(command.line, command.words) for command in run.commands] == [
        (2, ("cat",)),
        (2, ("bash", "-e")),
        (5, ("curl", "-u", "u:p", "https://x")),
    ]
    assert run.location.end_line == 6


def test_heredoc_for_another_interpreter_is_not_split() -> None:
    text = (
        "FROM a\n"
        "RUN python3 <<EOF\nimport os; os.system('rm -rf /')\nEOF\n"
        "RUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n"
    )
    first, second = (item for item in parse(text).instructions() if item.keyword == "RUN")
    assert commands(first) == [["python3"]]
    assert commands(second) == []
    assert second.heredocs[0].content.startswith("#!/usr/bin/env python3\n")


def test_heredoc_with_shell_shebang_is_split() -> None:
    run = instruction("FROM a\nRUN <<EOF\n#!/bin/bash -e\napk add curl\nEOF\n", "RUN")
    assert commands(run) == [["apk", "add", "curl"]]


def test_copy_heredoc_keeps_the_file_body() -> None:
    copy = instruction("FROM a\nCOPY <<EOF /etc/app.conf\nkey=value\nEOF\n", "COPY")
    assert copy.arguments == "<<EOF /etc/app.conf"
    assert [(item.delimiter, item.content, item.line) for item in copy.heredocs] == [
        ("EOF", "key=value\n", 3)
    ]
    assert copy.commands == ()


def test_heredoc_markers_in_exec_form_or_quotes_are_not_heredocs() -> None:
    dockerfile = parse('FROM a\nRUN ["cat", "<<EOF"]\nRUN echo "<<EOF"\nUSER x\n')
    assert all(item.heredocs == () for item in dockerfile.instructions())
    assert dockerfile.final_stage.instructions[-1].keyword == "USER"


def test_unterminated_heredoc_is_an_error_at_the_heredoc() -> None:
    problem = error("FROM a\nRUN echo start && cat <<EOF\nnever closed\n")
    assert (problem.line, problem.column) == (2, 23)
    assert "unterminated heredoc" in problem.message and "'EOF'" in problem.message


# --------------------------------------------------------------------------------------------------
# Instruction forms


def test_label_forms_and_their_resolved_text() -> None:
    text = (
        "FROM a\n"
        "ARG V=2.0\n"
        'LABEL version=$V "com.example.vendor"="ACME Inc" description="a \\"quoted\\" text"\n'
        "LABEL legacy two words\n"
        "MAINTAINER Jane <jane@example.com>\n"
    )
    dockerfile = parse(text)
    workload = dockerfile_workload(dockerfile)
    assert {key: located.value for key, located in workload.labels.items()} == {
        "version": "2.0",
        "com.example.vendor": "ACME Inc",
        "description": 'a "quoted" text',
        "legacy": "two words",
    }
    assert workload.labels["legacy"].location.line == 4
    assert dockerfile.final_stage.instructions[-1].arguments == "Jane <jane@example.com>"


def test_env_forms() -> None:
    text = 'FROM a\nENV A=1 B="two words" C\\ D=x\nENV LEGACY value with spaces\nENV P=$A:$LEGACY\n'
    last = instruction(text, "ENV", 2)
    assert last.resolved == "P=1:value with spaces"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("FROM a\nENV A=1 B\n", 2, ["can't find '='", "name=value"]),
        ("FROM a\nLABEL only\n", 2, ["needs a value"]),
        ("FROM a\nENV A='unterminated\n", 2, ["unmatched single quote"]),
        ("FROM a\nARG\n", 2, ["ARG needs a name"]),
        ("FROM a\nUSER\n", 2, ["USER needs an argument"]),
        ("FROM a\nCOPY onlyone\n", 2, ["source and a destination"]),
        ("FROM a\nHEALTHCHECK NONE now\n", 2, ["takes no arguments"]),
        ("FROM a\nHEALTHCHECK RUN true\n", 2, ["unknown HEALTHCHECK type 'RUN'"]),
        ("FROM a\nONBUILD FROM b\n", 2, ["isn't allowed as an ONBUILD trigger"]),
        ("FROM a\nRUN\n", 2, ["RUN needs a command"]),
        ("FROM a\nFROM b c\n", 2, ["AS <name>"]),
        ("FROM a AS 1st\n", 1, ["invalid stage name '1st'"]),
        ("FROM a AS x\nFROM b AS X\n", 2, ["duplicate stage name"]),
        ("FROM a\nEXPOSE ${PORT\n", 2, ["missing '}'"]),
    ],
)
def test_invalid_instructions_are_errors_on_their_line(text: str, line: int, words: list[str]) -> None:
    problem = error(text)
    assert problem.line == line
    for word in words:
        assert word in problem.message


def test_user_is_resolved_through_arg_and_env() -> None:
    text = "FROM a\nARG UID=1001\nENV GROUP=app\nUSER ${UID}:$GROUP\n"
    user = instruction(text, "USER")
    assert (user.arguments, user.resolved) == ("${UID}:$GROUP", "1001:app")


def test_onbuild_keeps_the_wrapped_instruction_text() -> None:
    text = "FROM a\nONBUILD RUN --mount=type=cache,target=/c make\nonbuild COPY <<EOF /x\nbody\nEOF\n"
    first, second = (item for item in parse(text).instructions() if item.keyword == "ONBUILD")
    assert (first.arguments, first.flags, first.commands) == ("RUN --mount=type=cache,target=/c make", {}, ())
    assert second.arguments == "COPY <<EOF /x"
    assert [item.content for item in second.heredocs] == ["body\n"]


def test_volume_and_expose_forms() -> None:
    dockerfile = parse('FROM a\nVOLUME ["/data", "/logs"]\nVOLUME /cache\nEXPOSE 80/tcp 443\n')
    json_volume, volume, expose = dockerfile.final_stage.instructions[1:]
    assert json_volume.json_arguments == ("/data", "/logs")
    assert volume.json_arguments is None and volume.arguments == "/cache"
    assert expose.resolved == "80/tcp 443"


# --------------------------------------------------------------------------------------------------
# Errors about the file as a whole


def test_unknown_instruction_names_the_instruction_and_the_known_ones() -> None:
    problem = error("FROM a\n  FORM ubuntu\n")
    assert (problem.line, problem.column) == (2, 3)
    assert problem.message.startswith("unknown instruction 'FORM' (did you mean FROM?)")
    known = "FROM RUN CMD LABEL MAINTAINER EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG ONBUILD STOPSIGNAL"
    assert problem.message.endswith(f"known instructions: {known} HEALTHCHECK SHELL")


def test_instruction_other_than_arg_before_from_is_an_error() -> None:
    problem = error("ARG X=1\n\nRUN echo hi\nFROM a\n")
    assert problem.line == 3 and "only ARG may come before FROM" in problem.message


def test_no_from_at_all_is_an_error() -> None:
    problem = error("# comment\nARG X=1\n")
    assert problem.line == 2 and "no FROM instruction" in problem.message


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n", "# syntax=docker/dockerfile:1\n"])
def test_empty_dockerfile_is_an_error(text: str) -> None:
    problem = error(text)
    assert problem.line == 1 and problem.message.startswith("empty Dockerfile: no FROM instruction")


@pytest.mark.parametrize("text", ["FROM\n", "FROM --platform=linux/amd64\n"])
def test_from_without_an_image_is_an_error(text: str) -> None:
    problem = error(text)
    assert problem.line == 1 and "FROM needs an image" in problem.message


# --------------------------------------------------------------------------------------------------
# The final image as a workload


def test_workload_of_the_final_stage_inherits_user_labels_and_healthcheck_through_the_chain() -> None:
    text = (
        "FROM python:3.12-slim AS base\n"
        "LABEL org.opencontainers.image.vendor=ACME tier=base\n"
        "USER 1000\n"
        "HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=10s CMD curl -f http://localhost/ || exit 1\n"
        "FROM base AS app\n"
        "ARG APP_USER=app\n"
        "LABEL tier=app\n"
        "USER $APP_USER:staff\n"
    )
    dockerfile = parse(text)
    workload = dockerfile_workload(dockerfile)
    assert (workload.kind, workload.artifact) == ("Image", ArtifactKind.DOCKERFILE)
    assert (workload.subject, workload.path) == ("Dockerfile:app/Dockerfile", "app/Dockerfile")
    assert workload.location == workload.labels_anchor == dockerfile.final_stage.from_instruction.location
    [container] = workload.containers
    assert (container.name, container.role) == ("app", "image")
    assert container.image is dockerfile.final_stage.base and container.image.is_stage
    assert container.security.declared
    assert container.security.run_as_user.value == "app:staff"
    assert container.security.run_as_user.location.line == 8
    assert container.security.run_as_user.origin == "USER instruction"
    assert {key: (item.value, item.location.line) for key, item in workload.labels.items()} == {
        "org.opencontainers.image.vendor": ("ACME", 2),
        "tier": ("app", 7),
    }
    [probe] = container.probes
    assert (probe.kind, probe.disabled, probe.location.line) == ("healthcheck", False, 4)
    assert probe.command == ("CMD-SHELL", "curl -f http://localhost/ || exit 1")
    assert (probe.period_seconds, probe.timeout_seconds, probe.initial_delay_seconds) == (90.0, 0.5, 10.0)


def test_workload_without_user_and_with_disabled_healthcheck() -> None:
    dockerfile = parse("FROM a AS build\nUSER app\nFROM alpine:3.20\nHEALTHCHECK NONE\nLABEL x=1\n")
    [container] = dockerfile_workload(dockerfile).containers
    assert container.name == "final"
    assert (container.image.repository, container.image.tag) == ("alpine", "3.20")
    assert not container.security.declared and container.security.run_as_user is None
    assert container.security.anchor.line == 3
    [probe] = container.probes
    assert probe.disabled and probe.command == ("NONE",)


def test_workload_exec_form_healthcheck_and_no_healthcheck() -> None:
    with_check = parse('FROM a\nHEALTHCHECK CMD ["/bin/check", "--quick"]\n')
    assert dockerfile_workload(with_check).containers[0].probes[0].command == ("CMD", "/bin/check", "--quick")
    assert dockerfile_workload(parse("FROM a\n")).containers[0].probes == ()


# --------------------------------------------------------------------------------------------------
# .dockerignore


def test_read_dockerignore_keeps_patterns_and_negations_in_order() -> None:
    text = "# comment\n\n  .git  \n*.md\n!README.md\n/secrets/\n./build//out\n ! keep\n"
    ignore = read_dockerignore("app/.dockerignore", text)
    assert ignore == DockerIgnore(
        "app/.dockerignore", (".git", "*.md", "!README.md", "secrets", "build/out", "!keep")
    )


def test_parse_dockerfile_keeps_the_ignore_file() -> None:
    ignore = DockerIgnore(".dockerignore", ("*.pem",))
    assert parse_dockerfile("Dockerfile", "FROM a\n", ignore).ignore_file is ignore


# --------------------------------------------------------------------------------------------------
# The shared corpus


@pytest.mark.skipif(not CORPUS_KIND.is_dir(), reason="shared Dockerfile corpus not available")
def test_corpus_parses_and_only_genuinely_invalid_files_fail() -> None:
    paths = sorted(
        path
        for path in CORPUS_KIND.rglob("*")
        if path.is_file() and "dockerfile" in path.name.lower() and not path.name.endswith(".dockerignore")
    )
    texts = [(path, path.read_text(encoding="utf-8")) for path in paths]
    failures: dict[str, str] = {}
    for path, text in texts:
        relative = path.relative_to(CORPUS_KIND).as_posix()
        try:
            dockerfile_workload(parse_dockerfile(relative, text))
        except SourceError as problem:
            failures[relative] = f"{problem.line}: {problem.message}"
    # Both are invalid on purpose: a docs snippet with a literal `...` line standing for "more steps", and a
    # test fixture whose comment says "intended to cause failure" above a bare `RUN`.
    snippet = "GoogleContainerTools_skaffold/docs-v1/content/en/samples/builders/artifact-dependencies/Dockerfile.app"
    fixture = "GoogleContainerTools_skaffold/integration/testdata/cache/app/Dockerfile"
    assert sorted(failures) == [snippet, fixture]
    assert failures[snippet].startswith("3: unknown instruction '...'")
    assert failures[fixture].startswith("17: RUN needs a command")
    assert len(texts) >= 500  # speed is measured by benchmarks/bench_check.py, never asserted here
