"""Helm's own functions: toYaml formatting (golden), JSON, fromYaml, TOML, required/fail/lookup, objects."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from medlint.helm.functions import (
    ChartFiles,
    FunctionError,
    HelmFailError,
    helm_functions,
    make_capabilities,
    release_object,
    template_functions,
    template_object,
)
from medlint.helm.functions.objects import DEFAULT_KUBE_VERSION
from medlint.helm.functions.yamljson import load_yaml_like_helm, marshal_yaml, to_yaml
from tests.conftest import SHARED

GOLDEN = SHARED / "reference" / "helm-golden"
CORPUS_VALUES = sorted((SHARED / "corpus" / "helm").glob("*/*/values.yaml"))[:30]
H = helm_functions()


# ---------------------------------------------------------------------------
# toYaml: go-yaml v2 through sigs.k8s.io/yaml
# ---------------------------------------------------------------------------


def test_to_yaml_nested_structure_matches_go_yaml_v2_layout() -> None:
    value = {
        "spec": {"containers": [{"name": "app", "ports": [{"containerPort": 80.0}], "args": ["--a", "-b"]}]},
        "metadata": {"labels": {"app": "x"}, "annotations": {}},
        "list": [],
        "nested": [[1, 2], "s"],
    }
    assert H["toYaml"](value) == (
        "list: []\n"
        "metadata:\n"
        "  annotations: {}\n"
        "  labels:\n"
        "    app: x\n"
        "nested:\n"
        "- - 1\n"
        "  - 2\n"
        "- s\n"
        "spec:\n"
        "  containers:\n"
        "  - args:\n"
        "    - --a\n"
        "    - -b\n"
        "    name: app\n"
        "    ports:\n"
        "    - containerPort: 80"
    )


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("true", '"true"'),
        ("y", '"y"'),
        ("off", '"off"'),
        ("123", '"123"'),
        ("0x1F", '"0x1F"'),
        ("1e3", '"1e3"'),
        ("1_000", '"1_000"'),
        ("1:20", '"1:20"'),
        ("2001-12-14", '"2001-12-14"'),
        ("", '""'),
        ("~", '"~"'),
        ("null", '"null"'),
        ("a: b", "'a: b'"),
        ("- x", "'- x'"),
        ("-x", "-x"),
        ("#c", "'#c'"),
        ("a #b", "'a #b'"),
        ("a#b", "a#b"),
        ("*ref", "'*ref'"),
        (" lead", "' lead'"),
        ("trail ", "'trail '"),
        ("it's", "it's"),
        ("'q'", "'''q'''"),
        ("tab\there", '"tab\\there"'),
        ("emoji 😀", '"emoji \\U0001F600"'),
        ("café", "café"),
        ("1.2.3", "1.2.3"),
        ("http://x:80/a", "http://x:80/a"),
    ],
)
def test_to_yaml_quotes_strings_only_where_go_yaml_does(text: str, rendered: str) -> None:
    assert H["toYaml"]({"k": text}) == f"k: {rendered}"


def test_to_yaml_numbers_survive_the_json_round_trip_like_helm() -> None:
    values = {"a": 3.0, "b": 1000000.0, "c": 2.5, "d": 1e21, "e": 1e-7, "f": 1e20, "g": -0.0, "h": 7}
    assert H["toYaml"](values) == ("a: 3\nb: 1000000\nc: 2.5\nd: 1e+21\ne: 1e-07\nf: 1e+20\ng: 0\nh: 7")


def test_to_yaml_multiline_strings_use_literal_blocks_with_chomping() -> None:
    assert H["toYaml"]({"a": "x\ny\n"}) == "a: |\n  x\n  y"
    assert H["toYaml"]({"a": "x\ny"}) == "a: |-\n  x\n  y"
    # go-yaml writes "|+\n  x\n\n"; Helm then trims one newline.
    assert H["toYaml"]({"a": "x\n\n"}) == "a: |+\n  x\n"
    assert H["toYaml"]({"a": " x\ny"}) == "a: |2-\n   x\n  y"
    assert H["toYaml"]({"a": "x \ny"}) == 'a: "x \\ny"'
    assert H["toYaml"]([["a\nb"]]) == "- - |-\n    a\n    b"


def test_to_yaml_blank_lines_in_literal_blocks_carry_no_indentation() -> None:
    assert H["toYaml"]({"conf": "a\n\nb\n"}) == "conf: |\n  a\n\n  b"


def test_to_yaml_folds_long_plain_strings_at_column_80() -> None:
    text = "The API server is burning too much error budget. This alert fires when the error rate is high."
    assert H["toYaml"]({"annotations": {"description": text}}) == (
        "annotations:\n"
        "  description: The API server is burning too much error budget. This alert fires when\n"
        "    the error rate is high."
    )


def test_to_yaml_folds_long_double_quoted_strings_with_escaped_continuation() -> None:
    text = "a\tb " + "word " * 18 + " two spaces"
    rendered = H["toYaml"]({"k": text})
    assert rendered.startswith('k: "a\\tb word word')
    assert "\n  " in rendered
    assert yaml.safe_load(rendered) == {"k": text}


def test_to_yaml_sorts_keys_in_go_yaml_natural_order() -> None:
    keys = ["key10", "key2", "Key1", "a-b", "ab", "a~b", "x:1", "x5"]
    rendered = H["toYaml"](dict.fromkeys(keys, 1))
    assert [line.split(":")[0].strip("'\"") for line in rendered.splitlines()] == [
        "Key1",
        "a-b",
        "a~b",
        "ab",
        "key2",
        "key10",
        "x",
        "x5",
    ]


def test_to_yaml_of_scalars_and_empties() -> None:
    assert H["toYaml"](None) == "null"
    assert H["toYaml"]({}) == "{}"
    assert H["toYaml"]([]) == "[]"
    assert H["toYaml"]("hello") == "hello"
    assert H["toYaml"](True) == "true"
    assert H["toYaml"]({"n": None}) == '"n": null'


def test_to_yaml_swallows_marshal_errors_but_must_to_yaml_raises() -> None:
    assert H["toYaml"]({"x": float("nan")}) == ""
    with pytest.raises(FunctionError, match="unsupported value"):
        H["mustToYaml"]({"x": float("inf")})


def test_to_yaml_long_keys_become_complex_keys() -> None:
    key = "k" * 129
    assert H["toYaml"]({key: 1}) == f"? {key}\n: 1"


def test_to_yaml_round_trips_through_pyyaml_for_tricky_values() -> None:
    value = {"a": ["", "0", "yes", "a\nb", " x", "x: y", "{}", "[1]", "é", "\\back"], "b": {"c": {"d": []}}}
    assert yaml.safe_load(H["toYaml"](value)) == value


@pytest.mark.skipif(not GOLDEN.is_dir(), reason="shared helm-golden reference not present")
def test_to_yaml_reproduces_helm_golden_values_dump() -> None:
    """issue-9027 renders ``{{ .Values | toYaml }}``: re-dumping the parsed output must give the same bytes."""
    output = (GOLDEN / "output" / "issue-9027.txt").read_text()
    documents = [d for d in output.split("---\n") if d.strip()]
    for document in documents:
        body = document.split("\n", 1)[1].rstrip("\n")
        assert body.startswith(("global:", "hash:"))
        assert to_yaml(load_yaml_like_helm(body)) == body


@pytest.mark.skipif(not GOLDEN.is_dir(), reason="shared helm-golden reference not present")
def test_to_yaml_reproduces_helm_golden_merged_service() -> None:
    """chart-with-template-lib-dep's Service is ``toYaml (merge $overrides $tpl)``."""
    output = (GOLDEN / "output" / "template-chart-with-template-lib-dep.txt").read_text()
    document = output.split("# Source: chart-with-template-lib-dep/templates/service.yaml\n", 1)[1]
    body = document.split("\n---", 1)[0].rstrip("\n")
    assert "  ports:\n  - name: http" in body
    assert to_yaml(load_yaml_like_helm(body)) == body


