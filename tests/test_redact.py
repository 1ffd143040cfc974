"""Redaction: credentials in URLs and values of secret-like keys never leave medlint."""

from __future__ import annotations

import pytest

from medlint.redact import (
    internal_error_text,
    is_secret_key,
    redact,
    strip_url_credentials,
    without_quoted_text,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ADD https://deploy:pw@files.example.com/t.tgz", "ADD https://***@files.example.com/t.tgz"),
        ("https://ci:tok@en@host/x.git", "https://***@host/x.git"),
        ("https://tok@github.com/o/r", "https://***@github.com/o/r"),
        ("https://h/x?private_token=abc&ref=main", "https://h/x?private_token=***&ref=main"),
        ("https://h/x?X-Amz-Signature=abc&x=1", "https://h/x?X-Amz-Signature=***&x=1"),
        ("https://h/x#access_token=abc", "https://h/x#access_token=***"),
        ("unknown DB_PASSWORD=hunter2, fix it", "unknown DB_PASSWORD=***, fix it"),
        ("db.password: 'hunter2' is too short", "db.password: '***' is too short"),
        ('apiKey: "k"', 'apiKey: "***"'),
        ("--token=abc --user=bob", "--token=*** --user=bob"),
        ("Authorization: Bearer abcdefgh12345", "Authorization: Bearer ***"),
    ],
)
def test_secrets_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "git@github.com:org/repo.git",
        "ssh://git@github.com/org/repo",
        "https://github.com/org/repo@v1.0",
        "image 'nginx:1.27' is not pinned by digest (@sha256:...)",
        "REPLICAS=3 AUTHOR=me TOKENIZERS_PARALLELISM=false",
        "environment variable DB_PASSWORD is set to a literal value",
        "DB_PASSWORD=... is not an instruction",
    ],
)
def test_honest_text_is_kept(text: str) -> None:
    assert redact(text) == text


def test_secret_keys_are_recognised_word_by_word() -> None:
    assert all(map(is_secret_key, ["DB_PASSWORD", "apiKey", "private_token", "sig", "X-Amz-Credential"]))
    assert not any(map(is_secret_key, ["AUTHOR", "TOKENIZERS_PARALLELISM", "keyboard", "passage"]))


def test_provenance_urls_lose_their_user_information() -> None:
    assert (
        strip_url_credentials("https://ci:tok@en@host/r.git?private_token=x")
        == "https://host/r.git?private_token=***"
    )
    assert strip_url_credentials("git@github.com:o/r.git") == "git@github.com:o/r.git"


def test_internal_errors_name_type_and_place_but_no_quoted_input() -> None:
    try:
        int("hunter2")
    except ValueError as error:
        text = internal_error_text(error)
    assert (
        text.startswith('ValueError: invalid literal for int() with base 10: "..."') and "hunter2" not in text
    )
    assert without_quoted_text('function "secret" not defined') == 'function "..." not defined'
