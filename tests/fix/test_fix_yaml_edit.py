"""YAML edits: each edit kind, in the styles real files use, through both editor routes.

Every case states the exact expected text: only the lines a fix must add or change differ. The `route`
fixture runs each case once through ruamel.yaml (the first choice) and once with ruamel disabled, so the
text-splicing route that takes over when ruamel would rewrite more is held to the same expectations.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from medlint.fix import yaml_edit
from medlint.fix.yaml_edit import YamlChange, edit_yaml
from medlint.fix.yamldoc import YamlEditError, YamlFile


@pytest.fixture(params=["ruamel", "text"])
def route(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "text":

        def refuse(*args: Any) -> str:
            raise YamlEditError("ruamel disabled for this test")

        monkeypatch.setattr(yaml_edit, "apply_ruamel", refuse)
    return str(request.param)


def at(text: str, line: int, column: int, up: int = 0) -> tuple[Any, ...]:
    """The path of the node at a 1-based position, `up` steps shorter (the container of a key)."""
    path = YamlFile(text).locate(line, column)
    assert path is not None, (line, column)
    return path[: len(path) - up] if up else path


def apply(text: str, *changes: YamlChange) -> str:
    result = edit_yaml(text, list(changes))
    assert not result.refused, result.refused
    assert result.text is not None
    return result.text


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web  # 中文注释: the service
spec:
  template:
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1.0
        ports:
        - containerPort: 8080

      # the volumes
      volumes: []
"""


def test_adds_a_nested_block_under_a_container_before_the_next_sections_comment(route: str) -> None:
    container = at(DEPLOYMENT, 9, 9, up=1)
    result = apply(
        DEPLOYMENT,
        YamlChange(container, ("securityContext", "allowPrivilegeEscalation"), False),
        YamlChange(container, ("securityContext", "capabilities", "drop"), "ALL", append=True),
    )
    assert result == DEPLOYMENT.replace(
        "        - containerPort: 8080\n",
        "        - containerPort: 8080\n"
        "        securityContext:\n"
        "          allowPrivilegeEscalation: false\n"
        "          capabilities:\n"
        "            drop:\n"
        "            - ALL\n",
    )


FOUR_SPACES = """\
services:
    app:
        image: app:1.0
        ports:
            - "8080:8080"
    db:
        image: db:1.0
"""


def test_follows_a_files_four_space_indentation_and_indented_lists(route: str) -> None:
    service = at(FOUR_SPACES, 2, 5)
    result = apply(FOUR_SPACES, YamlChange(service, ("cap_drop",), "ALL", append=True))
    assert result == FOUR_SPACES.replace(
        '            - "8080:8080"\n', '            - "8080:8080"\n        cap_drop:\n            - ALL\n'
    )


def test_extends_a_flow_mapping_on_its_own_line(route: str) -> None:
    text = "containers:\n- name: a\n  securityContext: {runAsUser: 1000}  # keep\n"
    result = apply(
        text, YamlChange(at(text, 2, 3, up=1), ("securityContext", "allowPrivilegeEscalation"), False)
    )
    assert (
        result
        == "containers:\n- name: a\n  securityContext: {runAsUser: 1000, allowPrivilegeEscalation: false}  # keep\n"
    )


def test_fills_an_empty_flow_mapping_and_extends_a_flow_list(route: str) -> None:
    text = "c:\n  securityContext: {}\n  other:\n    drop: [NET_RAW]\n"
    base = (0, "c")
    result = apply(
        text,
        YamlChange(base, ("securityContext", "seccompProfile", "type"), "RuntimeDefault"),
        YamlChange(base, ("other", "drop"), "ALL", append=True),
    )
    assert (
        result
        == "c:\n  securityContext: {seccompProfile: {type: RuntimeDefault}}\n  other:\n    drop: [NET_RAW, ALL]\n"
    )


def test_appended_items_take_the_lists_quoting(route: str) -> None:
    text = 'app:\n  security_opt:\n    - "label:type:x"\n  image: a\n'
    result = apply(text, YamlChange((0, "app"), ("security_opt",), "no-new-privileges:true", append=True))
    assert (
        result == 'app:\n  security_opt:\n    - "label:type:x"\n    - "no-new-privileges:true"\n  image: a\n'
    )


