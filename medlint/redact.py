"""Redaction: the one function every outgoing text passes through, so no secret value is ever printed.

Principle 6: a finding about a secret names the key and the place, never the value, in every output format.
Checks and parsers are written not to quote values; `redact` is the net under them. The engine applies it
where findings and notifications are made, the loader to its problems, and the report layer once more to
every text it prints. It removes:

- the user information of URLs (`https://ci:tok@en@host/` → `https://***@host/`; it ends at the last `@`
  before the host), except the conventional `git@` of SSH remotes;
- the values of credential-like query parameters (`?private_token=`, `access_token`, `sig`, `X-Amz-*` ...);
- the values of secret-like keys written as `KEY=value`, `KEY: 'value'` or `KEY: "value"`
  (`DB_PASSWORD=hunter2` → `DB_PASSWORD=***`), and the credentials of `Authorization: Bearer ...` headers.

It is deliberately stricter than the secret rules (MD301-MD306): hiding a value that was no secret costs a
little clarity, printing one that was cannot be undone.
"""

from __future__ import annotations

import itertools
import re
from pathlib import PurePath

MASK = "***"
_MAX_ERROR_TEXT = 200

#: Words that make a key or a query parameter name secret-like (after splitting the name into words).
_SECRET_WORDS = frozenset(
    {
        "pass",
        "passwd",
        "password",
        "passphrase",
        "pwd",
        "secret",
        "secrets",
        "token",
        "tokens",
        "apikey",
        "credential",
        "credentials",
        "auth",
        "requirepass",
        "sig",
        "signature",
        "privatekey",
        "jwt",
    }
)
#: Two-word names that are secret-like although neither word is (api_key, private_key, access_key ...).
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key")})
#: Query parameters of signed URLs (AWS SigV4, Google Cloud Storage): every one of them is withheld.
_SIGNED_URL_PREFIXES = ("x-amz-", "x-goog-")

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_URL = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]{0,30}://)(?P<authority>[^\s/?#'\"<>`\\]*)")
_QUERY_PARAMETER = re.compile(r"(?P<lead>[?&;#])(?P<name>[A-Za-z0-9_.\-]{1,80})=(?P<value>[^\s&;#'\"<>`]*)")
_ASSIGNMENT = re.compile(
    r"(?P<name>(?<![A-Za-z0-9_.\-])-{0,2}[A-Za-z_][A-Za-z0-9_.\-]{0,80})"
    r"(?P<sep>=)(?P<value>'[^'\n]*'?|\"[^\"\n]*\"?|[^\s'\"`]+)"
)
_QUOTED_AFTER_COLON = re.compile(
    r"(?P<name>(?<![A-Za-z0-9_.\-])[A-Za-z_][A-Za-z0-9_.\-]{0,80})"
    r"(?P<sep>:\s?)(?P<value>'[^'\n]*'|\"[^\"\n]*\")"
)
#: `user:password@registry.example.com/app` without a scheme (an image reference written with a login): the
#: host must be a dotted name followed by `/`, so `nginx:1.27@sha256:...` and `git@github.com:org/x` stay.
_BARE_USERINFO = re.compile(
    r"(?<![\w.:/@%+~-])[A-Za-z0-9._~%+-]{1,128}:[^\s/'\"<>`]{1,256}@(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?/)"
)
_TRAILING_PUNCTUATION = ".,;:)>"
_AUTHORIZATION = re.compile(r"(?i)\b(?P<scheme>bearer|basic|token)\s+(?P<value>[A-Za-z0-9._~+/=-]{8,})")


def _words(name: str) -> list[str]:
    words: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", name):
        words.extend(word.lower() for word in _WORD.findall(part))
    return words


def is_secret_key(name: str) -> bool:
    """Whether a key or parameter name is secret-like: `DB_PASSWORD`, `apiKey`, `private_token`, `sig`."""
    lowered = name.lower().lstrip("-")
    if lowered.startswith(_SIGNED_URL_PREFIXES):
        return True
    words = _words(name)
    return any(word in _SECRET_WORDS for word in words) or any(
        pair in _SECRET_PAIRS for pair in itertools.pairwise(words)
    )


