"""The Sprig function library and Helm's template functions, in pure Python.

Public API
----------
``sprig_functions(seed=0, now=None)``
    A fresh ``{name: callable}`` dict of every Sprig v3 function (as
    ``sprig.TxtFuncMap()``), including ``env``/``expandenv``.
``helm_functions(lint_mode=False)``
    Helm's own pure functions: ``toYaml``, ``mustToYaml``, ``toYamlPretty``,
    ``fromYaml``, ``fromYamlArray``, ``toJson``, ``mustToJson``, ``fromJson``,
    ``fromJsonArray``, ``toToml``, ``mustToToml``, ``required``, ``fail`` and
    ``lookup``.
``template_functions(seed=0, now=None, lint_mode=False)``
    The map Helm's engine uses: Sprig minus ``env``/``expandenv`` plus the Helm
    functions.  ``include`` and ``tpl`` are added by the chart renderer.

Values follow the shared value model (``None`` nil, ``bool``, ``int``,
``float`` float64, ``str``, ``list``, ``dict``).  A function that would make
Go's text/template fail raises :class:`FunctionError` (``HelmFailError`` for
``fail``/``required``, whose ``message`` is the user's text); arity is left to
the engine, because each Python signature mirrors the Go one.

Determinism
-----------
medlint renders the same chart to the same bytes on every run.  Sprig's
non-hermetic functions therefore get stand-ins; each function map owns its own
state (no module-level mutable state), so a fresh map replays the same
sequence.  For the user documentation:

=====================  =====================================================
Function               medlint behaviour
=====================  =====================================================
now                    fixed instant, 2000-01-01T00:00:00Z (or ``now=``)
date, dateInZone,      format the given time; for a non-time argument the
htmlDate*              fixed ``now``; the ``Local`` zone is UTC
ago, durationRound     measured from the fixed ``now``
toDate                 parses in UTC (Go: the host's local zone)
randAlphaNum/Alpha/    right length and alphabet, derived from ``seed`` and a
Numeric/Ascii          per-map call counter (SHA-256)
randBytes, randInt,    same deterministic source
shuffle
uuidv4                 version-4 formatted UUID from the same source
bcrypt, htpasswd       ``$2a$10$`` + 53 bcrypt-alphabet characters (a
                       placeholder, not a verifiable hash)
encryptAES             real AES-256-CBC, deterministic IV (decryptAES is exact)
genPrivateKey          PEM block of the requested type, body marked
                       ``MEDLINT-PLACEHOLDER-NOT-A-REAL-...``
genCA, genSelfSigned*, ``.Cert``/``.Key`` placeholder PEM blocks recording CN,
genSignedCert*         IPs, DNS names, days and issuer; never usable keys
buildCustomCert        checks base64 and PEM framing only
getHostByName          no DNS: IP literal -> itself, localhost -> 127.0.0.1,
                       other names -> stable address in 192.0.2.0/24
env, expandenv         the environment is empty: ``""`` / variables removed
                       (Helm itself does not offer these two functions)
lookup                 empty map, as ``helm template`` returns
=====================  =====================================================

Exact (not stand-ins): hashes, ``derivePassword``, ``decryptAES``, semver,
regex, all string/list/dict/math functions, YAML/JSON/TOML.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from medlint.helm.functions import (
    crypto,
    dates,
    dicts,
    encoding,
    lists,
    network,
    numeric,
    reflect,
    semver,
    strings,
    yamljson,
)
from medlint.helm.functions.crypto import Certificate, DeterministicRandom
from medlint.helm.functions.files import ChartFiles
from medlint.helm.functions.objects import (
    Capabilities,
    KubeVersion,
    VersionSet,
    make_capabilities,
    release_object,
    template_object,
)
from medlint.helm.functions.reflect import FunctionError, arg_string

__all__ = [
    "HELM_FUNCTION_NAMES",
    "SPRIG_FUNCTION_NAMES",
    "Capabilities",
    "Certificate",
    "ChartFiles",
    "FunctionError",
    "HelmFailError",
    "KubeVersion",
    "VersionSet",
    "helm_functions",
    "make_capabilities",
    "release_object",
    "sprig_functions",
    "template_functions",
    "template_object",
]

FunctionMap = dict[str, Callable[..., Any]]


class HelmFailError(FunctionError):
    """``fail`` or ``required`` stopped the render; ``message`` is the chart's own text.

    Helm reports it as ``execution error at (<template>:<line>:<col>): <message>``.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _is_shell_special(ch: str) -> bool:
    return ch in "*#$@!?-" or ch.isdigit()


