"""Hostile inputs of issue 8's families 4 to 7 (expansion bombs, quadratic text, backtracking patterns, Helm
budgets), written into a directory on demand so nothing big is ever committed.

Each :class:`Case` writes its files and names the medlint arguments that scan them. The hostile tests
(`tests/hostile/test_*.py`) run every case through the capped harness; `benchmarks/bench_hostile.py` runs
the same cases and prints time and peak memory per case.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import subprocess
import tarfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024

#: The pattern that made the old glob matchers backtrack, and a name that makes it fail slowly.
STAR_PATTERN = "*a*a*a*a*a*a*a*a*a*a*a*a*c"
LONG_NAME = "a" * 200


@dataclass(frozen=True)
class Case:
    """One reproduction: ``write(directory)`` lays out the files, ``args`` scans them from ``directory``."""

    name: str
    family: str
    write: Callable[[Path], None]
    args: tuple[str, ...] = ("check", ".")
    #: exit codes the case may end with (2 only where the input is a bad command-line argument).
    exit_codes: tuple[int, ...] = (0, 1)


def git_track(directory: Path) -> None:
    """Make ``directory`` a git repository that tracks every file (medlint reads the index for listings)."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_SYSTEM": os.devnull,
    }
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=directory, env=env, check=True, capture_output=True)


