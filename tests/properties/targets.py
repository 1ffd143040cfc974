"""What property-based tests feed to each parser, and what each may answer.

Every target takes generated text and either returns a model or raises one of its *clear* errors (the
errors medlint turns into findings: SourceError, TemplateError, ...). Any other exception is a crash
(principle 4). `tests/properties/test_properties.py` runs each target a bounded number of times in CI;
`benchmarks/bench_properties.py` runs them much longer and prints examples and failures per target.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from medlint.helm.chart import ChartError, load_chart_bytes
from medlint.helm.functions import template_functions
from medlint.helm.gotemplate import TemplateError, TemplateSet
from medlint.helm.gotemplate.builtins import BUILTINS
from medlint.helm.guards import Guard
from medlint.helm.values import ValuesError, load_values_text, parse_set
from medlint.model.budget import ExpansionLimitError
from medlint.model.globs import BadPattern, docker_glob, go_match, gobwas_glob, shell_glob
from medlint.model.interpolation import InterpolationError, interpolate
from medlint.model.shell import split_shell, split_words
from medlint.parsers.compose import parse_compose
from medlint.parsers.dockerfile import dockerfile_workload, parse_dockerfile
from medlint.parsers.dotenv import parse_dotenv
from medlint.parsers.kubernetes import parse_manifest, workload_from_object
from medlint.source import SourceError

# --------------------------------------------------------------------------------------------------
# Text that looks like each input, so examples reach past the first syntax check


def _pieces(*pieces: str) -> st.SearchStrategy[str]:
    """Text made of grammar pieces and arbitrary characters, joined."""
    return st.lists(
        st.one_of(st.sampled_from(pieces), st.text(max_size=4)),
        max_size=40,
    ).map("".join)


DOCKERFILE_PIECES = (
    "FROM alpine:3.19\n", "FROM ", " AS build\n", "ARG ", "ENV ", "RUN ", "LABEL ", "COPY ", "ADD ",
    "USER ", "WORKDIR ", "HEALTHCHECK ", "CMD ", "ENTRYPOINT ", "SHELL ", "ONBUILD ", "EXPOSE ", "VOLUME ",
    "# escape=`\n", "# syntax=docker/dockerfile:1\n", "\\\n", "`\n", "\n", " ", "=", "$", "${", "}", ":-",
    ":+", "#", "##", "%", "%%", "/", "//", '"', "'", "\\", "--mount=type=secret", "--from=build ",
    "<<EOF\n", "EOF\n", "<<-", '["sh", "-c", "x"]', "[", "]", "&&", "|", ";", "$(", ")", "`", "A", "B",
    "V=1 ", "x", "\t", "CMD-SHELL", "NONE", "--interval=30s ",
)  # fmt: skip
COMPOSE_PIECES = (
    "services:\n", "  web:\n", "    image: ", "nginx:1.25\n", "    command: ", "    environment:\n",
    "      - A=${B:-x}\n", "    build: .\n", "    extends: base\n", "include:\n", "  - other.yaml\n",
    "    user: ", "    ports:\n", "      - 80:80\n", "${", "}", "$$", ":-", ":?", "- ", ": ", "\n", "  ",
    "!reset", "!override", "&a ", "*a", "<<: ", "[", "]", "{", "}", '"', "'", "#", "x", "1", "null", "~",
    "volumes:\n", "secrets:\n", "    healthcheck:\n      test: ", "      interval: 1m30s\n",
)  # fmt: skip
MANIFEST_PIECES = (
    "apiVersion: apps/v1\n", "kind: Deployment\n", "kind: Pod\n", "kind: List\n", "metadata:\n",
    "  name: web\n", "spec:\n", "  template:\n", "    spec:\n", "      containers:\n", "        - name: c\n",
    "          image: x\n", "          securityContext:\n", "            runAsUser: 0\n", "items:\n",
    "---\n", "- ", ": ", "\n", "  ", "&a ", "*a", "<<: ", "[", "]", "{", "}", '"', "'", "1", "null",
    "!!binary ", "!!python/object ", "? ", "|\n", ">\n",
)  # fmt: skip
JSON_MANIFEST_PIECES = (
    "{", "}", "[", "]", ",", ":", '"apiVersion"', '"kind"', '"Pod"', '"List"', '"items"', '"metadata"',
    '{"name": "web"}', '"spec"', '"containers"', '[{"name": "c", "image": "x"}]', '"v1"', "1", "1e3", "-0.5",
    "true", "null", '"\\u00e9"', '"\\ud83d"', '"\\"', "\n", " ", "\t", "NaN", '"',
)  # fmt: skip
TEMPLATE_PIECES = (
    "{{", "}}", "{{-", "-}}", " ", ".Values", ".Values.a", ".Release.Name", "$x", ":=", "=", "|", "(",
    ")", "if", "else", "end", "range", "with", "define", '"t"', "include", "template", "tpl", "toYaml",
    "toJson", "quote", "default", "printf", '"%s"', "list", "dict", "index", "len", "repeat", "until",
    "3", "-1", "1.5", "true", "nil", "and", "or", "not", "eq", "regexMatch", '"a+"', "semverCompare",
    '">=1.2"', "wrapWith", "b64enc", "fromYaml", "required", "fail", "$", "/*", "*/", "break", "continue",
    "\n", "x", "`raw`", "'c'", ",", "block",
)  # fmt: skip
SHELL_PIECES = (
    "apt-get install -y curl", "&&", "||", ";", "|", "&", "\n", "(", ")", "{", "}", "$(", "`", "'", '"',
    "\\", "<<EOF\n", "EOF\n", "<<-", "if", "then", "fi", "case", "esac", "in", ";;", "sh -c ", "bash -ec ",
    " ", "#", "$VAR", "${A:-b}", ">", "2>&1", "<", "x",
)  # fmt: skip
INTERPOLATION_PIECES = (
    "$",
    "${",
    "}",
    ":-",
    "-",
    ":?",
    "?",
    ":+",
    "+",
    "$$",
    "A",
    "B_1",
    "x",
    "{",
    " ",
    "\n",
)
DOTENV_PIECES = ("A=", "B=", "export ", '"', "'", "\\", "\n", "${A}", "$A", "#", " ", "x", "${B:-${A}}", "=")
GLOB_PIECES = ("*", "**", "?", "[", "]", "^", "!", "-", "\\", "/", "a", "b", "{", "}", ",", ".")
VALUES_PIECES = (
    "a: ",
    "b:\n",
    "  - ",
    "1",
    "x",
    "\n",
    "---\n",
    "&a ",
    "*a",
    "<<: ",
    "{",
    "}",
    "[",
    "]",
    "null",
)
SET_PIECES = ("a", "b", ".", "=", ",", "[", "]", "0", "1", "{", "}", "\\", "true", "null", "x")


@dataclass(frozen=True)
class Target:
    """A function under test, what it is fed, and the exceptions that count as clear answers."""

    name: str
    strategy: st.SearchStrategy[Any]
    run: Callable[[Any], Any]
    clear: tuple[type[BaseException], ...]


def _dockerfile(text: str) -> Any:
    dockerfile = parse_dockerfile("Dockerfile", text)
    return dockerfile_workload(dockerfile)


def _compose(text: str) -> Any:
    files = {"other.yaml": "services:\n  api:\n    image: x\n", "base.yaml": "services:\n  base: {}\n"}

    def read(path: str) -> str:
        if path not in files:
            raise SourceError("no such file")
        return files[path]

    project = parse_compose("compose.yaml", text, read_file=read, env_file_text="A=1\nB=${A}x\n")
    return [service.workload for service in project.services]


def _compose_with_env(case: tuple[str, str]) -> Any:
    text, env = case
    project = parse_compose("compose.yaml", text, env_file_text=env)
    return [service.workload for service in project.services]


def _manifest(text: str) -> Any:
    return [workload_from_object(obj) for obj in parse_manifest("k.yaml", text)]


def _json_manifest(text: str) -> Any:
    return [workload_from_object(obj) for obj in parse_manifest("k.json", text)]


def _template(case: tuple[str, str]) -> Any:
    source, values = case
    functions = dict(BUILTINS)
    functions.update(template_functions())
    tset = TemplateSet(missing_key="zero")
    guard = Guard(1 << 20, 100_000, None, tset.charge)
    tset.add_funcs(guard.wrap_all(functions))
    tset.print_guard = guard.check_printed
    tset.parse("t", source)
    try:
        data = load_values_text(values)
    except ValuesError:
        data = {}
    return tset.execute("t", {"Values": data, "Release": {"Name": "r"}})


def _chart_archive(members: list[tuple[str, bytes]]) -> Any:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return load_chart_bytes(gzip.compress(buffer.getvalue()), "app.tgz")


def _glob(case: tuple[str, str]) -> Any:
    pattern, name = case
    results = []
    for compile_pattern in (docker_glob, gobwas_glob, shell_glob):
        try:
            glob = compile_pattern(pattern)
        except BadPattern:
            continue
        results.append(glob.matches(name))
        results.append(glob.prefix_ends(name))
    with contextlib.suppress(BadPattern):
        results.append(go_match(pattern, name))
    return results


def _set_values(expression: str) -> Any:
    values: dict[str, Any] = {}
    parse_set(expression, values)
    return values


_NAMES = st.sampled_from(
    ["app/Chart.yaml", "app/values.yaml", "app/templates/a.yaml", "app/charts/x.tgz", "../x"]
)
TARGETS: tuple[Target, ...] = (
    Target("dockerfile", _pieces(*DOCKERFILE_PIECES), _dockerfile, (SourceError,)),
    Target("compose", _pieces(*COMPOSE_PIECES), _compose, (SourceError,)),
    Target(
        "compose + .env",
        st.tuples(_pieces(*COMPOSE_PIECES), _pieces(*DOTENV_PIECES)),
        _compose_with_env,
        (SourceError,),
    ),
    Target("kubernetes", _pieces(*MANIFEST_PIECES), _manifest, (SourceError,)),
    Target("kubernetes json", _pieces(*JSON_MANIFEST_PIECES), _json_manifest, (SourceError,)),
    Target("helm values", _pieces(*VALUES_PIECES), load_values_text, (ValuesError,)),
    Target("helm --set", _pieces(*SET_PIECES), _set_values, (ValuesError,)),
    Target(
        "helm archive",
        st.lists(st.tuples(_NAMES, st.binary(max_size=64)), max_size=5),
        _chart_archive,
        (ChartError,),
    ),
    Target("shell split", _pieces(*SHELL_PIECES), split_shell, ()),
    Target("shell words", _pieces(*SHELL_PIECES), split_words, (ValueError,)),
    Target(
        "interpolation",
        _pieces(*INTERPOLATION_PIECES),
        lambda text: interpolate(text, {"A": "1", "B_1": "${A}"}),
        (InterpolationError, ExpansionLimitError),
    ),
    Target(".env", _pieces(*DOTENV_PIECES), parse_dotenv, (SourceError,)),
    Target("globs", st.tuples(_pieces(*GLOB_PIECES), _pieces(*GLOB_PIECES)), _glob, ()),
    Target(
        "go template",
        st.tuples(_pieces(*TEMPLATE_PIECES), _pieces(*VALUES_PIECES)),
        _template,
        (TemplateError,),
    ),
)


def target(name: str) -> Target:
    return next(item for item in TARGETS if item.name == name)
