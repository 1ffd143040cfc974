"""`medlint sbom`, `--sbom` / `sbom:` and `--merge` against a stranger's pull request.

The SBOM features read more files (supplied SBOMs, the SBOM kept in the repository) and write one back into
the repository, so each promise of issue 8 is attacked again: nothing outside the project is read or written
(links, absolute and `..` paths in the configuration), special files never block, a hostile SBOM is a clear
usage error in seconds and under the memory cap (huge numbers, millions of values, a flood of lines, text
split by entity references, lone surrogates), no marker secret is printed, and the same input gives the same
bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from medlint.sbom import SbomError
from medlint.sbom.read import parse_sbom
from tests.hostile.harness import HostileRun, assert_kept_promises, run_medlint
from tests.hostile.projects import MARKER, write

TODAY = "2026-12-07"
DIGEST = "a" * 64


def _cyclonedx(name: str = f"docker.io/library/{MARKER}") -> str:
    """A valid CycloneDX SBOM whose one component carries the marker (so reading it would show it)."""
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [{"type": "container", "name": name, "version": "1.0"}],
        }
    )


def _project(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    return write(root, {"Dockerfile": "FROM alpine:3.19\nUSER 1000\n", **(files or {})})


def _outside(tmp_path: Path) -> Path:
    """An SBOM outside the scanned project, holding the marker."""
    target = tmp_path / "elsewhere" / "private.cdx.json"
    target.parent.mkdir(parents=True)
    target.write_text(_cyclonedx(), encoding="utf-8")
    return target


def _sbom(args: list[str], project: Path, **kwargs: object) -> HostileRun:
    return run_medlint(["sbom", "--today", TODAY, *args], project, **kwargs)  # type: ignore[arg-type]


def _check(args: list[str], project: Path) -> HostileRun:
    return run_medlint(["check", "--today", TODAY, *args], project)


# --------------------------------------------------------------------------------------------------
# Never read outside the project


@pytest.mark.parametrize("written", ["absolute", "dotdot", "link", "linked-folder"])
def test_configuration_cannot_name_an_sbom_outside_the_project(tmp_path: Path, written: str) -> None:
    target = _outside(tmp_path)
    project = _project(tmp_path / "project")
    if written == "absolute":
        entry = str(target)
    elif written == "dotdot":
        entry = "../elsewhere/private.cdx.json"
    elif written == "link":
        (project / "soup.cdx.json").symlink_to(target)
        entry = "soup.cdx.json"
    else:
        (project / "sboms").symlink_to(target.parent, target_is_directory=True)
        entry = "sboms/private.cdx.json"
    (project / ".medlint.yaml").write_text(f"sbom: {entry}\n", encoding="utf-8")
    run = _check(["."], project)
    assert_kept_promises(run, exit_codes=(2,), markers=(MARKER,))
    assert "outside the scanned project" in run.stderr


def test_a_configured_sbom_inside_the_project_is_still_read(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", {"sboms/soup.cdx.json": _cyclonedx("docker.io/library/alpine")})
    (project / ".medlint.yaml").write_text("sbom: sboms/../sboms/soup.cdx.json\n", encoding="utf-8")
    run = _check([".", "--format", "json"], project)
    assert_kept_promises(run, exit_codes=(1,))
    paths = {finding["location"]["path"] for finding in json.loads(run.stdout)["findings"]}
    assert "sboms/soup.cdx.json" in paths  # MD904 reads the entry at its line


def test_command_line_sbom_in_the_project_may_not_link_out(tmp_path: Path) -> None:
    target = _outside(tmp_path)
    project = _project(tmp_path / "project")
    (project / "soup.cdx.json").symlink_to(target)
    run = _check([".", "--sbom", "soup.cdx.json"], project)
    assert_kept_promises(run, exit_codes=(2,), markers=(MARKER,))
    assert "leads outside the scanned project" in run.stderr
    # the user may still name a file outside the project on the command line: it is their choice
    direct = _check([".", "--sbom", str(target), "--format", "json"], project)
    assert_kept_promises(direct, exit_codes=(1,))


def test_merge_with_a_kept_sbom_that_links_out_is_refused(tmp_path: Path) -> None:
    target = _outside(tmp_path)
    project = _project(tmp_path / "project")
    (project / "soup.cdx.json").symlink_to(target)
    run = _sbom([".", "--merge", "soup.cdx.json", "-o", "new.cdx.json"], project)
    assert_kept_promises(run, exit_codes=(2,), markers=(MARKER,))
    assert not (project / "new.cdx.json").exists()


# --------------------------------------------------------------------------------------------------
# Never write outside the project, never block on the output


def test_sbom_output_never_writes_through_a_link_out_of_the_project(tmp_path: Path) -> None:
    victim = tmp_path / "home" / ".bashrc"
    victim.parent.mkdir()
    victim.write_text("precious\n", encoding="utf-8")
    project = _project(tmp_path / "project")
    (project / "soup.cdx.json").symlink_to(victim)
    (project / "out").symlink_to(victim.parent, target_is_directory=True)
    for output in ("soup.cdx.json", "out/soup.cdx.json"):
        run = _sbom([".", "-o", output], project)
        assert_kept_promises(run, exit_codes=(2,))
        assert "leads outside the scanned project" in run.stderr
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert sorted(os.listdir(victim.parent)) == [".bashrc"]
    # a link that stays inside the project is followed, and a new file is written as before
    (project / "kept.cdx.json").write_text("{}", encoding="utf-8")
    (project / "alias.cdx.json").symlink_to("kept.cdx.json")
    for output in ("alias.cdx.json", "reports/soup.cdx.json"):
        assert_kept_promises(_sbom([".", "-o", output], project), exit_codes=(0,))
    assert json.loads((project / "kept.cdx.json").read_text(encoding="utf-8"))["bomFormat"] == "CycloneDX"
    assert (project / "reports" / "soup.cdx.json").is_file()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_sbom_output_to_a_named_pipe_in_the_project_never_blocks(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    os.mkfifo(project / "soup.cdx.json")
    run = _sbom([".", "-o", "soup.cdx.json"], project, timeout=60)
    assert_kept_promises(run, exit_codes=(2,))
    assert "not a regular file" in run.stderr


# --------------------------------------------------------------------------------------------------
# Hostile supplied SBOMs: clear usage errors, in seconds, under the memory cap


def _hostile_sboms() -> dict[str, bytes]:
    head = b'{"bomFormat":"CycloneDX","specVersion":"1.6","components":['
    return {
        # int() refuses numbers of over 4,300 digits: a ValueError that escaped as a traceback
        "huge-integer.json": head + b'{"type":"library","name":"x","version":' + b"9" * 5000 + b"}]}",
        # a lone surrogate decodes to a str that cannot be encoded: a traceback when fingerprinting
        "lone-surrogate.json": head + b'{"type":"container","name":"\\ud800x","version":"1"}]}',
        # a list of every line start cost gigabytes before a single value was parsed
        "line-flood.json": b"{" + b"\n" * 60_000_000 + head[1:] + b"]}",
        # text split by millions of entity references was joined by repeated concatenation: quadratic
        "entity-text.xml": (
            b'<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>'
            + b"&amp;" * 4_000_000
            + b"</name></component></components></bom>"
        ),
    }


@pytest.mark.parametrize("name", sorted(_hostile_sboms()))
def test_hostile_supplied_sbom_is_bounded_and_never_a_traceback(tmp_path: Path, name: str) -> None:
    project = _project(tmp_path / "project", {f"sboms/{name}": _hostile_sboms()[name]})
    run = _check(["Dockerfile", "--no-context", "--sbom", f"sboms/{name}"], project)
    assert_kept_promises(run, exit_codes=(1, 2))
    if run.exit_code == 2:
        assert f"sboms/{name}" in run.stderr


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"bomFormat":"CycloneDX","specVersion":"1.6","x":' + b"1" * 4400 + b"}", "a number of 4,400"),
        (b'{"bomFormat":"CycloneDX","specVersion":"1.6","x":"\\udc80"}', "lone UTF-16 surrogate"),
        (
            b'{"bomFormat":"CycloneDX","specVersion":"1.6","x":"\\ud83d\\ude00"}',
            None,
        ),  # a pair is a character
    ],
)
def test_numbers_and_surrogates_in_a_supplied_sbom(data: bytes, expected: str | None) -> None:
    if expected is None:
        assert parse_sbom(data, "soup.cdx.json").components == ()
        return
    with pytest.raises(SbomError, match=expected):
        parse_sbom(data, "soup.cdx.json")


def test_millions_of_tiny_values_or_elements_are_refused_not_allocated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`[{},{},...]` of 45 MB (under the 64 MiB limit) needed over 1 GB of objects: a MemoryError traceback.
    The counts are bounded (the real limits, lowered here so the test stays fast)."""
    import medlint.sbom.read as read

    monkeypatch.setattr(read, "MAX_JSON_VALUES", 1000)
    monkeypatch.setattr(read, "MAX_XML_NODES", 1000)
    many_json = (
        b'{"bomFormat":"CycloneDX","specVersion":"1.6","components":[' + b",".join([b"[]"] * 1001) + b"]}"
    )
    with pytest.raises(SbomError, match="more than 1,000 JSON values"):
        parse_sbom(many_json, "soup.cdx.json")
    many_xml = (
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>'
        + b"<x/>" * 1001
        + b"</components></bom>"
    )
    with pytest.raises(SbomError, match="more than 1,000 XML elements"):
        parse_sbom(many_xml, "soup.cdx.xml")
    attributes = b" ".join(b'a%d=""' % index for index in range(1001))
    with pytest.raises(SbomError, match="more than 1,000 XML elements"):
        parse_sbom(b'<bom xmlns="http://cyclonedx.org/schema/bom/1.6" ' + attributes + b"/>", "soup.cdx.xml")


