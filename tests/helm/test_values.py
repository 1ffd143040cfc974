"""Values as Helm merges them: values files, --set (strvals), coalescing, globals, dependencies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medlint.helm.chart import ChartMetadata, ChartRequirement, ChartSource, HelmChart
from medlint.helm.values import (
    ValuesError,
    apply_set_values,
    coalesce_values,
    load_values_text,
    merge_maps,
    parse_set,
    process_dependencies,
)


def chart(
    name: str,
    values: dict | None = None,
    deps: list[HelmChart] | None = None,
    requirements: list[ChartRequirement] | None = None,
    version: str = "1.0.0",
) -> HelmChart:
    """A chart built in memory (no files needed for values logic)."""
    result = HelmChart(
        ChartMetadata(api_version="v2", name=name, version=version, dependencies=requirements or []),
        ChartSource(name),
        values=values or {},
    )
    result.set_dependencies(deps or [])
    return result


def set_(*expressions: str, base: dict | None = None) -> dict:
    values = dict(base or {})
    for expression in expressions:
        parse_set(expression, values)
    return values


# -- reading values files ------------------------------------------------------------------------


def test_numbers_are_float64_as_helm_reads_values_through_json() -> None:
    values = load_values_text("port: 80\nratio: 0.5\nbig: 1000000\nname: web\non: yes\n")
    assert values == {"port": 80.0, "ratio": 0.5, "big": 1000000.0, "name": "web", "true": True}
    assert isinstance(values["port"], float)


def test_yaml_11_scalars_like_go_yaml_v2() -> None:
    values = load_values_text("a: yes\nb: off\nc: 0777\nd: '0777'\ne: 2001-12-14\n")
    assert values == {"a": True, "b": False, "c": 511.0, "d": "0777", "e": "2001-12-14"}


def test_multi_document_values_file_is_merged_in_order() -> None:
    assert load_values_text("a: 1\nb: {x: 1}\n---\nb: {w: 2}\n") == {"a": 1.0, "b": {"x": 1.0, "w": 2.0}}
    # go-yaml v2 reads a plain `y` key as the boolean true, which JSON turns into "true"
    assert load_values_text("y: 1\n") == {"true": 1.0}


def test_empty_values_file_is_an_empty_map() -> None:
    assert load_values_text("# nothing\n") == {}


def test_values_file_must_be_a_map() -> None:
    with pytest.raises(ValuesError, match="cannot unmarshal array into Go value of type map"):
        load_values_text("- a\n- b\n")


def test_values_syntax_error_uses_go_yaml_wording() -> None:
    with pytest.raises(ValuesError, match=r"error converting YAML to JSON: yaml: line \d+"):
        load_values_text("a: [1, 2\nb: 3\n")


def test_values_alias_bomb_is_refused() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 10) + "]")
    with pytest.raises(ValuesError, match="alias"):
        load_values_text("\n".join(lines) + "\n")


def test_merge_maps_later_file_wins_maps_merge_lists_replace() -> None:
    first = {"image": {"repository": "app", "tag": "1"}, "ports": [80], "keep": True}
    second = {"image": {"tag": "2"}, "ports": [443]}
    assert merge_maps(first, second) == {
        "image": {"repository": "app", "tag": "2"},
        "ports": [443],
        "keep": True,
    }


# -- --set ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("a=b", {"a": "b"}),
        ("a.b.c=1", {"a": {"b": {"c": 1}}}),
        ("a=1,b=2", {"a": 1, "b": 2}),
        ("list[0]=x", {"list": ["x"]}),
        ("list[2]=x", {"list": [None, None, "x"]}),
        ("list[0].name=web", {"list": [{"name": "web"}]}),
        ("list[0][1]=x", {"list": [[None, "x"]]}),
        ("names={a,b,c}", {"names": ["a", "b", "c"]}),
        ("name={}", {"name": [""]}),
        (r"text=a\,b", {"text": "a,b"}),
        (r"annotations.kubernetes\.io/role=web", {"annotations": {"kubernetes.io/role": "web"}}),
        ("a=", {"a": ""}),
        ("flag=true", {"flag": True}),
        ("flag=FALSE", {"flag": False}),
        ("gone=null", {"gone": None}),
        ("zero=0", {"zero": 0}),
        ("octal=0777", {"octal": "0777"}),
        ("negative=-5", {"negative": -5}),
        ("float=1.5", {"float": "1.5"}),
        ("huge=99999999999999999999", {"huge": "99999999999999999999"}),
    ],
)
def test_set_syntax_and_types_like_helm(expression: str, expected: dict) -> None:
    assert set_(expression) == expected


def test_set_ints_stay_int64_unlike_files() -> None:
    assert isinstance(set_("replicas=3")["replicas"], int)


def test_set_merges_into_existing_values() -> None:
    base = {"image": {"repository": "app", "tag": "1"}}
    assert set_("image.tag=2", base=base) == {"image": {"repository": "app", "tag": 2}}  # an int, as in Helm


@pytest.mark.parametrize(
    "expression, message",
    [
        ("a", 'key "a" has no value'),
        ("a,b=1", 'key "a" has no value (cannot end with ,)'),
        ("a[-1]=x", "negative -1 index not allowed"),
        ("a[70000]=x", "index of 70000 is greater than maximum supported index of 65536"),
        ("a={b,c", "list must terminate with '}'"),
        ("a[x]=1", "error parsing index"),
    ],
)
def test_set_errors_like_helm(expression: str, message: str) -> None:
    with pytest.raises(ValuesError, match=re.escape(message)):
        set_(expression)


def test_set_errors_name_the_flag() -> None:
    with pytest.raises(ValuesError, match="^failed parsing --set data: "):
        apply_set_values({}, ["broken"])


def test_set_on_a_scalar_parent_is_an_error_not_a_crash() -> None:
    with pytest.raises(ValuesError, match="interface conversion"):
        set_("a.b=1", base={"a": "text"})


# -- coalescing ----------------------------------------------------------------------------------------


def test_user_values_win_maps_merge() -> None:
    root = chart("app", {"image": {"repository": "app", "tag": "1"}, "replicas": 1.0})
    values = coalesce_values(root, {"image": {"tag": "2"}})
    assert values == {"image": {"repository": "app", "tag": "2"}, "replicas": 1.0}


def test_user_null_deletes_a_default_key() -> None:
    root = chart("app", {"securityContext": {"runAsUser": 1000.0, "runAsNonRoot": True}})
    assert coalesce_values(root, {"securityContext": {"runAsUser": None}}) == {
        "securityContext": {"runAsNonRoot": True}
    }
    assert coalesce_values(root, {"securityContext": None}) == {}


def test_default_nulls_do_not_show_up() -> None:
    root = chart("app", {"a": None, "b": {"c": None, "d": 1.0}})
    assert coalesce_values(root, {}) == {"b": {"d": 1.0}}


def test_coalescing_does_not_change_the_chart() -> None:
    root = chart("app", {"m": {"a": 1.0}})
    coalesce_values(root, {"m": {"b": 2.0}})
    assert root.values == {"m": {"a": 1.0}}


def test_parent_values_override_subchart_defaults_and_globals_propagate() -> None:
    sub = chart("db", {"port": 5432.0, "global": {"registry": "docker.io"}, "auth": {"user": "x"}})
    root = chart("app", {"global": {"registry": "example.com"}, "db": {"port": 6432.0}}, [sub])
    values = coalesce_values(root, {"db": {"auth": {"user": "admin"}}})
    assert values["db"] == {"port": 6432.0, "auth": {"user": "admin"}, "global": {"registry": "example.com"}}
    assert values["global"] == {"registry": "example.com"}


def test_user_null_deletes_a_subchart_default() -> None:
    sub = chart("db", {"persistence": {"size": "8Gi", "enabled": True}})
    root = chart("app", {}, [sub])
    values = coalesce_values(root, {"db": {"persistence": {"size": None}}})
    assert values["db"]["persistence"] == {"enabled": True}


def test_type_mismatch_on_subchart_section() -> None:
    root = chart("app", {}, [chart("db")])
    with pytest.raises(ValuesError, match="type mismatch on db"):
        coalesce_values(root, {"db": "oops"})


# -- dependencies ------------------------------------------------------------------------------------------


def requirement(name: str, **fields: object) -> ChartRequirement:
    return ChartRequirement(name=name, version=str(fields.pop("version", "1.0.0")), **fields)  # type: ignore[arg-type]


def test_condition_disables_a_dependency() -> None:
    root = chart(
        "app",
        {"db": {"enabled": False}},
        [chart("db"), chart("cache")],
        [requirement("db", condition="db.enabled"), requirement("cache", condition="cache.enabled")],
    )
    process_dependencies(root, {})
    assert [dep.name for dep in root.dependencies] == ["cache"]


def test_condition_from_user_values_and_first_existing_path_wins() -> None:
    root = chart("app", {}, [chart("db")], [requirement("db", condition="missing.path,db.enabled,other")])
    process_dependencies(root, {"db": {"enabled": False}, "other": True})
    assert root.dependencies == []


def test_tags_disable_unless_a_condition_says_otherwise() -> None:
    def build() -> HelmChart:
        return chart(
            "app",
            {},
            [chart("db"), chart("ui")],
            [requirement("db", tags=["backend"]), requirement("ui", tags=["frontend"], condition="ui.on")],
        )

    root = build()
    process_dependencies(root, {"tags": {"backend": False, "frontend": False}, "ui": {"on": True}})
    assert [dep.name for dep in root.dependencies] == ["ui"]


def test_alias_renames_the_subchart_and_its_values_section() -> None:
    root = chart(
        "app",
        {},
        [chart("redis", {"port": 6379.0})],
        [requirement("redis", alias="cache"), requirement("redis", alias="queue")],
    )
    process_dependencies(root, {"queue": {"port": 6380.0}})
    assert sorted(dep.name for dep in root.dependencies) == ["cache", "queue"]
    values = coalesce_values(root, {"queue": {"port": 6380.0}})
    assert values["cache"]["port"] == 6379.0 and values["queue"]["port"] == 6380.0


def test_import_values_child_parent_and_exports() -> None:
    sub = chart("db", {"data": {"host": "db", "port": 5432.0}, "exports": {"conn": {"dsn": "postgres://db"}}})
    root = chart(
        "app",
        {"database": {"port": 1.0}},
        [sub],
        [requirement("db", import_values=[{"child": "data", "parent": "database"}, "conn"])],
    )
    process_dependencies(root, {})
    values = coalesce_values(root, {})
    assert values["database"] == {"host": "db", "port": 1.0}  # the parent's own value wins
    assert values["dsn"] == "postgres://db"


def test_dependency_without_matching_version_is_kept_under_its_own_name() -> None:
    root = chart("app", {}, [chart("db", version="2.0.0")], [requirement("db", version="1.x", alias="store")])
    process_dependencies(root, {})
    assert [dep.name for dep in root.dependencies] == ["db"]


def test_values_sets_from_files(tmp_path: Path) -> None:
    from medlint.helm.lint_renders import ValuesSet, user_values

    (tmp_path / "a.yaml").write_text("x: 1\nv: {z: 1}\n")
    (tmp_path / "b.yaml").write_text("v: {w: 2}\n")
    values = user_values(ValuesSet("both", (tmp_path / "a.yaml", tmp_path / "b.yaml"), ("x=3",)), tmp_path)
    assert values == {"x": 3, "v": {"z": 1.0, "w": 2.0}}
    (tmp_path / "bad.yaml").write_text("a: [\n")
    with pytest.raises(ValuesError, match="^failed to parse bad.yaml: "):
        user_values(ValuesSet("bad", (tmp_path / "bad.yaml",)), tmp_path)


def test_set_with_a_number_too_long_for_python_is_a_string_or_an_error_never_a_crash() -> None:
    """`--set a=<5000 digits>` is no int64, so Helm keeps it as a string; Python's int() would raise on it.
    An index of that length is out of range for Go's Atoi."""
    data: dict = {}
    parse_set("a=" + "9" * 5000, data)
    assert data == {"a": "9" * 5000}
    with pytest.raises(ValuesError, match="value out of range"):
        parse_set("a[" + "9" * 5000 + "]=1", {})
