"""Split shell command lines into simple commands and words, the way checks need to see them.

Checks never match regexes on raw RUN text: they look at the words of each simple command (`apt-get`,
`install`, `-y`, ...). This module is a small, forgiving POSIX-shell tokenizer, not a full shell parser:

* commands are separated by `&&`, `||`, `;`, `|`, `|&`, `&`, `;;` and newlines (a newline is reported
  as the operator `;`); subshells `( ... )` and brace groups `{ ...; }` are flattened;
* quotes are removed (single, double, backslash escapes; `$'...'` is read like single quotes);
* `$(...)`, `${...}` and backticks stay inside their word verbatim, but the commands inside `$(...)` and
  backticks are split too and reported after the command that contains them;
* redirections (`> file`, `2>&1`, `<<EOF`, ...) and their targets are dropped from the words; heredoc
  bodies inside a multi-line script are skipped (they are data, not commands);
* leading reserved words (`if`, `then`, `do`, `!`, `{`, ...) are dropped so that `then apt-get install`
  is seen as `apt-get install`; lone closers (`fi`, `done`, `esac`, `}`) disappear; `case` patterns are
  skipped; loop and case headers (`for x in ...`, `case $x in`) run nothing and are dropped (a `$(...)` in
  them is still split); a function definition (`name() {`, `function name {`) opens its body;
* the script of `sh -c "..."`, `bash -ec '...'`, `su -c "..."` is split as well, and its commands are
  reported after the command that runs them.

It never raises: unbalanced quotes simply run to the end of the text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

#: Characters that can never be part of an unquoted plain run of a word.
_PLAIN_RUN = re.compile(r"[^\s'\"\\$`;&|()<>]+")
#: Operators, longest first so that `&&` wins over `&` and `<<-` over `<<`.
_OPERATORS = (
    ";;&",
    "&>>",
    "<<<",
    "<<-",
    ";;",
    ";&",
    "&&",
    "||",
    "|&",
    "&>",
    "<<",
    "<&",
    "<>",
    ">>",
    ">&",
    ">|",
    ";",
    "|",
    "&",
    "(",
    ")",
    "<",
    ">",
)
_SEPARATORS = frozenset({";;&", ";;", ";&", "&&", "||", "|&", ";", "|", "&"})
_CASE_ITEM_ENDS = frozenset({";;&", ";;", ";&"})
_REDIRECTIONS = frozenset({"&>>", "<<<", "<<-", "&>", "<<", "<&", "<>", ">>", ">&", ">|", "<", ">"})
_LEADING_RESERVED = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})
_CLOSERS = frozenset({"fi", "done", "esac", "}"})
#: Words that open a loop or case header, which lists words but runs nothing.
_HEADERS = frozenset({"for", "select", "case"})
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})
_COMMAND_PREFIXES = frozenset({"exec", "env", "sudo", "nohup", "command", "time", "nice"})
#: Nesting limit for `$(...)` and `sh -c` scripts inside scripts.
_MAX_DEPTH = 6


@dataclass
class SplitCommand:
    """One simple command: its words, where it starts in the text, and the heredocs it reads."""

    words: list[str]
    offset: int
    operator_before: str = ""
    heredocs: list[tuple[str, bool]] = field(default_factory=list)  # (delimiter, strips leading tabs)
    nested: bool = False  # found inside `$(...)` or an `sh -c` script


def split_shell(text: str, posix_escapes: bool = True) -> list[SplitCommand]:
    """Split a shell script into simple commands (see the module docstring for the rules).

    `posix_escapes=False` reads a Windows `cmd`/PowerShell script: backslashes are ordinary characters
    (`C:\\dir` is a path, not an escape) and parentheses group expressions inside a word.
    Commands without words (`<<EOF` alone) are returned too, because they own heredocs; callers that
    only want commands should skip empty `words`.
    """
    return _Splitter(text, posix_escapes, 0).run()


_WORD_SPACE = " \t\r\n"
_PLAIN_WORDS = re.compile(r"[^ \t\r\n]+")
_WORD_PLAIN = re.compile(r"[^ \t\r\n'\"\\]+")
_WORD_SPACES = re.compile(r"[ \t\r\n]*")
_DOUBLE_QUOTED_BODY = re.compile(r'(?:[^"\\]+|\\[\s\S])*')
_DOUBLE_QUOTED_ESCAPE = re.compile(r"\\([\s\S])")


def split_words(text: str) -> list[str]:
    """``shlex.split(text)`` (POSIX rules, no comments) in linear time; raises ValueError like shlex.

    shlex builds each token one character at a time (``token = token + char``), which is quadratic in
    the length of a word: a one-megabyte word took over ten seconds. The rules are the same: words are
    separated by space, tab, CR and LF; single quotes keep everything; in double quotes a backslash
    escapes only ``"`` and ``\\``; outside quotes it escapes any character. An unclosed quote raises
    ``No closing quotation`` and a final backslash ``No escaped character``.
    """
    if "'" not in text and '"' not in text and "\\" not in text:
        return _PLAIN_WORDS.findall(text)
    words: list[str] = []
    position, length = 0, len(text)
    while True:
        position = _WORD_SPACES.match(text, position).end()  # type: ignore[union-attr]
        if position >= length:
            return words
        pieces: list[str] = []
        while position < length and text[position] not in _WORD_SPACE:
            char = text[position]
            if char == "'":
                end = text.find("'", position + 1)
                if end < 0:
                    raise ValueError("No closing quotation")
                pieces.append(text[position + 1 : end])
                position = end + 1
            elif char == '"':
                end = _DOUBLE_QUOTED_BODY.match(text, position + 1).end()  # type: ignore[union-attr]
                if end >= length:
                    raise ValueError("No closing quotation")
                if text[end] == "\\":  # a backslash with nothing after it
                    raise ValueError("No escaped character")
                body = text[position + 1 : end]
                if "\\" in body:
                    body = _DOUBLE_QUOTED_ESCAPE.sub(_unescape_in_double_quotes, body)
                pieces.append(body)
                position = end + 1
            elif char == "\\":
                if position + 1 >= length:
                    raise ValueError("No escaped character")
                pieces.append(text[position + 1])
                position += 2
            else:
                match = _WORD_PLAIN.match(text, position)
                assert match is not None
                pieces.append(match.group())
                position = match.end()
        words.append(pieces[0] if len(pieces) == 1 else "".join(pieces))


def _unescape_in_double_quotes(match: re.Match[str]) -> str:
    return match.group(1) if match.group(1) in '"\\' else match.group(0)


def command_name(words: list[str] | tuple[str, ...]) -> tuple[str, int]:
    """The program a command runs and its index, skipping `VAR=x`, `env`, `sudo`, `exec` prefixes."""
    return _command_name(words if isinstance(words, tuple) else tuple(words))


@functools.lru_cache(maxsize=16384)
def _command_name(words: tuple[str, ...]) -> tuple[str, int]:
    """Memoised: a large scan asks for the program of the same commands hundreds of thousands of times,
    once per rule that reads RUN instructions."""
    index = 0
    while index < len(words):
        word = words[index]
        base = word.rsplit("/", 1)[-1]
        if _is_assignment(word) or base in _COMMAND_PREFIXES or (index > 0 and word.startswith("-")):
            index += 1
            continue
        return base, index
    return "", len(words)


def is_shell(words: list[str] | tuple[str, ...]) -> bool:
    """True when the command runs a POSIX shell (`sh`, `bash`, `/bin/ash`, ...)."""
    return command_name(words)[0] in _SHELLS


def shell_c_script(words: list[str] | tuple[str, ...]) -> str | None:
    """The script of `sh -c SCRIPT`, `bash -euxc SCRIPT`, `su user -c SCRIPT`; None otherwise."""
    name, index = command_name(words)
    if name == "su":
        for position in range(index + 1, len(words) - 1):
            if words[position] in ("-c", "--command"):
                return words[position + 1]
            if words[position].startswith("--command="):
                return words[position][len("--command=") :]
        return None
    if name not in _SHELLS:
        return None
    seen_c = False
    position = index + 1
    while position < len(words):
        word = words[position]
        if word in ("-o", "+o", "-O", "+O"):
            position += 2
            continue
        if len(word) > 1 and word[0] in "-+" and not word.startswith("--"):
            seen_c = seen_c or "c" in word[1:]
        elif word.startswith("--"):
            pass
        else:
            return word if seen_c else None
        position += 1
    return None


def reads_script_from_stdin(words: list[str] | tuple[str, ...]) -> bool:
    """True for `sh`, `bash -ex`, ... without `-c` and without a script file: stdin is the script."""
    name, index = command_name(words)
    if name not in _SHELLS:
        return False
    position = index + 1
    while position < len(words):
        word = words[position]
        if word in ("-o", "+o", "-O", "+O"):
            position += 2
        elif word.startswith("--") or (len(word) > 1 and word[0] in "-+" and "c" not in word[1:]):
            position += 1
        else:
            return False  # `-c` or a script file
    return True


def _is_assignment(word: str) -> bool:
    name, sep, _ = word.partition("=")
    return bool(sep) and name.replace("_", "a").isalnum() and not name[0].isdigit()


class _Splitter:
    """One pass over a script. Offsets of commands are relative to `base` in the caller's text."""

    def __init__(
        self, text: str, posix_escapes: bool, depth: int, base: int = 0, fixed: bool = False
    ) -> None:
        self.text = text
        self.posix = posix_escapes
        self.depth = depth
        self.base = base
        self.fixed = fixed  # every command gets offset `base` (scripts taken from a quoted word)
        self.pos = 0
        self.commands: list[SplitCommand] = []
        self.words: list[str] = []
        self.first_quoted = False
        self.start = -1
        self.pending_operator = ""
        self.heredocs: list[tuple[str, bool]] = []
        self.pending_bodies: list[tuple[str, bool]] = []
        self.substitutions: list[tuple[int, int]] = []
        self.case_depth = 0
        self.in_case_pattern = False

    # ---------------------------------------------------------------------------------------------
    # main loop

    def run(self) -> list[SplitCommand]:
        text, length = self.text, len(self.text)
        while self.pos < length:
            if self.in_case_pattern and not self.words:
                self._skip_case_pattern()
                continue
            char = text[self.pos]
            if char in " \t\r":
                self.pos += 1
            elif char == "\n":
                self._end_of_line()
            elif char == "#":  # the loop only stops between words, so this starts a comment
                end = text.find("\n", self.pos)
                self.pos = length if end < 0 else end
            elif char == "\\" and self.posix and text.startswith("\\\n", self.pos):
                self.pos += 2
            elif (
                char in ";&|<>" or (char in "()" and self.posix)
            ) and not self._starts_process_substitution():
                self._operator()
            else:
                self._word()
        self._finish_command()
        return self.commands

    def _end_of_line(self) -> None:
        self.pos += 1
        if self.words or self.heredocs:
            self._finish_command()
            self.pending_operator = ";"
        self._skip_heredoc_bodies()

    def _starts_process_substitution(self) -> bool:
        return self.text.startswith(("<(", ">("), self.pos)

    def _operator(self) -> None:
        operator = next(op for op in _OPERATORS if self.text.startswith(op, self.pos))
        self.pos += len(operator)
        if operator in _SEPARATORS:
            self._finish_command()
            self.pending_operator = operator
            if operator in _CASE_ITEM_ENDS and self.case_depth:
                self.in_case_pattern = True
        elif operator in ("(", ")"):
            self._finish_command()
        else:
            self._redirection(operator)

    def _redirection(self, operator: str) -> None:
        """Drop a redirection and its target; remember heredoc delimiters (`<<EOF`, `<<-'EOF'`)."""
        if self.start < 0:
            self.start = self.pos - len(operator)
        self._skip_blanks()
        if self.pos >= len(self.text) or self.text[self.pos] in "\n;&|()<>":
            return
        target, _ = self._read_word()
        if operator in ("<<", "<<-") and target:
            heredoc = (target, operator == "<<-")
            self.heredocs.append(heredoc)
            self.pending_bodies.append(heredoc)

    def _skip_blanks(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def _word(self) -> None:
        start = self.pos
        word, quoted = self._read_word()
        following = self.text[self.pos : self.pos + 1]
        if not quoted and word.isdigit() and following in ("<", ">"):
            return  # a file descriptor number: `2>&1`, `3<file`
        if self.start < 0:
            self.start = start
        if not self.words:
            self.first_quoted = quoted
            if not quoted and word == "esac" and self.case_depth:
                self.case_depth -= 1
                self.in_case_pattern = False
                self.start = -1
                return
        self.words.append(word)
        if not quoted and word == "in" and self._is_case_header():
            self._finish_command()
            self.case_depth += 1
            self.in_case_pattern = True

    def _is_case_header(self) -> bool:
        words = self._strip_reserved(self.words)
        return len(words) == 3 and words[0] == "case"

    def _skip_case_pattern(self) -> None:
        """Skip `pattern)` of a case item, or leave the case on `esac`."""
        text, length = self.text, len(self.text)
        while self.pos < length and text[self.pos] in " \t\r\n;":
            self.pos += 1
        if text.startswith("esac", self.pos) and text[self.pos + 4 : self.pos + 5] in (
            "",
            " ",
            "\t",
            "\n",
            ";",
            ")",
        ):
            self.pos += 4
            self.case_depth -= 1
            self.in_case_pattern = False
            return
        quote = ""
        while self.pos < length:
            char = text[self.pos]
            self.pos += 1
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == ")":
                break
        self.in_case_pattern = False

    # ---------------------------------------------------------------------------------------------
    # words

    def _read_word(self) -> tuple[str, bool]:
        """Read one word at `pos` with quote removal; return it and whether any part was quoted."""
        text, length = self.text, len(self.text)
        parts: list[str] = []
        quoted = False
        while self.pos < length:
            char = text[self.pos]
            if char == "(" and (parts or not self.posix):
                parts.append(self._balanced("(", ")"))  # array, glob `@(x)`, PowerShell `(expr)`
                continue
            if char == ")" and not self.posix:
                parts.append(char)
                self.pos += 1
                continue
            if char in " \t\r\n;&|()" or (char in "<>" and not self._starts_process_substitution()):
                break
            plain = _PLAIN_RUN.match(text, self.pos)
            if plain:
                parts.append(plain.group())
                self.pos = plain.end()
            elif char == "'":
                quoted = True
                parts.append(self._until("'", self.pos + 1))
            elif char == '"':
                quoted = True
                parts.append(self._double_quoted())
            elif char == "\\":
                parts.append(self._escape())
            elif char == "$":
                parts.append(self._dollar())
            elif char == "`":
                parts.append(self._backticks())
            else:  # `<(` / `>(` process substitution
                self.pos += 1
                parts.append(char + self._command_substitution())
        return "".join(parts), quoted

    def _until(self, closing: str, start: int) -> str:
        end = self.text.find(closing, start)
        if end < 0:
            end = len(self.text)
        self.pos = end + 1
        return self.text[start:end]

    def _escape(self) -> str:
        if not self.posix:
            self.pos += 1
            return "\\"
        following = self.text[self.pos + 1 : self.pos + 2]
        self.pos += 2
        return "" if following == "\n" else following

    def _double_quoted(self) -> str:
        text, length = self.text, len(self.text)
        self.pos += 1
        parts: list[str] = []
        while self.pos < length:
            char = text[self.pos]
            if char == '"':
                self.pos += 1
                break
            if char == "\\" and self.posix:
                following = text[self.pos + 1 : self.pos + 2]
                if following in ('"', "\\", "$", "`", "\n"):
                    parts.append("" if following == "\n" else following)
                    self.pos += 2
                    continue
                parts.append(char)
                self.pos += 1
            elif char == "$":
                parts.append(self._dollar())
            elif char == "`":
                parts.append(self._backticks())
            else:
                end = self.pos + 1
                while end < length and text[end] not in '"\\$`':
                    end += 1
                parts.append(text[self.pos : end])
                self.pos = end
        return "".join(parts)

    def _dollar(self) -> str:
        """`$(...)`, `$((...))`, `${...}` and `$'...'` stay verbatim (the last one is unquoted)."""
        following = self.text[self.pos + 1 : self.pos + 2]
        if following == "(":
            self.pos += 1
            return "$" + self._command_substitution()
        if following == "{":
            self.pos += 1
            return "$" + self._balanced("{", "}")
        if following == "'":
            return self._until("'", self.pos + 2)
        self.pos += 1
        return "$"

    def _command_substitution(self) -> str:
        """Read `( ... )` at pos verbatim and remember its inside so its commands get split too."""
        start = self.pos
        raw = self._balanced("(", ")")
        if not raw.startswith("(("):
            self.substitutions.append((start + 1, start + len(raw) - (1 if raw.endswith(")") else 0)))
        return raw

    def _backticks(self) -> str:
        start = self.pos
        end = start + 1
        text, length = self.text, len(self.text)
        while end < length and text[end] != "`":
            end += 2 if text[end] == "\\" else 1
        self.pos = min(end + 1, length)
        self.substitutions.append((start + 1, min(end, length)))
        return text[start : self.pos]

    def _balanced(self, opening: str, closing: str) -> str:
        """Text from `pos` (an opening bracket) to its matching closing bracket, quotes respected."""
        text, length = self.text, len(self.text)
        start = self.pos
        level = 0
        position = start
        while position < length:
            char = text[position]
            if char == "\\" and self.posix:
                position += 2
                continue
            if char == "'" and opening == "(":
                end = text.find("'", position + 1)
                position = length if end < 0 else end + 1
                continue
            if char == '"':
                position = self._skip_double_quoted(position + 1)
                continue
            if char == opening:
                level += 1
            elif char == closing:
                level -= 1
                if level == 0:
                    position += 1
                    break
            position += 1
        self.pos = min(position, length)
        return text[start : self.pos]

    def _skip_double_quoted(self, position: int) -> int:
        text, length = self.text, len(self.text)
        while position < length:
            char = text[position]
            if char == "\\" and self.posix:
                position += 2
            elif char == '"':
                return position + 1
            else:
                position += 1
        return length

    # ---------------------------------------------------------------------------------------------
    # commands

    def _skip_heredoc_bodies(self) -> None:
        """After a newline, skip the bodies of heredocs opened on the previous line."""
        text = self.text
        for delimiter, strip_tabs in self.pending_bodies:
            while self.pos < len(text):
                end = text.find("\n", self.pos)
                end = len(text) if end < 0 else end
                line = text[self.pos : end].rstrip("\r")
                self.pos = end + 1
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
        self.pending_bodies = []

    @staticmethod
    def _strip_reserved(words: list[str]) -> list[str]:
        index = 0
        while index < len(words) and words[index] in _LEADING_RESERVED:
            index += 1
        return words[index:]

    @classmethod
    def _body_words(cls, words: list[str]) -> list[str]:
        """The words of the simple command a compound command's opening line holds, if any: a function
        definition (`name() { cmd`, `function name { cmd`) opens its body, and the headers of `for`/`select`
        loops and of `case` (`for key in $KEYS`, `case $x in`) are no commands at all."""
        words = cls._strip_reserved(words)
        if words and (words[0] == "function" or words[0].endswith("()")):
            index = 2 if words[0] == "function" else 1
            if words[index : index + 1] == ["()"]:
                index += 1
            if words[index : index + 1] == ["{"]:  # only a definition that opens a brace group
                words = cls._strip_reserved(words[index:])
        if words and words[0] in _HEADERS:
            return []
        return words

    def _finish_command(self) -> None:
        words = self.words
        if words and not self.first_quoted:
            words = self._body_words(words)
            if len(words) == 1 and words[0] in _CLOSERS:
                words = []
        if words or self.heredocs:
            offset = self.base if self.fixed else self.base + max(self.start, 0)
            command = SplitCommand(words, offset, self.pending_operator, self.heredocs, nested=self.depth > 0)
            self.commands.append(command)
            self.pending_operator = ""
            self._add_nested(command)
        elif self.substitutions:  # a loop or case header runs nothing itself, but `$(...)` in it does
            offset = self.base if self.fixed else self.base + max(self.start, 0)
            self._add_nested(SplitCommand([], offset, nested=self.depth > 0))
        self.words = []
        self.heredocs = []
        self.first_quoted = False
        self.start = -1
        self.substitutions = []

    def _add_nested(self, command: SplitCommand) -> None:
        if self.depth >= _MAX_DEPTH:
            return
        for start, end in self.substitutions:
            inner = _Splitter(self.text[start:end], self.posix, self.depth + 1, self.base + start, self.fixed)
            self.commands.extend(item for item in inner.run() if item.words)
        script = shell_c_script(command.words)
        if script:
            inner = _Splitter(script, True, self.depth + 1, command.offset, fixed=True)
            self.commands.extend(item for item in inner.run() if item.words)
