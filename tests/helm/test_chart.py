"""Loading charts as Helm's loader does, safely: directories, archives, .helmignore, validation, dependencies."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest

from medlint.helm.chart import (
    ChartError,
    LoadLimits,
    check_installable,
    load_chart,
    load_chart_bytes,
    resolve_dependencies,
)
from tests.conftest import SHARED

GOLDEN = SHARED / "reference" / "helm-golden"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def chart_yaml(name: str = "app", version: str = "1.0.0", extra: str = "") -> str:
    return f"apiVersion: v2\nname: {name}\nversion: {version}\n{extra}"


def tgz(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info, data in members:
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data else None)
    return buffer.getvalue()


def member(
    name: str, data: str = "", kind: bytes = tarfile.REGTYPE, link: str = ""
) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info, data.encode()


def chart_archive(name: str = "lib", version: str = "0.1.0", extra: dict[str, str] | None = None) -> bytes:
    files = {
        f"{name}/Chart.yaml": chart_yaml(name, version),
        f"{name}/values.yaml": "a: 1\n",
        **(extra or {}),
    }
    return tgz([member(path, text) for path, text in files.items()])


# -- directories ------------------------------------------------------------------------------------


def test_loads_metadata_values_templates_and_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "Chart.yaml": chart_yaml(extra="appVersion: '2.1'\nannotations:\n  team: core\n"),
            "values.yaml": "replicas: 2\n",
            "values-prod.yaml": "replicas: 5\n",
            "templates/deployment.yaml": "kind: Deployment\n",
            "templates/_helpers.tpl": '{{ define "x" }}{{ end }}',
            "files/config.ini": "a=1\n",
            "Chart.lock": "dependencies: []\n",
            "values.schema.json": "{}",
        },
    )
    chart = load_chart(tmp_path, "charts/app")
    assert (chart.name, chart.metadata.version, chart.metadata.app_version) == ("app", "1.0.0", "2.1")
    assert chart.metadata.annotations == {"team": "core"}
    assert chart.values == {"replicas": 2.0}
    assert sorted(name for name, _ in chart.templates) == [
        "templates/_helpers.tpl",
        "templates/deployment.yaml",
    ]
    assert sorted(chart.files) == ["files/config.ini", "values-prod.yaml"]
    assert chart.schema == b"{}"
    assert chart.source.file_path("templates/deployment.yaml") == "charts/app/templates/deployment.yaml"


def test_helmignore_and_hidden_templates_are_left_out(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "Chart.yaml": chart_yaml(),
            ".helmignore": "# comment\n*.bak\nsecrets/\n",
            "templates/a.yaml": "",
            "templates/.hidden.yaml": "",
            "templates/old.yaml.bak": "",
            "secrets/key.pem": "x",
            "notes.txt": "x",
        },
    )
    chart = load_chart(tmp_path, "app")
    assert [name for name, _ in chart.templates] == ["templates/a.yaml"]
    assert sorted(chart.files) == [".helmignore", "notes.txt"]


def test_symlink_leaving_the_chart_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"secret.txt": "TOP SECRET"})
    chart_dir = write(tmp_path / "app", {"Chart.yaml": chart_yaml(), "files/inside.txt": "ok"})
    os.symlink(outside / "secret.txt", chart_dir / "files" / "leak.txt")
    os.symlink(outside, chart_dir / "files" / "leakdir")
    os.symlink(chart_dir / "files" / "inside.txt", chart_dir / "files" / "alias.txt")
    chart = load_chart(chart_dir, "app")
    assert sorted(chart.files) == ["files/alias.txt", "files/inside.txt"]
    assert b"TOP SECRET" not in b"".join(chart.files.values())
    assert any("outside the chart" in warning for warning in chart.warnings)


def test_subcharts_from_directories_and_archives(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "Chart.yaml": chart_yaml(),
            "charts/db/Chart.yaml": chart_yaml("db"),
            "charts/db/templates/svc.yaml": "x",
            "charts/_ignored/Chart.yaml": chart_yaml("ignored"),
        },
    )
    (tmp_path / "charts" / "lib-0.1.0.tgz").write_bytes(chart_archive())
    chart = load_chart(tmp_path, "app")
    assert sorted(dep.name for dep in chart.dependencies) == ["db", "lib"]
    db = next(dep for dep in chart.dependencies if dep.name == "db")
    assert db.full_path() == "app/charts/db"
    assert db.source.file_path("templates/svc.yaml") == "app/charts/db/templates/svc.yaml"
    lib = next(dep for dep in chart.dependencies if dep.name == "lib")
    assert lib.source.is_archive and lib.source.file_path("templates/x.yaml") == "app/charts/lib-0.1.0.tgz"
    assert lib.values == {"a": 1.0}


def test_golden_archive_dependency_loads() -> None:
    if not GOLDEN.is_dir():
        pytest.skip("helm-golden reference is not present")
    chart = load_chart(GOLDEN / "testcharts" / "chart-with-template-lib-archive-dep", "x")
    assert [dep.name for dep in chart.dependencies] == ["common"]
    assert chart.dependencies[0].is_library


# -- archives ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "members, message",
    [
        ([member("/abs/Chart.yaml", chart_yaml())], "chart illegally contains absolute paths"),
        ([member("app/../../etc/passwd", "x")], "chart illegally references parent directory"),
        ([member("Chart.yaml", chart_yaml())], "chart illegally contains content outside the base directory"),
        (
            [
                member("app/Chart.yaml", chart_yaml()),
                member("app/templates/x", kind=tarfile.SYMTYPE, link="../../../etc/passwd"),
            ],
            "link pointing outside the chart",
        ),
        (
            [
                member("app/Chart.yaml", chart_yaml()),
                member("app/x", kind=tarfile.SYMTYPE, link="/etc/passwd"),
            ],
            "link pointing outside the chart",
        ),
        (
            [member("app/Chart.yaml", chart_yaml()), member("app/x", kind=tarfile.LNKTYPE, link="other/etc")],
            "link pointing outside the chart",
        ),
        ([member("app/C:/x", "x")], "chart contains illegally named files"),
    ],
)
def test_unsafe_archives_are_refused(members: list, message: str) -> None:
    with pytest.raises(ChartError, match=message):
        load_chart_bytes(tgz(members), "app.tgz")


def test_archive_link_inside_the_chart_is_ignored_not_followed() -> None:
    data = tgz(
        [
            member("app/Chart.yaml", chart_yaml()),
            member("app/files/a", "A"),
            member("app/files/b", kind=tarfile.SYMTYPE, link="a"),
        ]
    )
    assert sorted(load_chart_bytes(data, "app.tgz").files) == ["files/a"]


def test_archive_size_limits() -> None:
    data = tgz([member("app/Chart.yaml", chart_yaml()), member("app/big.bin", "x" * 2000)])
    with pytest.raises(ChartError, match="larger than the maximum file size 1000"):
        load_chart_bytes(data, "app.tgz", LoadLimits(max_file_bytes=1000))
    many = tgz([member("app/Chart.yaml", chart_yaml())] + [member(f"app/f{i}", "x" * 100) for i in range(30)])
    with pytest.raises(ChartError, match="decompression size limit reached"):
        load_chart_bytes(many, "app.tgz", LoadLimits(max_chart_bytes=2000))
    with pytest.raises(ChartError, match="more than 10 files"):
        load_chart_bytes(many, "app.tgz", LoadLimits(max_files=10))


def test_not_an_archive() -> None:
    with pytest.raises(ChartError, match="gzip: invalid header"):  # Helm reads gzip archives only
        load_chart_bytes(b"not a tarball", "app.tgz")
    with pytest.raises(ChartError, match="could not read chart archive"):
        load_chart_bytes(gzip.compress(b"not a tarball"), "app.tgz")


def test_archive_bombs_stop_while_decompressing() -> None:
    zeros = bytes(1024 * 1024)
    header = tarfile.TarInfo("app/files/z.bin")
    header.size = len(zeros)
    one = gzip.compress(header.tobuf(format=tarfile.GNU_FORMAT) + zeros, 9)  # gzip members concatenate
    chart = gzip.compress(_raw(member("app/Chart.yaml", chart_yaml())))
    with pytest.raises(ChartError, match="max_archive_ratio"):
        load_chart_bytes(chart + one * 50, "app.tgz")
    with pytest.raises(ChartError, match="decompression size limit reached"):
        load_chart_bytes(
            chart + one * 50, "app.tgz", LoadLimits(max_archive_ratio=10_000, max_chart_bytes=4 << 20)
        )
    many = gzip.compress(b"".join(_dir_header(f"app/d{i}") for i in range(50)) + bytes(1024))
    with pytest.raises(ChartError, match="more than 20 members"):
        load_chart_bytes(many, "app.tgz", LoadLimits(max_archive_members=20))


def test_special_archive_members_are_refused() -> None:
    fifo = tarfile.TarInfo("app/pipe")
    fifo.type = tarfile.FIFOTYPE
    data = gzip.compress(_raw(member("app/Chart.yaml", chart_yaml())) + fifo.tobuf() + bytes(1024))
    with pytest.raises(ChartError, match="not a regular file, directory or link"):
        load_chart_bytes(data, "app.tgz")


def _dir_header(name: str) -> bytes:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info.tobuf()


def _raw(item: tuple[tarfile.TarInfo, bytes]) -> bytes:
    info, data = item
    info.size = len(data)
    return info.tobuf() + data + bytes(-len(data) % 512)


# -- Chart.yaml validation (Helm's texts) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message, line",
    [
        (
            chart_yaml(extra="type: foobar\n"),
            "validation: chart.metadata.type must be application or library",
            4,
        ),
        (
            chart_yaml(extra="type: Library\n"),
            "validation: chart.metadata.type must be application or library",
            4,
        ),
        ("apiVersion: v2\nname: app\n", "validation: chart.metadata.version is required", 1),
        ("apiVersion: v2\nversion: 1.0.0\n", "validation: chart.metadata.name is required", 1),
        (chart_yaml(version="one"), 'validation: chart.metadata.version "one" is invalid', 3),
        (chart_yaml(name="a/b"), 'validation: chart.metadata.name "a/b" is invalid', 2),
        (
            chart_yaml(extra="dependencies:\n- name: db\n  alias: bad.alias\n"),
            'validation: dependency "db" has disallowed characters in the alias',
            4,
        ),
        (
            chart_yaml(extra="dependencies:\n- name: db\n- name: db\n"),
            'validation: more than one dependency with name or alias "db"',
            4,
        ),
        (chart_yaml(extra="dependencies:\n- null\n"), "dependencies must not contain empty or null nodes", 4),
        (
            "apiVersion: v2\nname: app\nversion: 1.0\n",
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into "
            "Go struct field Metadata.version of type string",
            3,
        ),
        ("name: [\n", "cannot load Chart.yaml: error converting YAML to JSON: yaml: line", 1),
    ],
)
def test_invalid_chart_yaml_reports_helms_reason_at_the_key(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    write(tmp_path, {"Chart.yaml": text})
    with pytest.raises(ChartError) as info:
        load_chart(tmp_path, "app")
    assert message in info.value.message
    assert info.value.path == "app/Chart.yaml"
    assert info.value.line == line


def test_missing_chart_yaml(tmp_path: Path) -> None:
    write(tmp_path, {"values.yaml": ""})
    with pytest.raises(ChartError, match="Chart.yaml file is missing"):
        load_chart(tmp_path, "app")


def test_invalid_subchart_names_the_subchart(tmp_path: Path) -> None:
    write(tmp_path, {"Chart.yaml": chart_yaml(), "charts/db/Chart.yaml": chart_yaml("db", extra="type: x\n")})
    with pytest.raises(
        ChartError, match="error unpacking subchart db in app: validation: chart.metadata.type"
    ):
        load_chart(tmp_path, "app")


def test_api_version_defaults_to_v1_and_requirements_yaml_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "Chart.yaml": "name: old\nversion: 0.1.0\n",
            "requirements.yaml": "dependencies:\n- name: db\n  version: 1.x\n  condition: db.enabled\n",
        },
    )
    chart = load_chart(tmp_path, "old")
    assert chart.metadata.api_version == "v1"
    assert [(req.name, req.condition) for req in chart.metadata.dependencies] == [("db", "db.enabled")]
    assert "requirements.yaml" in chart.files


def test_library_charts_are_not_installable(tmp_path: Path) -> None:
    write(tmp_path, {"Chart.yaml": chart_yaml(extra="type: library\n")})
    with pytest.raises(ChartError, match="^library charts are not installable$"):
        check_installable(load_chart(tmp_path, "lib"))


# -- dependencies that are not vendored ------------------------------------------------------------------


def test_dependencies_found_in_chart_paths_and_file_repositories(tmp_path: Path) -> None:
    write(
        tmp_path / "repo" / "app",
        {
            "Chart.yaml": chart_yaml(
                extra=(
                    "dependencies:\n"
                    "- name: common\n  version: 2.x.x\n  repository: oci://registry/bitnami\n"
                    "- name: archived\n  version: ~0.1\n"
                    "- name: local\n  version: 1.0.0\n  repository: file://../local\n"
                    "- name: nowhere\n  version: 1.0.0\n  repository: https://example.com/charts\n"
                )
            )
        },
    )
    write(tmp_path / "repo" / "local", {"Chart.yaml": chart_yaml("local")})
    write(tmp_path / "search" / "common-old", {"Chart.yaml": chart_yaml("common", "1.0.0")})
    write(tmp_path / "search" / "common", {"Chart.yaml": chart_yaml("common", "2.3.0", "type: library\n")})
    (tmp_path / "search" / "archived-0.1.5.tgz").write_bytes(chart_archive("archived", "0.1.5"))
    chart = load_chart(tmp_path / "repo" / "app", "app")
    missing = resolve_dependencies(chart, [tmp_path / "search"], tmp_path / "repo")
    assert sorted((dep.name, dep.metadata.version) for dep in chart.dependencies) == [
        ("archived", "0.1.5"),
        ("common", "2.3.0"),
        ("local", "1.0.0"),
    ]
    assert all(dep.parent is chart for dep in chart.dependencies)
    assert [dep.name for dep in missing] == ["nowhere"]
    assert missing[0].chart_yaml == "app/Chart.yaml" and missing[0].line == 13
    assert (
        "`helm dependency build`" in missing[0].message()
        and "https://example.com/charts" in missing[0].message()
    )


def test_file_repository_outside_the_scanned_root_is_not_read(tmp_path: Path) -> None:
    write(tmp_path / "outside" / "local", {"Chart.yaml": chart_yaml("local")})
    write(
        tmp_path / "repo" / "app",
        {
            "Chart.yaml": chart_yaml(
                extra=(
                    "dependencies:\n- name: local\n  version: 1.0.0\n  repository: file://../../outside/local\n"
                )
            )
        },
    )
    chart = load_chart(tmp_path / "repo" / "app", "app")
    assert [dep.name for dep in resolve_dependencies(chart, [], tmp_path / "repo")] == ["local"]
