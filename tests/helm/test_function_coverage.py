"""Every Sprig/Helm function the corpus charts call must exist in medlint's function map.

The reference list below is Sprig v3.3's ``genericMap`` plus Helm's own
additions, written out independently of the implementation so that a function
missing from medlint (not merely from the corpus) fails this test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medlint.helm.functions import SPRIG_FUNCTION_NAMES, template_functions
from tests.conftest import CORPUS

CORPUS_KIND = CORPUS / "helm"

SPRIG_V3_NAMES = frozenset(
    [
        "hello",
        "ago",
        "date",
        "date_in_zone",
        "date_modify",
        "dateInZone",
        "dateModify",
        "duration",
        "durationRound",
        "htmlDate",
        "htmlDateInZone",
        "must_date_modify",
        "mustDateModify",
        "mustToDate",
        "now",
        "toDate",
        "unixEpoch",
        "abbrev",
        "abbrevboth",
        "trunc",
        "trim",
        "upper",
        "lower",
        "title",
        "untitle",
        "substr",
        "repeat",
        "trimall",
        "trimAll",
        "trimSuffix",
        "trimPrefix",
        "nospace",
        "initials",
        "randAlphaNum",
        "randAlpha",
        "randAscii",
        "randNumeric",
        "swapcase",
        "shuffle",
        "snakecase",
        "camelcase",
        "kebabcase",
        "wrap",
        "wrapWith",
        "contains",
        "hasPrefix",
        "hasSuffix",
        "quote",
        "squote",
        "cat",
        "indent",
        "nindent",
        "replace",
        "plural",
        "sha1sum",
        "sha256sum",
        "sha512sum",
        "adler32sum",
        "toString",
        "atoi",
        "int64",
        "int",
        "float64",
        "seq",
        "toDecimal",
        "split",
        "splitList",
        "splitn",
        "toStrings",
        "until",
        "untilStep",
        "add1",
        "add",
        "sub",
        "div",
        "mod",
        "mul",
        "randInt",
        "add1f",
        "addf",
        "subf",
        "divf",
        "mulf",
        "biggest",
        "max",
        "min",
        "maxf",
        "minf",
        "ceil",
        "floor",
        "round",
        "join",
        "sortAlpha",
        "default",
        "empty",
        "coalesce",
        "all",
        "any",
        "compact",
        "mustCompact",
        "fromJson",
        "toJson",
        "toPrettyJson",
        "toRawJson",
        "mustFromJson",
        "mustToJson",
        "mustToPrettyJson",
        "mustToRawJson",
        "ternary",
        "deepCopy",
        "mustDeepCopy",
        "typeOf",
        "typeIs",
        "typeIsLike",
        "kindOf",
        "kindIs",
        "deepEqual",
        "env",
        "expandenv",
        "getHostByName",
        "base",
        "dir",
        "clean",
        "ext",
        "isAbs",
        "osBase",
        "osClean",
        "osDir",
        "osExt",
        "osIsAbs",
        "b64enc",
        "b64dec",
        "b32enc",
        "b32dec",
        "tuple",
        "list",
        "dict",
        "get",
        "set",
        "unset",
        "hasKey",
        "pluck",
        "keys",
        "pick",
        "omit",
        "merge",
        "mergeOverwrite",
        "mustMerge",
        "mustMergeOverwrite",
        "values",
        "append",
        "push",
        "mustAppend",
        "mustPush",
        "prepend",
        "mustPrepend",
        "first",
        "mustFirst",
        "rest",
        "mustRest",
        "last",
        "mustLast",
        "initial",
        "mustInitial",
        "reverse",
        "mustReverse",
        "uniq",
        "mustUniq",
        "without",
        "mustWithout",
        "has",
        "mustHas",
        "slice",
        "mustSlice",
        "concat",
        "dig",
        "chunk",
        "mustChunk",
        "bcrypt",
        "htpasswd",
        "genPrivateKey",
        "derivePassword",
        "buildCustomCert",
        "genCA",
        "genCAWithKey",
        "genSelfSignedCert",
        "genSelfSignedCertWithKey",
        "genSignedCert",
        "genSignedCertWithKey",
        "encryptAES",
        "decryptAES",
        "randBytes",
        "uuidv4",
        "semver",
        "semverCompare",
        "fail",
        "regexMatch",
        "mustRegexMatch",
        "regexFindAll",
        "mustRegexFindAll",
        "regexFind",
        "mustRegexFind",
        "regexReplaceAll",
        "mustRegexReplaceAll",
        "regexReplaceAllLiteral",
        "mustRegexReplaceAllLiteral",
        "regexSplit",
        "mustRegexSplit",
        "regexQuoteMeta",
        "urlParse",
        "urlJoin",
    ]
)
HELM_NAMES = frozenset(
    [
        "toToml",
        "mustToToml",
        "toYaml",
        "mustToYaml",
        "toYamlPretty",
        "fromYaml",
        "fromYamlArray",
        "toJson",
        "mustToJson",
        "fromJson",
        "fromJsonArray",
        "lookup",
        "required",
        "fail",
        "include",
        "tpl",
    ]
)
WIRED_BY_RENDERER = frozenset({"include", "tpl", "required"})
GO_BUILTINS_AND_KEYWORDS = frozenset(
    [
        "and",
        "or",
        "not",
        "len",
        "index",
        "slice",
        "print",
        "printf",
        "println",
        "html",
        "js",
        "urlquery",
        "call",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "if",
        "else",
        "end",
        "range",
        "with",
        "define",
        "template",
        "block",
        "break",
        "continue",
        "nil",
        "true",
        "false",
    ]
)

_ACTION = re.compile(r"\{\{(.*?)\}\}", re.S)
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\'(?:[^\'\\]|\\.)*\'')
_COMMENT = re.compile(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", re.S)
_IDENT = re.compile(r"(?<![\w.$])([A-Za-z_][A-Za-z0-9_]*)")


def _template_files() -> list[Path]:
    files = []
    for path in CORPUS_KIND.rglob("*"):
        if path.suffix in (".tpl", ".yaml", ".txt") and "templates" in path.relative_to(CORPUS_KIND).parts:
            files.append(path)
    return files


def corpus_function_names() -> set[str]:
    """Identifiers used in template actions that are Sprig or Helm function names."""
    used: set[str] = set()
    known = SPRIG_V3_NAMES | HELM_NAMES
    for path in _template_files():
        text = _COMMENT.sub(" ", path.read_text(encoding="utf-8", errors="replace"))
        for action in _ACTION.findall(text):
            for name in _IDENT.findall(_STRINGS.sub(" ", action)):
                if name in known and name not in GO_BUILTINS_AND_KEYWORDS:
                    used.add(name)
    return used


def test_reference_list_is_fully_implemented() -> None:
    assert SPRIG_V3_NAMES <= SPRIG_FUNCTION_NAMES
    provided = set(template_functions())
    assert (HELM_NAMES - WIRED_BY_RENDERER - {"fail"}) <= provided


@pytest.mark.skipif(not CORPUS_KIND.is_dir(), reason="shared Helm corpus not present")
def test_every_function_used_by_the_corpus_is_provided() -> None:
    used = corpus_function_names()
    assert len(used) >= 60, f"scan found suspiciously few functions: {sorted(used)}"
    assert {"toYaml", "nindent", "semverCompare", "mergeOverwrite", "genCA"} <= used
    provided = set(template_functions())
    missing = sorted(used - WIRED_BY_RENDERER - provided)
    assert missing == [], f"functions used by corpus charts but not provided: {missing}"
