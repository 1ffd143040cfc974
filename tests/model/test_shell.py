"""Shell command splitting: what checks see of RUN lines (words after quote removal, per simple command)."""

from __future__ import annotations

import pytest

from medlint.model.shell import (
    command_name,
    is_shell,
    reads_script_from_stdin,
    shell_c_script,
    split_shell,
)


def words(text: str, posix: bool = True) -> list[list[str]]:
    return [command.words for command in split_shell(text, posix) if command.words]


def operators(text: str) -> list[str]:
    return [command.operator_before for command in split_shell(text) if command.words]


def test_operators_separate_simple_commands() -> None:
    text = "a 1 && b 2 || c; d | e & f |& g"
    assert words(text) == [["a", "1"], ["b", "2"], ["c"], ["d"], ["e"], ["f"], ["g"]]
    assert operators(text) == ["", "&&", "||", ";", "|", "&", "|&"]


def test_offsets_point_at_the_start_of_each_command() -> None:
    text = "apt-get update &&   apt-get install -y curl"
    assert [command.offset for command in split_shell(text)] == [0, 20]


def test_quotes_and_escapes_are_removed() -> None:
    assert words("""echo 'a b' "c \\"d\\" $HOME" e\\ f "" x""") == [
        ["echo", "a b", 'c "d" $HOME', "e f", "", "x"]
    ]


def test_backslash_newline_joins_lines_and_newline_separates_commands() -> None:
    assert words("a \\\n b\nc") == [["a", "b"], ["c"]]
    assert operators("a\nc") == ["", ";"]


def test_comments_are_dropped_but_hash_inside_a_word_is_kept() -> None:
    assert words("echo a#b # comment && rm -rf /\nls") == [["echo", "a#b"], ["ls"]]


def test_command_substitution_stays_one_word_and_its_commands_are_split() -> None:
    commands = split_shell('X="$(curl -u user:pass https://h | tr -d x)" && echo `id -u`')
    assert [command.words for command in commands] == [
        ["X=$(curl -u user:pass https://h | tr -d x)"],
        ["curl", "-u", "user:pass", "https://h"],
        ["tr", "-d", "x"],
        ["echo", "`id -u`"],
        ["id", "-u"],
    ]
    assert [command.nested for command in commands] == [False, True, True, False, True]


def test_arithmetic_expansion_is_not_a_command() -> None:
    assert words("echo $((1 + 2)) ${A:-b c}") == [["echo", "$((1 + 2))", "${A:-b c}"]]


def test_sh_c_scripts_are_split_too() -> None:
    assert words("""sh -c "apt-get install -y x && rm -rf y" """) == [
        ["sh", "-c", "apt-get install -y x && rm -rf y"],
        ["apt-get", "install", "-y", "x"],
        ["rm", "-rf", "y"],
    ]
    assert words("bash -o pipefail -ec 'curl -u a:b h'")[1:] == [["curl", "-u", "a:b", "h"]]
    assert words('su postgres -c "psql -c x"')[1:] == [["psql", "-c", "x"]]


def test_subshells_and_brace_groups_are_flattened() -> None:
    text = "( cd /x && make ) || { echo fail; exit 1; }"
    assert words(text) == [["cd", "/x"], ["make"], ["echo", "fail"], ["exit", "1"]]
    assert operators(text) == ["", "&&", "||", ";"]


def test_leading_reserved_words_and_closers_are_dropped() -> None:
    text = "if [ -f x ]; then apt-get install y; else ! grep q f; fi; while read l; do echo $l; done"
    assert words(text) == [
        ["[", "-f", "x", "]"],
        ["apt-get", "install", "y"],
        ["grep", "q", "f"],
        ["read", "l"],
        ["echo", "$l"],
    ]


def test_quoted_reserved_words_are_ordinary_words() -> None:
    assert words("'if' x") == [["if", "x"]]


def test_case_patterns_are_skipped() -> None:
    text = 'case "$(uname -m)" in x86_64|amd64) A=1 ;; (arm*) A=2; B=3 ;; *) exit 1 ;; esac; echo $A'
    assert words(text) == [  # the header runs nothing itself, but its command substitution does
        ["uname", "-m"],
        ["A=1"],
        ["A=2"],
        ["B=3"],
        ["exit", "1"],
        ["echo", "$A"],
    ]


def test_redirections_and_their_targets_are_dropped() -> None:
    assert words("make 2>&1 >/tmp/log < in.txt && cat >> f <<< 'x' &> /dev/null") == [["make"], ["cat"]]


def test_heredoc_delimiters_are_recorded_on_their_command() -> None:
    commands = split_shell("cat <<'EOF' > /etc/x && tr a b <<-END")
    assert [(command.words, command.heredocs) for command in commands] == [
        (["cat"], [("EOF", False)]),
        (["tr", "a", "b"], [("END", True)]),
    ]


def test_heredoc_bodies_inside_a_script_are_not_commands() -> None:
    script = (
        "cat <<EOF > /etc/app.conf\nrm -rf / && curl x\nEOF\n\tcat <<-X\n\tnot a command\n\tX\necho done\n"
    )
    assert words(script) == [["cat"], ["cat"], ["echo", "done"]]
    assert split_shell(script)[-1].offset == script.index("echo done")


def test_lone_heredoc_is_returned_without_words() -> None:
    [command] = split_shell("<<EOF")
    assert command.words == [] and command.heredocs == [("EOF", False)]


def test_windows_scripts_keep_backslashes_and_parentheses() -> None:
    assert words(r"SETX /m path C:\app;%path%", posix=False) == [
        ["SETX", "/m", "path", r"C:\app"],
        ["%path%"],
    ]
    assert words("$url = ('a {0}' -f ($env:V -replace 'x', '')); Write-Host $url", posix=False) == [
        ["$url", "=", "('a {0}' -f ($env:V -replace 'x', ''))"],
        ["Write-Host", "$url"],
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("echo 'unterminated", [["echo", "unterminated"]]),
        ('echo "open $(x', [["echo", "open $(x"], ["x"]]),
        ("a && ((", [["a"]]),
        ("case x in", []),
        ("cat <<", [["cat"]]),
        ("`", [["`"]]),
    ],
)
def test_malformed_scripts_never_raise_and_run_to_the_end(text: str, expected: list[list[str]]) -> None:
    assert words(text) == expected


def test_command_name_skips_assignments_and_prefixes() -> None:
    assert command_name(["DEBIAN_FRONTEND=x", "sudo", "-E", "/usr/bin/apt-get", "install"]) == ("apt-get", 3)
    assert command_name(["A=1"]) == ("", 1)


def test_shell_detection_helpers() -> None:
    assert is_shell(["/bin/bash", "-e"]) and not is_shell(["python3", "-"])
    assert shell_c_script(["sh", "-ec", "x y"]) == "x y"
    assert shell_c_script(["sh", "script.sh"]) is None
    assert shell_c_script(["python", "-c", "print(1)"]) is None
    assert reads_script_from_stdin(["bash", "-ex", "-o", "pipefail"])
    assert not reads_script_from_stdin(["bash", "-c", "x"])
    assert not reads_script_from_stdin(["bash", "script.sh"])