def _files(directory: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def _dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --------------------------------------------------------------------------------------------------
# Family 4: expansion bombs


def doubling_lines(keyword: str, count: int = 40, separator: str = "=") -> str:
    """``KEYWORD V1=${V0}${V0}`` ... each line doubling the previous value."""
    lines = [f"{keyword}V0{separator}ab"]
    lines += [f"{keyword}V{n}{separator}${{V{n - 1}}}${{V{n - 1}}}" for n in range(1, count + 1)]
    return "\n".join(lines) + "\n"


def _dockerfile_arg(directory: Path) -> None:
    _files(directory, {"Dockerfile": "FROM alpine:3.19\n" + doubling_lines("ARG ") + "RUN echo $V40\n"})


def _dockerfile_global_arg(directory: Path) -> None:
    _files(directory, {"Dockerfile": doubling_lines("ARG ") + "FROM alpine:${V40}\nUSER 1000\n"})


def _dockerfile_env(directory: Path) -> None:
    _files(directory, {"Dockerfile": "FROM alpine:3.19\n" + doubling_lines("ENV ") + "USER 1000\n"})


def _dockerfile_env_legacy(directory: Path) -> None:
    # `ENV name value` (legacy form) and many references per line: 64 ** 6 characters.
    lines = ["FROM alpine:3.19", "ENV W0 abcd"]
    lines += [f"ENV W{n} " + f"${{W{n - 1}}}" * 64 for n in range(1, 7)]
    _files(directory, {"Dockerfile": "\n".join(lines) + "\nUSER 1000\n"})


def _dockerfile_flags(directory: Path) -> None:
    # Flag values are substituted too: `--chown=$V40`.
    _files(
        directory,
        {"Dockerfile": "FROM alpine:3.19\n" + doubling_lines("ARG ") + "COPY --chown=$V40 a /a\nUSER 1\n"},
    )


def _compose_dotenv(directory: Path) -> None:
    _files(
        directory,
        {
            ".env": doubling_lines(""),
            "compose.yaml": "services:\n  web:\n    image: nginx:${V40}\n",
        },
    )


def _compose_inline_nesting(directory: Path) -> None:
    # `${A:-${A:-...}}` nested 50,000 deep: recursion, not size.
    depth = 50_000
    value = "${A:-" * depth + "x" + "}" * depth
    _files(directory, {"compose.yaml": f"services:\n  web:\n    image: 'nginx:{value}'\n"})


def _compose_include_env(directory: Path) -> None:
    # The doubling .env of an included project.
    _files(
        directory,
        {
            "compose.yaml": "include:\n  - sub/compose.yaml\nservices:\n  web:\n    image: nginx:1.25\n",
            "sub/.env": doubling_lines(""),
            "sub/compose.yaml": "services:\n  api:\n    image: nginx:${V40}\n",
        },
    )


# --------------------------------------------------------------------------------------------------
# Family 5: quadratic or worse text handling


def _run_echo(directory: Path) -> None:
    _files(directory, {"Dockerfile": 'FROM alpine:3.19\nRUN echo "' + "a" * MB + '"\nUSER 1000\n'})


def _run_words(directory: Path) -> None:
    _files(directory, {"Dockerfile": "FROM alpine:3.19\nRUN echo " + "a " * (MB // 2) + "\nUSER 1000\n"})


def _label(directory: Path) -> None:
    _files(directory, {"Dockerfile": 'FROM alpine:3.19\nLABEL description="' + "a" * MB + '"\nUSER 1000\n'})


def _label_pairs(directory: Path) -> None:
    pairs = " ".join(f"k{n}=v" for n in range(100_000))
    _files(directory, {"Dockerfile": f"FROM alpine:3.19\nLABEL {pairs}\nUSER 1000\n"})


def _compose_command(directory: Path) -> None:
    _files(
        directory,
        {"compose.yaml": "services:\n  web:\n    image: nginx:1.25\n    command: echo " + "a" * MB + "\n"},
    )


def _compose_command_words(directory: Path) -> None:
    _files(
        directory,
        {
            "compose.yaml": "services:\n  web:\n    image: nginx:1.25\n    command: 'echo "
            + "a " * (MB // 2)
            + "'\n"
        },
    )


def _waiver_dockerfile(directory: Path) -> None:
    comment = '# medlint: ignore MD201 reason="' + "a" * MB + '"\n'
    _files(directory, {"Dockerfile": "FROM alpine:3.19\n" + comment + "USER root\n"})


def _waiver_words(directory: Path) -> None:
    comment = "# medlint: ignore MD201 " + "a=b " * (MB // 4) + "\n"
    _files(directory, {"Dockerfile": "FROM alpine:3.19\n" + comment + "USER root\n"})


def _waiver_yaml(directory: Path) -> None:
    manifest = _dedent(
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.25
        """
    )
    comment = '# medlint: ignore MD201 reason="' + "a" * MB + '"\n'
    _files(directory, {"pod.yaml": comment + manifest})


def _continuations(directory: Path) -> None:
    lines = ["FROM alpine:3.19", "RUN echo start \\"] + ["  a \\"] * 450_000 + ["  end", "USER 1000"]
    _files(directory, {"Dockerfile": "\n".join(lines) + "\n"})


def _continuations_env(directory: Path) -> None:
    lines = ["FROM alpine:3.19", "ENV A=1 \\"] + [f"  B{n}=2 \\" for n in range(200_000)] + ["  C=3"]
    _files(directory, {"Dockerfile": "\n".join(lines) + "\nUSER 1000\n"})


def _dotenv_open_quote(directory: Path) -> None:
    _files(
        directory,
        {
            ".env": 'A="start\n' + "line\n" * 60_000,
            "compose.yaml": "services:\n  web:\n    image: nginx:${A}\n",
        },
    )


def _dotenv_many_quotes(directory: Path) -> None:
    # Every line opens a quote that the next line closes.
    _files(
        directory,
        {
            ".env": "".join(f'A{n}="x\n"\n' for n in range(60_000)),
            "compose.yaml": "services:\n  web:\n    image: nginx:1.25\n",
        },
    )


def _include_chain(levels: int, *, entries: bool) -> Callable[[Path], None]:
    """Each file includes the next twice: as two entries (``entries``) or as one entry naming it twice."""

    def write(directory: Path) -> None:
        files: dict[str, str] = {}
        for level in range(levels):
            target = f"level{level + 1}.yaml"
            if entries:
                include = f"include:\n  - {target}\n  - {target}\n"
            else:
                include = f"include:\n  - path: [{target}, {target}]\n"
            services = "services:\n  web:\n    image: nginx:1.25\n" if level == 0 else ""
            files["compose.yaml" if level == 0 else f"level{level}.yaml"] = include + services
        files[f"level{levels}.yaml"] = "x-last: true\n"
        _files(directory, files)

    return write


# --------------------------------------------------------------------------------------------------
# Family 6: patterns from the repository


def _dockerignore(directory: Path) -> None:
    # Tracked secret-like files with long names are matched against every ignore pattern.
    _files(
        directory,
        {
            "Dockerfile": "FROM alpine:3.19\nCOPY . /app\nUSER 1000\n",
            ".dockerignore": STAR_PATTERN + "\n",
            LONG_NAME + ".pem": "x\n",
            "dir/" + LONG_NAME + ".env": "x\n",
        },
    )
    git_track(directory)


def _dockerignore_double_star(directory: Path) -> None:
    _files(
        directory,
        {
            "Dockerfile": "FROM alpine:3.19\nCOPY . /app\nUSER 1000\n",
            ".dockerignore": "**/" + "**/".join("a" * 3 for _ in range(12)) + "/**/c\n" + STAR_PATTERN + "\n",
            "/".join(["aaa"] * 30) + "/" + LONG_NAME + ".pem": "x\n",
        },
    )
    git_track(directory)


CHART_YAML = "apiVersion: v2\nname: {name}\nversion: 0.1.0\n"
DEPLOYMENT = _dedent(
    """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.25
    """
)


def chart_files(extra: dict[str, str | bytes] | None = None, name: str = "bomb") -> dict[str, str | bytes]:
    """A small valid chart (one Deployment) plus ``extra`` files (chart-relative path to content)."""
    files: dict[str, str | bytes] = {
        "Chart.yaml": CHART_YAML.format(name=name),
        "values.yaml": "replicas: 1\n",
        "templates/deployment.yaml": DEPLOYMENT,
    }
    files.update(extra or {})
    return files


def _helmignore(directory: Path) -> None:
    _files(directory, chart_files({".helmignore": STAR_PATTERN + "\n", LONG_NAME: "x\n"}))


def _files_glob(directory: Path) -> None:
    template = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: glob\ndata:\n"
        f'{{{{- range $path, $_ := .Files.Glob "{STAR_PATTERN}" }}}}\n  x: {{{{ $path }}}}\n{{{{- end }}}}\n'
    )
    _files(directory, chart_files({"templates/glob.yaml": template, LONG_NAME: "x\n"}))


def _files_glob_double_star(directory: Path) -> None:
    pattern = "**" + "a**" * 12 + "c"
    template = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: glob\ndata:\n"
        f'  n: "{{{{ len (.Files.Glob "{pattern}") }}}}"\n'
    )
    _files(directory, chart_files({"templates/glob.yaml": template, "files/" + LONG_NAME: "x\n"}))


def _schema_pattern(directory: Path) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}}}
    _files(
        directory,
        chart_files({"values.schema.json": json.dumps(schema), "values.yaml": "name: " + "a" * 40 + "b\n"}),
    )


def _schema_pattern_properties(directory: Path) -> None:
    schema = {"type": "object", "patternProperties": {"^(a|aa)+$": {"type": "string"}}}
    _files(
        directory, chart_files({"values.schema.json": json.dumps(schema), "values.yaml": "a" * 60 + "b: 1\n"})
    )


def _schema_format_regex(directory: Path) -> None:
    # A `format: regex` value and a huge quantifier: refused or linear, never a hang.
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": "(x{1000}){1000}"}}}
    _files(directory, chart_files({"values.schema.json": json.dumps(schema), "values.yaml": "name: x\n"}))


SPACED_TERMS = "1  " * 25 + "a"  # two spaces: each gap can be split two ways


def _kube_version(directory: Path) -> None:
    _files(
        directory,
        chart_files({"Chart.yaml": CHART_YAML.format(name="bomb") + f'kubeVersion: "{SPACED_TERMS}"\n'}),
    )


def _semver_compare(directory: Path) -> None:
    template = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: semver\ndata:\n"
        f'  ok: "{{{{ semverCompare "{SPACED_TERMS}" "1.2.3" }}}}"\n'
    )
    _files(directory, chart_files({"templates/semver.yaml": template}))


def _template_regex(directory: Path) -> None:
    template = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: regex\ndata:\n"
        '  a: "{{ regexMatch "^(a+)+$" (printf "%sb" (repeat 5000 "a")) }}"\n'
        '  b: "{{ regexFind "(x+x+)+y" (repeat 5000 "x") }}"\n'
        '  c: "{{ regexReplaceAll "(a|aa)+$" (printf "%sb" (repeat 5000 "a")) "z" | len }}"\n'
        '  d: "{{ regexSplit "(a*)*b" (repeat 5000 "a") -1 | len }}"\n'
        '  e: "{{ mustRegexMatch "^(a+)+$" (printf "%sb" (repeat 5000 "a")) }}"\n'
    )
    _files(directory, chart_files({"templates/regex.yaml": template}))


# --------------------------------------------------------------------------------------------------
# Family 7: Helm budgets


def _nested_json(directory: Path) -> None:
    template = (
        '{{- $a := list "x" "y" }}\n{{- range until 40 }}{{- $a = list $a $a }}{{- end }}\n'
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: {{ toJson $a | quote }}\n"
    )
    _files(directory, chart_files({"templates/big.yaml": template}))


def _nested_yaml(directory: Path) -> None:
    template = (
        '{{- $d := dict "k" "v" }}\n{{- range until 40 }}{{- $d = dict "a" $d "b" $d }}{{- end }}\n'
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: |\n{{ toYaml $d | indent 4 }}\n"
    )
    _files(directory, chart_files({"templates/big.yaml": template}))


def _nested_print(directory: Path) -> None:
    # Printing (fmt) and deep copies of a shared structure expand it the same way.
    template = (
        '{{- $a := list "x" "y" }}\n{{- range until 40 }}{{- $a = list $a $a }}{{- end }}\n'
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n"
        '  a: "{{ $a }}"\n  b: "{{ deepCopy $a | len }}"\n  c: "{{ eq $a $a }}"\n'
    )
    _files(directory, chart_files({"templates/big.yaml": template}))


def _wrap_with(directory: Path) -> None:
    template = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wrap\ndata:\n"
        '  a: {{ wrapWith 1 (repeat 100000 "-") (repeat 1000000 "x") | len | quote }}\n'
        '  b: {{ wrap 1 (repeat 1000000 "x ") | len | quote }}\n'
    )
    _files(directory, chart_files({"templates/wrap.yaml": template}))


def _sized_functions(directory: Path) -> None:
    # Functions whose output size follows from their input, chained to grow geometrically.
    template = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sized\ndata:\n"
        '{{- $s := repeat 1000000 "x" }}\n'
        "  a: {{ $s | b64enc | b64enc | b64enc | b64enc | b64enc | b64enc | len | quote }}\n"
        "  b: {{ list $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s | join $s | len | quote }}\n"
        '  c: {{ $s | replace "x" $s | len | quote }}\n'
        "  d: {{ cat $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s | len | quote }}\n"
    )
    _files(directory, chart_files({"templates/sized.yaml": template}))


def _self_dependency(directory: Path) -> None:
    chart_yaml = CHART_YAML.format(name="selfdep") + _dedent(
        """
        dependencies:
          - name: selfdep
            version: 0.1.0
            repository: file://.
        """
    )
    _files(directory, chart_files({"Chart.yaml": chart_yaml}, name="selfdep"))


def _mutual_dependency(directory: Path) -> None:
    for name, other in (("one", "two"), ("two", "one")):
        chart_yaml = CHART_YAML.format(name=name) + _dedent(
            f"""
            dependencies:
              - name: {other}
                version: 0.1.0
                repository: file://../{other}
            """
        )
        _files(directory / name, chart_files({"Chart.yaml": chart_yaml}, name=name))


def _tar(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _member(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    return info, data


def subchart_tar(name: str = "sub", padding: int = 0) -> bytes:
    """A small subchart as an uncompressed tar; ``padding`` zero bytes of junk files inflate it."""
    members = [_member(f"{name}/Chart.yaml", CHART_YAML.format(name=name).encode())]
    chunk = 4 * MB
    index = 0
    while padding > 0:
        size = min(chunk, padding)
        members.append(_member(f"{name}/files/pad{index}.bin", bytes(size)))
        padding -= size
        index += 1
    return _tar(members)


def _raw_member(name: str, data: bytes) -> bytes:
    """One tar member as bytes (header, data, padding), to build streams by hand."""
    info, _ = _member(name, data)
    return info.tobuf(format=tarfile.GNU_FORMAT) + data + bytes(-len(data) % 512)


def _skipped_member(name: str, size: int) -> bytes:
    """A tar header of an unknown member type claiming ``size`` bytes: readers skip (read) its data."""
    info = tarfile.TarInfo(name)
    info.type = b"Z"
    info.size = size
    info.mtime = 0
    return info.tobuf(format=tarfile.GNU_FORMAT)


def _bomb(compress: Callable[[bytes], bytes], zeros_mib: int, copies: int) -> bytes:
    """A multi-stream archive: a chart header, then a member whose claimed data is ``copies`` streams of zeros.

    Both gzip and bzip2 readers continue over concatenated streams, so one compressed block of zeros
    repeated makes a small file that decompresses to ``zeros_mib * copies`` MiB.
    """
    head = _raw_member("sub/Chart.yaml", CHART_YAML.format(name="sub").encode())
    head += _skipped_member("sub/files/zeros.bin", zeros_mib * MB * copies)
    return compress(head) + compress(bytes(zeros_mib * MB)) * copies


def _bzip2_subchart(directory: Path) -> None:
    # 8 GiB of zeros in about 10 KB (the reported archive was 51 KB and took 104 s).
    data = _bomb(lambda raw: bz2.compress(raw, 9), 64, 128)
    _files(directory, chart_files({"charts/sub-0.1.0.tgz": data}))


def _gzip_subchart(directory: Path) -> None:
    # 1 GiB of zeros in about 1 MB.
    data = _bomb(lambda raw: gzip.compress(raw, 9, mtime=0), 64, 16)
    _files(directory, chart_files({"charts/sub-0.1.0.tgz": data}))


def _gzip_subchart_files(directory: Path) -> None:
    # Regular files, each under the per-file limit: only the chart's total can stop them.
    zeros = bytes(4 * MB)
    head = _raw_member("sub/Chart.yaml", CHART_YAML.format(name="sub").encode())
    one = gzip.compress(_raw_member("sub/files/z.bin", zeros), 9, mtime=0)
    _files(directory, chart_files({"charts/sub-0.1.0.tgz": gzip.compress(head, mtime=0) + one * 256}))


def _nested_archives(directory: Path) -> None:
    # An archive holding an archive holding ...: every level is decompressed against one budget.
    data = gzip.compress(subchart_tar("leaf", padding=60 * MB), mtime=0)
    for level in range(6):
        name = f"n{level}"
        members = [
            _member(f"{name}/Chart.yaml", CHART_YAML.format(name=name).encode()),
            _member(f"{name}/charts/inner{level}.tgz", data),
            _member(f"{name}/charts/again{level}.tgz", data),
        ]
        data = gzip.compress(_tar(members), mtime=0)
    _files(directory, chart_files({"charts/n5-0.1.0.tgz": data}))


def _many_members(directory: Path) -> None:
    # 200,000 directory entries (no data): a member count bound, not a size bound, must stop them.
    info = tarfile.TarInfo("sub/d")
    info.type = tarfile.DIRTYPE
    info.mtime = 0
    entries = info.tobuf(format=tarfile.GNU_FORMAT) * 200_000
    data = _raw_member("sub/Chart.yaml", CHART_YAML.format(name="sub").encode()) + entries + bytes(1024)
    _files(directory, chart_files({"charts/sub-0.1.0.tgz": gzip.compress(data, mtime=0)}))


HEAVY_TEMPLATE = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: heavy-{n}\ndata:\n"
    "{{{{- $x := 0 }}}}\n"
    "{{{{- range $i := until 1000 }}}}{{{{- range $j := until 1000 }}}}{{{{- $x = add $x 1 }}}}"
    "{{{{- end }}}}{{{{- end }}}}\n"
    '  n: "{{{{ $x }}}}"\n'
)


def _four_values(directory: Path) -> None:
    extra: dict[str, str | bytes] = {f"templates/heavy{n}.yaml": HEAVY_TEMPLATE.format(n=n) for n in range(4)}
    for name in ("dev", "test", "prod"):
        extra[f"values-{name}.yaml"] = f"env: {name}\n"
    _files(directory, chart_files(extra))


def _many_charts(directory: Path) -> None:
    # One run budget across charts: ten heavy charts.
    for index in range(10):
        extra: dict[str, str | bytes] = {"templates/heavy.yaml": HEAVY_TEMPLATE.format(n=index)}
        _files(directory / f"chart{index}", chart_files(extra, name=f"chart{index}"))


def _include_recursion_fanout(directory: Path) -> None:
    # `include` that calls itself twice, 25 deep: 2**25 calls, each cheap.
    template = (
        '{{- define "t" }}{{- if gt (int .) 0 }}{{ include "t" (sub (int .) 1) }}{{ include "t" (sub (int .) 1) }}'
        "{{- end }}{{- end }}\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fan\ndata:\n"
        '  a: "{{ include "t" 25 | len }}"\n'
    )
    _files(directory, chart_files({"templates/fan.yaml": template}))


CASES: tuple[Case, ...] = (
    Case("dockerfile ARG doubling x40", "expansion", _dockerfile_arg),
    Case("dockerfile global ARG doubling x40", "expansion", _dockerfile_global_arg),
    Case("dockerfile ENV doubling x40", "expansion", _dockerfile_env),
    Case("dockerfile ENV legacy 64 refs x6", "expansion", _dockerfile_env_legacy),
    Case("dockerfile flag value doubling", "expansion", _dockerfile_flags),
    Case("compose .env doubling x40", "expansion", _compose_dotenv),
    Case("compose included .env doubling", "expansion", _compose_include_env),
    Case("compose ${A:-...} nested 50k", "expansion", _compose_inline_nesting),
    Case("RUN echo 1 MB quoted", "text", _run_echo),
    Case("RUN echo 500k words", "text", _run_words),
    Case("LABEL 1 MB", "text", _label),
    Case("LABEL 100k pairs", "text", _label_pairs),
    Case("compose command 1 MB", "text", _compose_command),
    Case("compose command 500k words", "text", _compose_command_words),
    Case("waiver comment 1 MB (Dockerfile)", "text", _waiver_dockerfile),
    Case("waiver comment 250k fields", "text", _waiver_words),
    Case("waiver comment 1 MB (YAML)", "text", _waiver_yaml),
    Case("450k continuation lines", "text", _continuations),
    Case("ENV 200k continued pairs", "text", _continuations_env),
    Case(".env open quote + 60k lines", "text", _dotenv_open_quote),
    Case(".env 60k multi-line quotes", "text", _dotenv_many_quotes),
    Case("compose include twice x16 (entries)", "text", _include_chain(16, entries=True)),
    Case("compose include twice x30 (entries)", "text", _include_chain(30, entries=True)),
    Case("compose include twice x30 (one entry)", "text", _include_chain(30, entries=False)),
    Case(".dockerignore *a*a...c", "patterns", _dockerignore),
    Case(".dockerignore **/ nests", "patterns", _dockerignore_double_star),
    Case(".helmignore *a*a...c", "patterns", _helmignore),
    Case(".Files.Glob *a*a...c", "patterns", _files_glob),
    Case(".Files.Glob ** nests", "patterns", _files_glob_double_star),
    Case("schema pattern ^(a+)+$", "patterns", _schema_pattern),
    Case("schema patternProperties", "patterns", _schema_pattern_properties),
    Case("schema pattern huge repeat", "patterns", _schema_format_regex),
    Case("kubeVersion 25 spaced terms", "patterns", _kube_version),
    Case("semverCompare 25 spaced terms", "patterns", _semver_compare),
    Case("template regex functions", "patterns", _template_regex),
    Case("nested list doubling + toJson", "helm", _nested_json),
    Case("nested dict doubling + toYaml", "helm", _nested_yaml),
    Case("nested list printed/copied", "helm", _nested_print),
    Case("wrapWith / wrap on large strings", "helm", _wrap_with),
    Case("sized functions chained", "helm", _sized_functions),
    Case("chart depends on itself", "helm", _self_dependency),
    Case("two charts depend on each other", "helm", _mutual_dependency),
    Case("bzip2 subchart archive", "helm", _bzip2_subchart),
    Case("gzip subchart bomb", "helm", _gzip_subchart),
    Case("gzip subchart of 4 MiB files", "helm", _gzip_subchart_files),
    Case("nested subchart archives", "helm", _nested_archives),
    Case("archive with 200k members", "helm", _many_members),
    Case("heavy chart, four values sets", "helm", _four_values),
    Case("ten heavy charts", "helm", _many_charts),
    Case("include fan-out 2**25", "helm", _include_recursion_fanout),
)


def case(name: str) -> Case:
    return next(item for item in CASES if item.name == name)