def test_an_item_already_there_is_not_added_again(route: str) -> None:
    text = "app:\n  cap_drop:\n    - ALL\n"
    assert edit_yaml(text, [YamlChange((0, "app"), ("cap_drop",), "ALL", append=True)]).text is None


def test_fills_an_empty_value_below_its_key_and_an_explicit_null_in_place(route: str) -> None:
    text = "a:\n  securityContext:\n  image: x\nb:\n  securityContext: null\n"
    result = apply(
        text,
        YamlChange((0, "a"), ("securityContext", "runAsNonRoot"), True),
        YamlChange((0, "b"), ("securityContext", "runAsNonRoot"), True),
    )
    assert result == (
        "a:\n  securityContext:\n    runAsNonRoot: true\n  image: x\nb:\n  securityContext: {runAsNonRoot: true}\n"
    )


def test_replaces_a_scalar_keeping_its_quotes_only_when_allowed(route: str) -> None:
    text = 'c:\n  imagePullPolicy: "IfNotPresent"  # why\n'
    assert edit_yaml(text, [YamlChange((0, "c"), ("imagePullPolicy",), "Always")]).refused
    result = apply(text, YamlChange((0, "c"), ("imagePullPolicy",), "Always", replace=True))
    assert result == 'c:\n  imagePullPolicy: "Always"  # why\n'


MULTI = """\
%YAML 1.1
---
# first object
apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers:
    - name: a
      image: a:1
# between the documents
---
apiVersion: v1
kind: Pod
metadata:
  name: b
spec:
  containers:
    - name: b
      image: b:1
...
"""


def test_multi_document_files_keep_directives_separators_and_comments_between_documents(route: str) -> None:
    result = apply(
        MULTI, YamlChange(at(MULTI, 19, 7, up=1), ("securityContext", "allowPrivilegeEscalation"), False)
    )
    assert result == MULTI.replace(
        "      image: b:1\n",
        "      image: b:1\n      securityContext:\n        allowPrivilegeEscalation: false\n",
    )


def test_list_kind_items(route: str) -> None:
    text = "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  spec:\n    containers:\n    - name: x\n      image: x\n"
    path = at(text, 7, 7, up=1)
    assert path == (0, "items", 0, "spec", "containers", 0)
    result = apply(text, YamlChange(path, ("imagePullPolicy",), "Always"))
    assert result == text + "      imagePullPolicy: Always\n"


ANCHORS = """\
x-defaults: &defaults
  restart: always
  cap_drop: [NET_RAW]
services:
  app:
    <<: *defaults
    image: app
  worker: &worker
    image: worker
  worker2: *worker
"""


def test_keys_from_merge_keys_and_nodes_reused_through_aliases_are_refused() -> None:
    merged = edit_yaml(ANCHORS, [YamlChange((0, "services", "app"), ("cap_drop",), "ALL", append=True)])
    assert "merge key" in merged.refused[0]
    shared = edit_yaml(ANCHORS, [YamlChange((0, "services", "worker"), ("read_only",), True)])
    assert "alias" in shared.refused[0]


def test_anchors_and_aliases_elsewhere_survive_an_edit(route: str) -> None:
    result = apply(ANCHORS, YamlChange((0, "services", "app"), ("read_only",), True))
    assert result == ANCHORS.replace("    image: app\n", "    image: app\n    read_only: true\n")


def test_crlf_line_ends_and_a_missing_final_newline_are_kept(route: str) -> None:
    text = "app:\r\n  image: a\r\n  ports:\r\n  - 80"
    result = apply(text, YamlChange((0, "app"), ("read_only",), True))
    assert result == "app:\r\n  image: a\r\n  ports:\r\n  - 80\r\n  read_only: true"


def test_long_lines_and_odd_scalars_elsewhere_are_not_rewritten(route: str) -> None:
    long_value = "x" * 300
    text = (
        f"app:\n  command: '{long_value}'\n  mode: 0755\n  when: yes\n  script: |\n    echo a\n\n    echo b\n"
        "  env: {A: 'b'}\n"
    )
    result = apply(text, YamlChange((0, "app"), ("read_only",), True))
    assert result == text + "  read_only: true\n"