def _masked_value(value: str) -> str:
    """Keep the quotes around a masked value, so the message still reads as written."""
    if value[:1] in ("'", '"'):
        return value[0] + MASK + (value[0] if len(value) > 1 and value[-1] == value[0] else "")
    return MASK


def _userinfo(match: re.Match[str]) -> str:
    authority = match.group("authority")
    userinfo, at, host = authority.rpartition("@")
    if not at or userinfo == "git":
        return match.group(0)
    return f"{match.group('scheme')}{MASK}@{host}"


def _parameter(match: re.Match[str]) -> str:
    if not is_secret_key(match.group("name")) or not match.group("value"):
        return match.group(0)
    return f"{match.group('lead')}{match.group('name')}={MASK}"


def _keyed(match: re.Match[str]) -> str:
    value = match.group("value")
    if not is_secret_key(match.group("name")) or value.startswith(MASK):
        return match.group(0)
    trailing = ""
    if value[:1] not in ("'", '"'):
        kept = value.rstrip(_TRAILING_PUNCTUATION)  # prose after the value: "DB_PASSWORD=x, which ..."
        value, trailing = kept, value[len(kept) :]
    if value.strip("'\"") in ("", MASK, "..."):
        return match.group(0)
    return f"{match.group('name')}{match.group('sep')}{_masked_value(value)}{trailing}"


def redact(text: str) -> str:
    """`text` with URL credentials, credential query parameters and values of secret-like keys masked."""
    if not text:
        return text
    if "://" in text:
        text = _URL.sub(_userinfo, text)
    if "@" in text and ":" in text:
        text = _BARE_USERINFO.sub(lambda match: f"{MASK}@{match.group('host')}", text)
    if "=" in text:
        text = _QUERY_PARAMETER.sub(_parameter, text)
        text = _ASSIGNMENT.sub(_keyed, text)
    if ":" in text and ("'" in text or '"' in text):
        text = _QUOTED_AFTER_COLON.sub(_keyed, text)
    lowered = text.lower()
    if "bearer" in lowered or "basic" in lowered or "token " in lowered:
        text = _AUTHORIZATION.sub(lambda m: f"{m.group('scheme')} {MASK}", text)
    return text


_QUOTED = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|`[^`\n]*`")


def without_quoted_text(text: str) -> str:
    """An error message with every quoted excerpt replaced by `"..."`: for errors about text that is itself
    a value (the template given to Helm's `tpl`), where even a quoted token may be part of a secret."""
    return _QUOTED.sub('"..."', text)


def strip_url_credentials(url: str) -> str:
    """A URL for provenance fields: user information removed entirely, credential parameters masked."""
    scheme, separator, rest = url.partition("://")
    if separator:
        authority_end = len(rest)
        for stop in "/?#":
            position = rest.find(stop)
            if position != -1:
                authority_end = min(authority_end, position)
        authority = rest[:authority_end]
        if "@" in authority:
            rest = authority.rpartition("@")[2] + rest[authority_end:]
        url = f"{scheme}://{rest}"
    return _QUERY_PARAMETER.sub(_parameter, url)


def internal_error_text(error: BaseException) -> str:
    """An unexpected exception as a report may show it: type, text and the medlint line that raised it.

    The text is redacted and every quoted excerpt in it masked, because an exception raised on hostile
    input tends to quote that input (`invalid literal for int(): 'hunter2'`); the type, the wording and
    the place are what a bug report needs.
    """
    detail = without_quoted_text(redact(str(error)))
    detail = detail if len(detail) <= _MAX_ERROR_TEXT else detail[:_MAX_ERROR_TEXT] + "..."
    place = ""
    import traceback  # only when a check or parser raised

    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        parts = PurePath(frame.filename).parts
        if "medlint" in parts:
            inside = parts[len(parts) - 1 - parts[::-1].index("medlint") :]
            place = f" (at {'/'.join(inside)}:{frame.lineno} in {frame.name})"
            break
    return f"{type(error).__name__}{': ' + detail if detail else ''}{place}"
