"""Line and column of offsets in a text, without a list of every line start.

A hostile file of millions of empty lines would make such a list cost gigabytes; the offsets a parser asks
for are few per value and come mostly in document order, so each is counted from the nearest offset already
placed. Used by the JSON readers (manifests, supplied SBOMs).
"""

from __future__ import annotations

import bisect


class LineIndex:
    """Line and column of offsets in a text, counted on demand from the nearest offset already placed.

    A list of every line start would cost gigabytes for a file of millions of empty lines; the offsets
    asked for are few (one per component or property) and come mostly in document order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.known = [0]  # offsets already placed, sorted
        self.lines = [1]  # their line numbers
        self.line_starts = [0]  # where the line of each starts

    def place(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.known, offset) - 1
        base, line, start = self.known[index], self.lines[index], self.line_starts[index]
        newlines = self.text.count("\n", base, offset)
        if newlines:
            line += newlines
            start = self.text.rfind("\n", base, offset) + 1
        if self.known[index] != offset:
            self.known.insert(index + 1, offset)
            self.lines.insert(index + 1, line)
            self.line_starts.insert(index + 1, start)
        return line, offset - start + 1
