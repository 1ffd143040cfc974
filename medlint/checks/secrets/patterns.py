"""Shared secret detection (catalog §3.2): secret-like names, credential formats, placeholders.

Names are split into words first (`postgresPassword` → postgres, password; `DB_PASSWORD_FILE` → db,
password, file), then matched word-wise, so `TOKENIZERS_PARALLELISM` or `AUTHOR` are not secrets while
`apiKey` is. A name that only points to a secret is not one: its last word says what it is about
(`*_FILE`, `secretName`, `passwordLength`, `GF_AUTH_ANONYMOUS_ORG_ROLE`), it is a key or field of a
Kubernetes Secret named after the credential it holds (`tokenSecretKey`, `keystorePasswordSecretKey`), or a
key beside the name of that Secret (`serviceAccountSecretKey` beside `serviceAccountSecret`). A value that
points to a secret is no secret either: a path or a file name, a secret-store reference (`vault:...#key`,
`op://...`, an AWS ARN), or the name of a setting (`required`, `scram-sha-256`). Nothing here ever returns
or formats a secret value.

The lists themselves are data (`rules/data/secret-patterns.yaml`, with source and retrieval date per row),
loaded once at import; a rule reads the table it lists under `tables:`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from medlint.rulepack import load_table

TABLE_NAME = "secret-patterns"


@dataclass(frozen=True, slots=True)
class SecretPatterns:
    """The lists of `rules/data/secret-patterns.yaml`, by row kind. Immutable, so it can be shared."""

    name_pattern: str
    pointer_words: tuple[str, ...]
    reference_first_words: tuple[str, ...]
    image_secret_files: tuple[str, ...]
    repository_secret_files: tuple[str, ...]
    template_suffixes: tuple[str, ...]
    #: Values that point to a secret (paths, file names, secret-store references), as regular expressions.
    reference_values: tuple[str, ...] = ()
    #: Values that name a setting (`required`, `scram-sha-256`), compared without case.
    setting_values: tuple[str, ...] = ()


def patterns_from_table(table: Mapping[str, Any]) -> SecretPatterns:
    """Build SecretPatterns from a loaded table; a missing row kind is a broken rule pack, so it raises (the
    value rows are optional: a table without them recognises no pointer values)."""
    rows: dict[str, tuple[str, ...]] = {}
    for row in table.get("rows") or ():
        if isinstance(row, Mapping) and row.get("verified", True) is not False:
            rows[str(row.get("kind"))] = tuple(str(value) for value in row.get("values") or ())
    return SecretPatterns(
        name_pattern=rows["secret-name-pattern"][0],
        pointer_words=rows["pointer-words"],
        reference_first_words=rows["reference-first-words"],
        image_secret_files=rows["image-secret-files"],
        repository_secret_files=rows["repository-secret-files"],
        template_suffixes=rows["template-file-suffixes"],
        reference_values=rows.get("reference-value-patterns", ()),
        setting_values=tuple(value.lower() for value in rows.get("setting-values", ())),
    )


#: Loaded once when the checks are imported (not per rule or per file), so MD301-MD304 pay nothing extra.
BUILTIN_PATTERNS = patterns_from_table(load_table(TABLE_NAME))
DEFAULT_SECRET_NAME_PATTERN = BUILTIN_PATTERNS.name_pattern
#: Last words that make a secret-like name a pointer or a setting about a secret, not the secret itself.
DEFAULT_POINTER_WORDS = BUILTIN_PATTERNS.pointer_words
#: Words that mark a whole name as a reference to a secret held elsewhere.
REFERENCE_FIRST_WORDS = BUILTIN_PATTERNS.reference_first_words

_WORD_BOUNDARY = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_AWS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
_PEM_PRIVATE = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
_HEX_ONLY = re.compile(r"^(?:sha\d+:|md5:)?[0-9a-fA-F]+$")
_TOKEN_LIKE = re.compile(r"^[A-Za-z0-9+/=_\-]{20,}$")
_REFERENCE_VALUE = re.compile(r"^\s*(?:\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|\$[A-Za-z_][A-Za-z0-9_]*)\s*$")


def name_words(name: str) -> list[str]:
    """Split a key into lower-case words across camelCase, snake_case, kebab-case and dots."""
    words: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", name):
        words.extend(word.lower() for word in _WORD_BOUNDARY.findall(part))
    return words


#: The word that names a Kubernetes Secret inside a longer name (`tokenSecretKey`), and the last words that
#: make such a name one of its keys or fields, or the name or reference of the Secret itself.
_SECRET_OBJECT_WORDS = ("secret", "secrets")
_SECRET_PART_WORDS = ("key", "keys", "field", "fields", "property", "name", "names", "ref")
#: Credentials a Secret is commonly named after (`passwordSecret`: the Secret that holds a password). Not
#: `token` or `client`: an OAuth token secret and a client secret are credentials themselves.
_HELD_CREDENTIAL_WORDS = (
    "pass",
    "passwd",
    "password",
    "passwords",
    "passphrase",
    "credential",
    "credentials",
)


def _names_part_of_a_secret(words: list[str], pattern: str) -> bool:
    """`tokenSecretKey`, `keystorePasswordSecretKey`, `passwordsSecretTruststoreKey`, `passwordSecret`: a key,
    field or the name of a Kubernetes Secret named after the credential it holds, not the credential. The
    credential comes before the word `secret`, so `awsSecretKey` or `jwtSecretKey` (nothing secret before
    it) stay secrets."""
    if words[-1] in _SECRET_OBJECT_WORDS:
        return len(words) > 1 and words[-2] in _HELD_CREDENTIAL_WORDS
    if words[-1] not in _SECRET_PART_WORDS:
        return False
    return any(
        word in _SECRET_OBJECT_WORDS and re.search(pattern, "_".join(words[:index]))
        for index, word in enumerate(words[:-1])
        if index > 0
    )


def _key_beside_its_secret(words: list[str], siblings: tuple[str, ...]) -> bool:
    """`tokenSecretKey` beside `tokenSecretName`, `serviceAccountSecretKey` beside `serviceAccountSecret`,
    `secretKey` beside `secretName`: the key inside the Secret that a sibling names, not a credential.
    (`secretKey` beside `existingSecret` is not: the sibling names another Secret than this name's.)"""
    if words[-1] not in ("key", "keys", "field"):
        return False
    for sibling in siblings:
        named = name_words(sibling)
        if named and named[-1] in ("name", "ref"):
            named = named[:-1]
        if (
            named
            and named != words
            and named[-1] in _SECRET_OBJECT_WORDS
            and len(named) < len(words)
            and words[: len(named)] == named
        ):
            return True
    return False


def is_secret_name(
    name: str,
    pattern: str = DEFAULT_SECRET_NAME_PATTERN,
    pointer_words: tuple[str, ...] = DEFAULT_POINTER_WORDS,
    siblings: tuple[str, ...] = (),
) -> bool:
    """True when the key names a secret value (not a pointer to one).

    `siblings` are the other keys of the mapping (or the other variables) written beside it, when known.
    """
    words = name_words(name)
    if not words or words[0] in REFERENCE_FIRST_WORDS:
        return False
    joined = "_".join(words)
    if not re.search(pattern, joined):
        return False
    last = words[-1]
    if last in pointer_words or "_".join(words[-2:]) in pointer_words:
        # "api_key" ends in "key" and stays a secret; "password_file" and "secret_name" are pointers.
        return False
    if _names_part_of_a_secret(words, pattern):
        return False
    return not (siblings and _key_beside_its_secret(words, siblings))


def is_literal_secret_value(value: Any, patterns: SecretPatterns | None = None) -> bool:
    """A value that could be a real secret: a non-empty string that is not a reference, a plain flag, a path
    or file name, a secret-store reference or the name of a setting (`patterns` gives those lists; the
    built-in table by default)."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return False
    text = str(value).strip()
    if not text:
        return False
    if text.lower() in ("true", "false", "yes", "no", "on", "off", "null", "none", "~"):
        return False
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return False
    if _REFERENCE_VALUE.match(text):
        return False
    table = patterns or BUILTIN_PATTERNS
    if text.lower() in table.setting_values:
        return False
    return not any(re.match(reference, text) for reference in table.reference_values)


def shannon_entropy(text: str) -> float:
    counts: dict[str, int] = {}
    for char in text:
        counts[char] = counts.get(char, 0) + 1
    return -sum(count / len(text) * math.log2(count / len(text)) for count in counts.values())


def credential_format(value: str, entropy_threshold: float = 4.5) -> str | None:
    """The kind of credential the text contains, if any (never the credential itself)."""
    if _PEM_PRIVATE.search(value):
        return "a PEM private key"
    if _AWS_KEY_ID.search(value):
        return "an AWS access key id"
    if _JWT.search(value):
        return "a JSON Web Token"
    for word in value.split():
        if _HEX_ONLY.match(word) or not _TOKEN_LIKE.match(word):
            continue  # digests, checksums and fingerprints are not secrets
        has_mix = (
            any(c.isupper() for c in word)
            and any(c.islower() for c in word)
            and any(c.isdigit() for c in word)
        )
        if has_mix and shannon_entropy(word) >= entropy_threshold:
            return "a high-entropy token"
    return None


def matches_placeholder(value: str, patterns: tuple[str, ...]) -> bool:
    return value.strip() == "" or any(re.fullmatch(pattern, value.strip()) for pattern in patterns)


def patterns_for(params: Mapping[str, Any]) -> SecretPatterns:
    """The table a rule received (`tables: [secret-patterns]`), else the built-in one."""
    table = (params.get("tables") or {}).get(TABLE_NAME)
    return patterns_from_table(table) if isinstance(table, Mapping) else BUILTIN_PATTERNS


def params_pattern(params: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The secret-name pattern and pointer words of the secret-patterns table the rule received."""
    defaults = patterns_for(params)
    return defaults.name_pattern, tuple(defaults.pointer_words)
