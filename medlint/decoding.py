"""File bytes to text, and `SourceError`: input that cannot be read or parsed, which every reader and
parser raises and the loader turns into an MD001 finding. Kept apart from YAML loading, so reading a
Dockerfile never imports PyYAML."""

from __future__ import annotations


class SourceError(Exception):
    """Input that cannot be read or parsed. Becomes an MD001 finding, never a traceback."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)


def decode_text(data: bytes) -> str:
    """Decode file bytes as UTF-8 (a BOM is accepted); raise SourceError naming the offending line."""
    if b"\x00" in data:
        offset = data.index(b"\x00")
        line = data.count(b"\n", 0, offset) + 1
        raise SourceError("binary content (NUL byte); expected UTF-8 text", line=line)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise SourceError(
            f"invalid UTF-8 (byte 0x{data[err.start]:02x}); re-save the file as UTF-8",
            line=line,
            column=column,
        ) from None