def test_positions_are_still_exact_after_lazy_line_counting() -> None:
    text = (
        '{"bomFormat": "CycloneDX",\n"specVersion": "1.6",\n"components": [\n\n'
        '  {"type": "library", "name": "a", "version": "1",\n'
        '   "properties": [{"name": "medlint:end-of-support", "value": "2020-01-01"}]},\n'
        '      {"type": "library", "name": "b", "version": "2",\n'
        '   "components": [{"type": "library", "name": "c", "version": "3"}]}\n]}\n'
    )
    sbom = parse_sbom(text.encode(), "soup.cdx.json")
    places = {
        component.name: (component.location.line, component.location.column) for component in sbom.components
    }
    assert places == {"a": (5, 3), "b": (7, 7), "c": (8, 19)}
    (a,) = [component for component in sbom.components if component.name == "a"]
    assert a.end_of_support is not None and a.end_of_support.location.line == 6


def test_a_secret_in_a_folder_name_reaches_no_sbom_and_references_stay_unique(tmp_path: Path) -> None:
    """A built image is named after its folder, and evidence names the file: `token=...` in a folder name
    was printed in every format, which reports mask. Masked, two such folders share a name; their
    references must stay unique (SPDX ids are made from them: spdx-tools refused the duplicate, a traceback)."""
    dockerfile = "FROM alpine:3.19\nUSER 1000\n"
    project = write(
        tmp_path / "project",
        {f"svc token={MARKER}/Dockerfile": dockerfile, "svc token=other/Dockerfile": dockerfile},
    )
    for output_format in ("cyclonedx-json", "cyclonedx-xml", "spdx-json"):
        run = _sbom([".", "--format", output_format], project)
        assert_kept_promises(run, exit_codes=(0,), markers=(MARKER,))
    refs = [component["bom-ref"] for component in json.loads(_sbom(["."], project).stdout)["components"]]
    assert len(refs) == len(set(refs))
    assert "dockerfile:svc token=***" in refs and "dockerfile:svc token=*** (2)" in refs


