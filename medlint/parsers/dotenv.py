"""`.env` files in the Compose dotenv dialect: the variables a Compose project interpolates with.

Values are interpolated as Compose does (medlint.model.interpolation), under the project's expansion budget
(medlint.model.budget); a value that would go over it is a SourceError naming the file, line and variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from medlint.decoding import SourceError
from medlint.model.budget import ExpansionBudget, ExpansionLimitError
from medlint.model.interpolation import InterpolationError, interpolate

_ENV_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*)\Z", re.DOTALL)
# Starts only where a run of spaces starts, so a long run without `#` is not rescanned at every character.
_INLINE_COMMENT = re.compile(r"(?<!\s)\s+#.*\Z", re.DOTALL)
_DOUBLE_QUOTE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "$": "$$"}


def parse_dotenv(
    text: str | None, budget: ExpansionBudget | None = None, path: str = ".env"
) -> dict[str, str]:
    """The variables of a `.env` file, in the Compose dotenv dialect.

    `KEY=value`, `export KEY=value`, `# comments`, inline ` # comments` after unquoted values, single quotes
    (literal) and double quotes (escapes, may span lines). Values may reference earlier variables. A variable
    whose value depends on something not defined in the file (`A=${HOME}/x`), or a bare `KEY` taken from the
    host, is left out: medlint cannot know it, so references to it stay unresolved. Malformed lines are
    skipped, as they do not change what medlint can know for sure. A value that would go over the
    expansion budget raises SourceError naming ``path``, the line and the variable (the caller reports it
    at the file that reads the `.env`).
    """
    variables: dict[str, str] = {}
    lines = (text or "").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if match is None:
            continue
        key, rest = match.group(1), match.group(2)
        line_number = index
        try:
            if rest[:1] in ("'", '"'):
                raw, consumed = _quoted_value(rest, lines, index)
                index += consumed
                if raw is None:
                    continue
                value: str | None = raw if rest[0] == "'" else _expand(_unescape(raw), variables, budget)
            else:
                value = _expand(_INLINE_COMMENT.sub("", rest).strip(), variables, budget)
        except ExpansionLimitError as error:
            raise SourceError(f"{path} line {line_number}: variable {key}: {error.message}") from None
        if value is None:
            variables.pop(key, None)
        else:
            variables[key] = value
    return variables


def _quoted_value(rest: str, lines: list[str], next_index: int) -> tuple[str | None, int]:
    """The body of a quoted value, which may continue over the following lines; (None, n) if unterminated.

    Each line is scanned once, carrying an escape that ends a line over to the next: an open quote
    followed by thousands of lines must not rescan the growing body for every line (quadratic).
    """
    quote, segment, consumed = rest[0], rest[1:], 0
    parts: list[str] = []
    start = 0
    while True:
        end, start = _closing_quote(segment, quote, start)
        if end >= 0:
            parts.append(segment[:end])
            return "".join(parts), consumed
        parts.append(segment)
        if next_index + consumed >= len(lines):
            return None, consumed
        segment = "\n" + lines[next_index + consumed]
        consumed += 1


_DOUBLE_QUOTED_RUN = re.compile(r'(?:[^"\\]+|\\[\s\S])*')


def _closing_quote(segment: str, quote: str, start: int) -> tuple[int, int]:
    """(index of the closing quote in ``segment`` or -1, where scanning resumes in the next segment).

    In double quotes a backslash escapes the next character, which may be the newline that starts the
    next segment (resume at 1 instead of 0).
    """
    if quote == "'":
        return segment.find("'", start), 0
    end = _DOUBLE_QUOTED_RUN.match(segment, start).end()  # type: ignore[union-attr]
    if end < len(segment) and segment[end] == '"':
        return end, 0
    return -1, 1 if end < len(segment) else 0  # a final backslash escapes the next segment's newline


def _unescape(raw: str) -> str:
    """Double-quoted escapes; `\\$` becomes `$$` so interpolation then yields a literal `$`."""
    return re.sub(r"\\(.)", lambda m: _DOUBLE_QUOTE_ESCAPES.get(m.group(1), m.group(0)), raw, flags=re.DOTALL)


def _expand(value: str, variables: Mapping[str, str], budget: ExpansionBudget | None) -> str | None:
    try:
        result = interpolate(value, variables, budget)
    except InterpolationError:
        return None
    return result.value if result.resolved else None