def test_a_comment_indented_inside_the_mapping_stays_above_the_insertion(route: str) -> None:
    text = (
        "c:\n  securityContext:\n    runAsUser: 1000\n    # runAsGroup: 1000\n  # next section\n  ports: []\n"
    )
    result = apply(text, YamlChange((0, "c"), ("securityContext", "runAsNonRoot"), True))
    assert result == text.replace(
        "    # runAsGroup: 1000\n", "    # runAsGroup: 1000\n    runAsNonRoot: true\n"
    )


def test_a_value_that_is_not_a_mapping_is_refused() -> None:
    text = "c:\n  securityContext: [a]\n"
    refused = edit_yaml(text, [YamlChange((0, "c"), ("securityContext", "runAsNonRoot"), True)]).refused
    assert "not a mapping" in refused[0]


def test_one_refused_change_does_not_stop_the_others() -> None:
    text = "c:\n  securityContext: [a]\nd:\n  image: x\n"
    result = edit_yaml(
        text,
        [
            YamlChange((0, "c"), ("securityContext", "runAsNonRoot"), True),
            YamlChange((0, "d"), ("read_only",), True),
        ],
    )
    assert list(result.refused) == [0]
    assert result.text == text + "  read_only: true\n"


def test_text_that_does_not_parse_refuses_everything() -> None:
    result = edit_yaml("a: [\n", [YamlChange((0,), ("b",), True)])
    assert result.text is None and "does not parse" in result.refused[0]


def test_the_proof_rejects_a_result_with_other_differences() -> None:
    text = "a:\n  b: 1\n  c: 2\n"
    yfile = YamlFile(text)
    change = YamlChange((0, "a"), ("d",), True)
    actions = yaml_edit.resolve_changes(yfile, [change])
    assert (
        yaml_edit.verify(yfile, "a:\n  b: 1\n  c: 3\n  d: true\n", [change], actions, frozenset()) is not None
    )
    assert yaml_edit.verify(yfile, "a:\n  b: 1\n  c: 2\n  d: true\n", [change], actions, frozenset()) is None
    lost_comment = yaml_edit.verify(
        YamlFile("# x\n" + text), text + "  d: true\n", [change], actions, frozenset()
    )
    assert lost_comment is not None


def test_ruamel_is_the_editor_where_its_output_keeps_every_line() -> None:
    container = at(DEPLOYMENT, 9, 9, up=1)
    assert edit_yaml(DEPLOYMENT, [YamlChange(container, ("imagePullPolicy",), "Always")]).route == "ruamel"
    # ruamel.yaml drops the `%YAML` directive and the `...` marker, so the text route takes over.
    container = at(MULTI, 19, 7, up=1)
    assert edit_yaml(MULTI, [YamlChange(container, ("imagePullPolicy",), "Always")]).route == "text"


def test_a_json_file_stays_json() -> None:
    """A JSON manifest is edited in JSON (quoted keys and strings), never in YAML's flow style."""
    text = (
        '{\n  "kind": "Pod",\n  "spec": {\n    "securityContext": {},\n'
        '    "containers": [{"name": "a", "image": "x:1", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}],\n'
        '    "enableServiceLinks": true\n  }\n}\n'
    )
    container = (0, "spec", "containers", 0)
    result = apply(
        text,
        YamlChange(container, ("securityContext", "allowPrivilegeEscalation"), False),
        YamlChange(container, ("securityContext", "capabilities", "drop"), "ALL", append=True),
        YamlChange((0, "spec"), ("securityContext", "seccompProfile", "type"), "RuntimeDefault"),
        YamlChange((0, "spec"), ("enableServiceLinks",), False, replace=True),
    )
    assert result == (
        '{\n  "kind": "Pod",\n  "spec": {\n    "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},\n'
        '    "containers": [{"name": "a", "image": "x:1", "securityContext": {"capabilities": {"drop": ["NET_RAW", "ALL"]}, '
        '"allowPrivilegeEscalation": false}}],\n'
        '    "enableServiceLinks": false\n  }\n}\n'
    )
    json.loads(result)