def test_merge_of_values_with_control_characters_still_writes_well_formed_xml(tmp_path: Path) -> None:
    """A value entered in the kept SBOM (JSON carries any character) reached the XML writer: a traceback."""
    from xml.parsers import expat

    project = _project(tmp_path / "project")
    first = _sbom([".", "-o", "soup.cdx.json"], project)
    assert_kept_promises(first, exit_codes=(0,))
    kept = json.loads((project / "soup.cdx.json").read_text(encoding="utf-8"))
    for component in kept["components"]:
        component["supplier"] = {"name": "Evil\u0001\u0000 <x>&\u001b[31m"}
    (project / "soup.cdx.json").write_text(json.dumps(kept), encoding="utf-8")
    for output_format in ("cyclonedx-xml", "cyclonedx-json", "spdx-json"):
        run = _sbom([".", "--merge", "soup.cdx.json", "--format", output_format, "-o", "out"], project)
        assert_kept_promises(run, exit_codes=(0,))
    run = _sbom([".", "--merge", "soup.cdx.json", "--format", "cyclonedx-xml"], project)
    assert_kept_promises(run, exit_codes=(0,))
    expat.ParserCreate().Parse(run.stdout.encode("utf-8"), True)
    assert "Evil\\x01\\x00 &lt;x&gt;&amp;\\x1b[31m" in run.stdout


