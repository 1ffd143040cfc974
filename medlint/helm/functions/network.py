"""Sprig's URL functions and a network-free ``getHostByName``.

``urlParse`` returns the same dict keys as Sprig (scheme, host, hostname, path,
query, opaque, fragment, userinfo) following Go's net/url split rules: a scheme
followed by something other than ``/`` is *opaque* (``mailto:x@y``), the path
and fragment are unescaped, the query is kept raw.  ``urlJoin`` rebuilds a URL
the way Go's ``URL.String`` does.

``getHostByName`` never touches the network (medlint is deterministic and runs
offline): IP literals resolve to themselves, ``localhost`` to ``127.0.0.1``,
and any other name to a stable address in 192.0.2.0/24 (TEST-NET-1, RFC 5737,
reserved for documentation) derived from the name.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

from medlint.helm.functions.reflect import FunctionError, arg_map, arg_string, kind_of

__all__ = ["functions"]

_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_FRAGMENT_SAFE = "/:@!$&'()*+,;=-._~?"
_USER_SAFE = "!$&'()*+,;=-._~"


def _split(text: str) -> dict[str, str]:
    """Go's url.Parse, reduced to the fields Sprig exposes."""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise FunctionError(f'unable to parse url: parse "{text}": net/url: invalid control character in URL')
    rest, _, fragment = text.partition("#")
    scheme = ""
    for i, ch in enumerate(rest):
        if ch.isascii() and ch.isalpha():
            continue
        if i > 0 and ((ch.isascii() and ch.isdigit()) or ch in "+-."):
            continue
        if ch == ":" and i > 0:
            scheme, rest = rest[:i].lower(), rest[i + 1 :]
        elif ch == ":":
            raise FunctionError(f'unable to parse url: parse "{text}": missing protocol scheme')
        break
    rest, has_query, query = rest.partition("?")
    fields = {
        "scheme": scheme,
        "host": "",
        "hostname": "",
        "path": "",
        "query": query if has_query else "",
        "opaque": "",
        "fragment": unquote(fragment),
        "userinfo": "",
    }
    if scheme and not rest.startswith("/"):
        fields["opaque"] = rest
        return fields
    if (scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        path = slash + path
        userinfo, at, host = authority.rpartition("@")
        if at:
            fields["userinfo"] = _escape_userinfo(unquote(userinfo))
        fields["host"] = host
        fields["hostname"] = _hostname(host)
        rest = path
    fields["path"] = unquote(rest)
    return fields


def _escape_userinfo(userinfo: str) -> str:
    user, colon, password = userinfo.partition(":")
    text = quote(user, safe=_USER_SAFE)
    if colon:
        text += ":" + quote(password, safe=_USER_SAFE + ":")
    return text


def _hostname(host: str) -> str:
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end >= 0 else host[1:]
    return host.rsplit(":", 1)[0] if ":" in host else host


def url_parse(text: Any) -> dict[str, Any]:
    """``urlParse URL``: a dict of the URL's parts."""
    return _split(arg_string(text))


def _dict_string(mapping: dict, key: str) -> str:
    value = mapping.get(key)
    if key not in mapping:
        return ""
    if not isinstance(value, str):
        raise FunctionError(f"unable to parse {key} key, must be of type string, but {kind_of(value)} found")
    return value


def url_join(parts: Any) -> str:
    """``urlJoin DICT``: the URL built from urlParse-style parts (Go's URL.String)."""
    mapping = arg_map(parts) or {}
    scheme, host = _dict_string(mapping, "scheme"), _dict_string(mapping, "host")
    path, query = _dict_string(mapping, "path"), _dict_string(mapping, "query")
    opaque, fragment = _dict_string(mapping, "opaque"), _dict_string(mapping, "fragment")
    userinfo = _dict_string(mapping, "userinfo")
    out = ""
    if scheme:
        out += scheme + ":"
    if opaque:
        out += opaque
    else:
        if scheme or host or userinfo:
            if host or path or userinfo:
                out += "//"
            if userinfo:
                out += _escape_userinfo(unquote(userinfo)) + "@"
            out += host
        escaped = quote(path, safe=_PATH_SAFE)
        if escaped and not escaped.startswith("/") and host:
            out += "/"
        if not out and ":" in escaped.split("/", 1)[0]:
            out += "./"
        out += escaped
    if query:
        out += "?" + query
    if fragment:
        out += "#" + quote(fragment, safe=_FRAGMENT_SAFE)
    return out


def get_host_by_name(name: Any) -> str:
    """``getHostByName NAME``: a deterministic, offline stand-in (see module docstring)."""
    host = arg_string(name)
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if host.lower() in ("localhost", "localhost."):
        return "127.0.0.1"
    digest = hashlib.sha256(host.lower().encode()).digest()
    return f"192.0.2.{1 + digest[0] % 254}"


def functions() -> dict[str, Callable[..., Any]]:
    """The Sprig URL and network functions."""
    return {"urlParse": url_parse, "urlJoin": url_join, "getHostByName": get_host_by_name}