@pytest.mark.skipif(not CORPUS_VALUES, reason="shared Helm corpus not present")
@pytest.mark.parametrize("path", CORPUS_VALUES, ids=lambda p: p.parent.name)
def test_marshalled_corpus_values_read_back_identically(path: Path) -> None:
    """Whatever the emitter quotes, folds or blocks, go-yaml must read the same values back."""
    values = load_yaml_like_helm(path.read_text(encoding="utf-8"))
    assert load_yaml_like_helm(marshal_yaml(values)) == values


def test_to_yaml_trims_exactly_one_final_newline_like_helm() -> None:
    assert marshal_yaml({"a": "x\n\n"}) == "a: |+\n  x\n\n"
    assert to_yaml({"a": "x\n\n"}) == "a: |+\n  x\n"


def test_to_yaml_pretty_indents_sequences() -> None:
    assert H["toYamlPretty"]({"a": [1, {"b": 2}]}) == "a:\n  - 1\n  - b: 2"


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def test_to_json_is_go_encoding_json() -> None:
    value = {"b": [1, 2.5, None, True], "a": "<tag> & \u2028", "c": 1e21, "d": 1e-7, "e": 100.0}
    assert H["toJson"](value) == (
        '{"a":"\\u003ctag\\u003e \\u0026 \\u2028","b":[1,2.5,null,true],"c":1e+21,"d":1e-7,"e":100}'
    )


def test_to_json_escapes_control_characters_like_go() -> None:
    assert H["toJson"]("a\x01\tb\x7f") == '"a\\u0001\\tb\x7f"'


