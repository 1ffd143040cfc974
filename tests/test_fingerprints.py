"""Fingerprints: GitHub's line hash must equal what codeql-action's upload computes (its published test
vectors), and the logical fingerprint must ignore line moves but not changes of the offending object."""

from __future__ import annotations

import dataclasses
import random

import pytest

from medlint.findings import Finding
from medlint.fingerprints import line_hashes, logical_fingerprint
from medlint.model import ArtifactKind, Level
from medlint.source import Location

GREETING_LINES = [
    "e9496ae3ebfced30:1",
    "fb7c023a8b9ccb3f:1",
    "ce8ba1a563dcdaca:1",
    "e20e36e16fcb0cc8:1",
    "b3edc88f2938467e:1",
    "c8e28b0b4002a3a0:1",
    "c129715d7a2bc9a3:1",
]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ["c129715d7a2bc9a3:1"]),
        (
            " a\nb\n  \t\tc\n d",
            ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
        ),
        (
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
            [
                "8b7cf3e952e7aeb2:1",
                "b1ae1287ec4718d9:1",
                "bff680108adb0fcc:1",
                "c6805c5e1288b612:1",
                "b86d3392aea1be30:1",
                "e6ceba753e1a442:1",
            ],
        ),
        (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", GREETING_LINES),
        (" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", GREETING_LINES),
        (" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n", GREETING_LINES),
        (" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n", GREETING_LINES),
        (
            "Lorem ipsum dolor sit amet.\n" * 10,
            [
                "a7f2ff13bc495cf2:1",
                "a7f2ff13bc495cf2:2",
                "a7f2ff13bc495cf2:3",
                "a7f2ff13bc495cf2:4",
                "a7f2ff13bc495cf2:5",
                "a7f2ff13bc495cf2:6",
                "a7f2ff1481e87703:1",
                "a9cf91f7bbf1862b:1",
                "55ec222b86bcae53:1",
                "cc97dc7b1d7d8f7b:1",
                "c129715d7a2bc9a3:1",
            ],
        ),
    ],
)
def test_line_hash_matches_the_upload_action(text: str, expected: list[str]) -> None:
    hashes = line_hashes(text)
    assert [hashes[line] for line in range(1, len(expected) + 1)] == expected
    assert len(hashes) == len(expected)


def _reference_line_hashes(text: str) -> dict[int, str]:
    """The upload action's definition, computed the slow way: each line's window summed on its own."""
    units: list[int] = []
    previous_cr = False
    for char in text:
        if char in " \t" or (previous_cr and char == "\n"):
            previous_cr = False
            continue
        previous_cr = char == "\r"
        data = ("\n" if previous_cr else char).encode("utf-16-le", errors="surrogatepass")
        units.extend(data[i] | data[i + 1] << 8 for i in range(0, len(data), 2))
    units.append(65535)
    starts = [0, *(index + 1 for index, unit in enumerate(units[:-1]) if unit == 10)]
    padded = units + [0] * 100
    seen: dict[int, int] = {}
    hashes = {}
    for line, start in enumerate(starts, 1):
        value = sum(padded[start + j] * 37 ** (99 - j) for j in range(100)) % 2**64
        seen[value] = seen.get(value, 0) + 1
        hashes[line] = f"{value:x}:{seen[value]}"
    return hashes


def test_line_hashes_agree_with_the_definition_on_random_texts() -> None:
    pieces = [" ", "\t", "\n", "\r", "\r\n", "\r \n", "a", "é", "😀", "\u2028", "\x00", "word" * 30]
    generator = random.Random(62304)
    for _ in range(300):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 120)))
        expected = _reference_line_hashes(text)
        assert line_hashes(text) == expected
        last = generator.randint(1, len(expected))
        assert line_hashes(text, last) == {line: expected[line] for line in range(1, last + 1)}


def _finding(line: int, subject: str = "Deployment/prod/api/container:web") -> Finding:
    return Finding(
        "MD201", Level.ERROR, Location("k8s/d.yaml", line, 3), "m.", subject, ArtifactKind.KUBERNETES
    )


def test_logical_fingerprint_ignores_line_moves_but_not_the_object() -> None:
    assert logical_fingerprint(_finding(10)) == logical_fingerprint(_finding(42))
    assert logical_fingerprint(_finding(10)) != logical_fingerprint(
        _finding(10, "Deployment/prod/api/container:db")
    )
    assert logical_fingerprint(_finding(10)) != logical_fingerprint(
        dataclasses.replace(_finding(10), rule_id="MD202")
    )


def test_only_the_lines_asked_for_are_returned_with_counts_over_every_line_before() -> None:
    text = "x\n" * 300  # far from the end, every line's window is the same 100 units
    expected = _reference_line_hashes(text)
    assert line_hashes(text, lines={3, 5}) == {3: expected[3], 5: expected[5]}
    assert expected[5].endswith(":5")  # lines 1 to 4 are counted though not asked for


def test_a_text_with_more_lines_than_the_bound_before_the_line_asked_for_gets_no_hash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import medlint.fingerprints as fingerprints

    text = "x\n" * 30
    expected = _reference_line_hashes(text)
    monkeypatch.setattr(fingerprints, "MAX_HASHED_LINES", 10)
    assert fingerprints.line_hashes(text, lines={5}) == {5: expected[5]}
    assert fingerprints.line_hashes(text, lines={25}) == {}