# --------------------------------------------------------------------------------------------------
# What held: kept here so it stays held


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.6">&b;</bom>',
        b'<?xml version="1.0"?><!DOCTYPE bom SYSTEM "file:///etc/passwd"><bom/>',
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.6">' + b"<c>" * 200 + b"</c>" * 200 + b"</bom>",
        b'{"bomFormat":"CycloneDX","specVersion":"1.6","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"\xff"}]}',
        b'{"bomFormat":"CycloneDX","specVersion":"1.6","specVersion":"9"}',
        b'{"bomFormat":"CycloneDX","specVersion":1e999999}',
        b"\x00\x01\x02",
        b"",
    ],
)
def test_other_hostile_sboms_stay_clear_usage_errors(tmp_path: Path, content: bytes) -> None:
    project = _project(tmp_path / "project", {"soup.cdx": content})
    run = _check(["Dockerfile", "--no-context", "--sbom", "soup.cdx"], project)
    assert_kept_promises(run, exit_codes=(2,))
    assert "soup.cdx" in run.stderr


def test_a_fifo_or_device_as_supplied_sbom_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    os.mkfifo(project / "fifo.cdx.json")
    (project / "zero.cdx.json").symlink_to("/dev/zero")
    for name in ("fifo.cdx.json", "zero.cdx.json"):
        run = _check(["Dockerfile", "--no-context", "--sbom", name], project)
        assert_kept_promises(run, exit_codes=(2,))


def test_sbom_output_is_the_same_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    project = write(
        tmp_path / "project",
        {
            "Dockerfile": "FROM python:3.12-slim\nRUN pip install requests==2.31.0 six==1.16.0 attrs==23.1.0\n"
            "RUN apt-get install -y curl=7.88.1-10 openssl=3.0.11\nUSER 1000\n",
            "compose.yaml": "services:\n  web:\n    build: .\n  db:\n    image: postgres:16\n"
            "  cache:\n    image: redis:7\n",
        },
    )
    outputs = set()
    for seed in ("1", "2", "3", "random"):
        for output_format in ("cyclonedx-json", "cyclonedx-xml", "spdx-json"):
            run = _sbom([".", "--format", output_format], project, env={"PYTHONHASHSEED": seed})
            assert_kept_promises(run, exit_codes=(0,))
            outputs.add((output_format, run.stdout))
    assert len(outputs) == 3