def test_pretty_and_raw_json() -> None:
    sprig = template_functions()
    assert sprig["toPrettyJson"]({"a": [1], "b": {}}) == '{\n  "a": [\n    1\n  ],\n  "b": {}\n}'
    assert sprig["toRawJson"]({"a": "<&>"}) == '{"a":"<&>"}'
    assert sprig["toJson"](float("nan")) == ""
    with pytest.raises(FunctionError):
        sprig["mustToJson"](float("nan"))


def test_from_json_returns_map_of_float64_or_error_entry() -> None:
    assert H["fromJson"]('{"a": 1, "b": [2, "x"]}') == {"a": 1.0, "b": [2.0, "x"]}
    assert isinstance(H["fromJson"]('{"a": 1}')["a"], float)
    assert "Error" in H["fromJson"]("{bad")
    assert H["fromJson"]("[1]") == {
        "Error": "json: cannot unmarshal array into Go value of type map[string]interface {}"
    }
    assert H["fromJsonArray"]("[1, {}]") == [1.0, {}]
    assert H["fromJsonArray"]('{"a":1}') == [
        "json: cannot unmarshal object into Go value of type []interface {}"
    ]


def test_sprig_from_json_accepts_any_value_and_must_variant_raises() -> None:
    sprig = template_functions()
    assert sprig["mustFromJson"]('"x"') == "x"
    with pytest.raises(FunctionError, match="invalid character"):
        sprig["mustFromJson"]("nope")


# ---------------------------------------------------------------------------
# fromYaml: go-yaml v2 resolution + JSON round trip
# ---------------------------------------------------------------------------


def test_from_yaml_resolves_scalars_like_go_yaml_v2() -> None:
    text = (
        "a: 1\nb: yes\nc: 0777\nd: 1e3\ne: 2001-12-14\nf: y\ng: 08\nh: ~\ni: '1'\nj: 1_000\nk: 0x10\n2: two\n"
    )
    assert H["fromYaml"](text) == {
        "a": 1.0,
        "b": True,
        "c": 511.0,
        "d": 1000.0,
        "e": "2001-12-14",
        "f": True,
        "g": 8.0,
        "h": None,
        "i": "1",
        "j": 1000.0,
        "k": 16.0,
        "2": "two",
    }


def test_from_yaml_errors_are_returned_in_the_error_key() -> None:
    assert H["fromYaml"]("- a\n- b") == {
        "Error": (
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value "
            "of type map[string]interface {}"
        )
    }
    assert H["fromYaml"]("a: b: c")["Error"].startswith("error converting YAML to JSON: yaml: line 1:")
    assert H["fromYaml"]("") == {}


def test_from_yaml_reads_only_the_first_document_and_merges_anchors() -> None:
    assert H["fromYaml"]("a: 1\n---\nb: 2\n") == {"a": 1.0}
    assert H["fromYaml"]("base: &b {x: 1}\nd:\n  <<: *b\n  z: 2\n")["d"] == {"x": 1.0, "z": 2.0}


def test_from_yaml_keeps_go_yaml_v2s_boolean_keys() -> None:
    """go-yaml v2 reads the key ``y`` as true; sigs.k8s.io/yaml then writes it as "true"."""
    assert H["fromYaml"]("y: 1\nn: 2\n") == {"true": 1.0, "false": 2.0}


def test_from_yaml_array() -> None:
    assert H["fromYamlArray"]("- 1\n- a: b\n") == [1.0, {"a": "b"}]
    assert H["fromYamlArray"]("a: 1")[0].endswith(
        "cannot unmarshal object into Go value of type []interface {}"
    )


# ---------------------------------------------------------------------------
# TOML
# ---------------------------------------------------------------------------


def test_to_toml_writes_keys_then_tables() -> None:
    value = {"title": "x", "n": 1.0, "i": 2, "db": {"ports": [1, 2], "opt": {"on": True}}, "skip": None}
    assert H["toToml"](value) == (
        'i = 2\nn = 1.0\ntitle = "x"\n\n[db]\n  ports = [1, 2]\n  [db.opt]\n    on = true\n'
    )


def test_to_toml_arrays_of_tables() -> None:
    assert H["toToml"]({"srv": [{"a": 1}, {"a": 2}]}) == "[[srv]]\n  a = 1\n\n[[srv]]\n  a = 2\n"


# ---------------------------------------------------------------------------
# required, fail, lookup
# ---------------------------------------------------------------------------


def test_required_passes_values_through_and_stops_on_nil_or_empty_string() -> None:
    assert H["required"]("need x", 0) == 0
    assert H["required"]("need x", False) is False
    assert H["required"]("need x", {}) == {}
    with pytest.raises(HelmFailError) as caught:
        H["required"]("need x", None)
    assert caught.value.message == "need x"
    with pytest.raises(HelmFailError):
        H["required"]("need x", "")