def expandenv(text: Any) -> str:
    """``expandenv S``: Go's os.ExpandEnv against an empty environment."""
    value = arg_string(text)
    out: list[str] = []
    i = 0
    j = 0
    while j < len(value):
        if value[j] == "$" and j + 1 < len(value):
            out.append(value[i:j])
            rest = value[j + 1 :]
            if rest[0] == "{":
                if len(rest) > 2 and _is_shell_special(rest[1]) and rest[2] == "}":
                    width = 3
                else:
                    close = rest.find("}", 1)
                    width = 1 if close < 0 else (2 if close == 1 else close + 1)
            elif _is_shell_special(rest[0]):
                width = 1
            else:
                width = 0
                while width < len(rest) and (
                    (rest[width].isascii() and rest[width].isalnum()) or rest[width] == "_"
                ):
                    width += 1
                if width == 0:
                    out.append("$")
            j += width
            i = j + 1
        j += 1
    out.append(value[i:])
    return "".join(out)


def env(name: Any) -> str:
    """``env NAME``: always ``""`` (medlint never reads the real environment)."""
    arg_string(name)
    return ""


def _sprig_fail(message: Any) -> str:
    """Sprig's ``fail``: always an error."""
    raise FunctionError(arg_string(message))


def sprig_functions(seed: int = 0, now: datetime | None = None) -> FunctionMap:
    """A fresh map of every Sprig function; random and time functions are deterministic.

    ``seed`` selects the pseudo-random sequence, ``now`` the fixed clock
    (default 2000-01-01T00:00:00Z).
    """
    rng = DeterministicRandom(seed)
    functions: FunctionMap = {"hello": lambda: "Hello!"}
    functions.update(reflect.functions())
    functions.update(strings.functions())
    functions.update(numeric.functions())
    functions.update(lists.functions())
    functions.update(dicts.functions())
    functions.update(encoding.functions())
    functions.update(semver.functions())
    functions.update(network.functions())
    functions.update(dates.functions(now))
    functions.update(crypto.functions(rng))
    functions.update(yamljson.sprig_json_functions())
    functions["fail"] = _sprig_fail
    functions["env"] = env
    functions["expandenv"] = expandenv
    return functions


def helm_functions(lint_mode: bool = False) -> FunctionMap:
    """Helm's own pure template functions (see module docstring).

    In ``lint_mode`` (``helm lint``) ``required`` and ``fail`` do not stop the
    render: they return ``""`` as Helm's linter does.
    """

    def required(message: Any, value: Any) -> Any:
        """``required MSG V``: V, or an error with MSG when V is nil or ``""``."""
        text = arg_string(message)
        if value is None or (value == "" and isinstance(value, str)):
            if lint_mode:
                return ""
            raise HelmFailError(text)
        return value

    def fail(message: Any) -> str:
        """``fail MSG``: stop rendering with MSG."""
        text = arg_string(message)
        if lint_mode:
            return ""
        raise HelmFailError(text)

    def lookup(api_version: Any, kind: Any, namespace: Any, name: Any) -> dict:
        """``lookup``: ``helm template`` has no cluster, so always an empty map."""
        for value in (api_version, kind, namespace, name):
            arg_string(value)
        return {}

    functions = yamljson.helm_yaml_functions()
    functions.update({"required": required, "fail": fail, "lookup": lookup})
    return functions


def template_functions(seed: int = 0, now: datetime | None = None, lint_mode: bool = False) -> FunctionMap:
    """The function map of Helm's engine: Sprig without env/expandenv, plus Helm's functions."""
    functions = sprig_functions(seed=seed, now=now)
    del functions["env"]
    del functions["expandenv"]
    functions.update(helm_functions(lint_mode=lint_mode))
    return functions


SPRIG_FUNCTION_NAMES: frozenset[str] = frozenset(sprig_functions())
HELM_FUNCTION_NAMES: frozenset[str] = frozenset(helm_functions())