def test_fail_raises_and_lint_mode_tolerates() -> None:
    with pytest.raises(HelmFailError, match="boom"):
        H["fail"]("boom")
    lint = helm_functions(lint_mode=True)
    assert lint["fail"]("boom") == ""
    assert lint["required"]("x", None) == ""


def test_lookup_is_empty_under_helm_template() -> None:
    assert H["lookup"]("v1", "Secret", "default", "x") == {}


def test_helm_map_drops_env_and_overrides_sprig_from_json() -> None:
    functions = template_functions()
    assert "env" not in functions and "expandenv" not in functions
    assert functions["fromJson"]("[1]")["Error"].startswith("json: cannot unmarshal array")
    assert "include" not in functions and "tpl" not in functions


# ---------------------------------------------------------------------------
# .Files, .Capabilities, .Release, .Template
# ---------------------------------------------------------------------------


def _files() -> ChartFiles:
    return ChartFiles(
        {
            "config/app.conf": b"a=1\nb=2\n",
            "config/sub/x.ini": b"x",
            "config/other.txt": b"o",
            "README.md": b"# readme",
            "empty.txt": b"",
        }
    )


def test_files_get_and_missing_files() -> None:
    files = _files()
    assert files.Get("config/app.conf") == "a=1\nb=2\n"
    assert files.GetBytes("README.md") == b"# readme"
    assert files.Get("missing") == ""
    assert files.Get("../../etc/passwd") == ""


def test_files_glob_separator_rules() -> None:
    files = _files()
    assert sorted(files.Glob("config/*")) == ["config/app.conf", "config/other.txt"]
    assert sorted(files.Glob("config/**")) == ["config/app.conf", "config/other.txt", "config/sub/x.ini"]
    assert sorted(files.Glob("config/*.{conf,ini}")) == ["config/app.conf"]
    assert sorted(files.Glob("**.ini")) == ["config/sub/x.ini"]
    assert isinstance(files.Glob("*"), ChartFiles)


def test_files_lines_as_config_and_as_secrets() -> None:
    files = _files()
    assert files.Lines("config/app.conf") == ["a=1", "b=2"]
    assert files.Lines("missing") == []
    with pytest.raises(FunctionError):
        files.Lines("empty.txt")
    assert files.Glob("config/*").AsConfig() == "app.conf: |\n  a=1\n  b=2\nother.txt: o"
    assert files.Glob("config/other.txt").AsSecrets() == "other.txt: bw=="
    assert ChartFiles().AsConfig() == "{}"


def test_capabilities_defaults_match_helm_template() -> None:
    caps = make_capabilities()
    assert DEFAULT_KUBE_VERSION == "v1.20.0"
    assert (caps.KubeVersion.Version, caps.KubeVersion.Major, caps.KubeVersion.Minor) == (
        "v1.20.0",
        "1",
        "20",
    )
    assert caps.KubeVersion.GitVersion() == "v1.20.0"
    assert str(caps.KubeVersion) == "v1.20.0"
    assert caps.APIVersions.Has("apps/v1") and caps.APIVersions.Has("policy/v1")
    assert not caps.APIVersions.Has("apps/v1/Deployment")
    assert not caps.APIVersions.Has("helm.k8s.io/test")


def test_capabilities_are_configurable_like_helm_flags() -> None:
    caps = make_capabilities(kube_version="1.16", api_versions=["helm.k8s.io/test"])
    assert caps.KubeVersion.Version == "v1.16.0"
    assert caps.KubeVersion.Minor == "16"
    assert caps.APIVersions.Has("helm.k8s.io/test")
    assert template_functions()["semverCompare"](">=1.21-0", caps.KubeVersion.GitVersion()) is False


def test_release_and_template_objects() -> None:
    assert release_object() == {
        "Name": "release-name",
        "Namespace": "default",
        "IsUpgrade": False,
        "IsInstall": True,
        "Revision": 1,
        "Service": "Helm",
    }
    assert release_object(is_upgrade=True)["IsInstall"] is False
    assert template_object("c/templates/a.yaml", "c/templates") == {
        "Name": "c/templates/a.yaml",
        "BasePath": "c/templates",
    }


def test_printf_type_of_typed_go_values() -> None:
    """`%T` names a typed Go value's own type (splitList gives []string), as Go's fmt does."""
    from medlint.helm.functions import template_functions
    from medlint.helm.gotemplate import TemplateSet

    templates = TemplateSet(funcs=template_functions())
    templates.parse("t", '{{ printf "%T|%T|%T" (splitList "," "a,b") (list 1) now }}')
    assert templates.execute("t", {}) == "[]string|[]interface {}|time.Time"
