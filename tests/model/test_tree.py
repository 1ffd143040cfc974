"""Node: the typed, positioned view of YAML trees that checks read open-ended shapes through."""

from __future__ import annotations

from medlint.model.compose_positions import SourcedMap
from medlint.model.location import Location
from medlint.model.tree import Node, label_text, yaml_text
from medlint.source import load_yaml_documents

TEXT = """\
spec:
  replicas: 3
  paused: false
  labels:
    app: web
    on: yes
  ports:
    - 80
    - name: https
  empty: {}
  nothing:
"""


def root() -> Node:
    return Node.root(load_yaml_documents(TEXT)[0].value, "deploy.yaml")


def test_mapping_entries_carry_their_key_and_value_positions() -> None:
    replicas = root().at("spec", "replicas")
    assert replicas.present and replicas.integer == 3 and replicas.text == "3"
    assert replicas.key_location == Location("deploy.yaml", 2, 3, 2, 11)
    assert replicas.location == Location("deploy.yaml", 2, 13, 2, 14)


def test_absent_keys_point_at_the_mapping_that_should_hold_them() -> None:
    spec = root().get("spec")
    missing = spec.at("strategy", "type")
    assert not missing.present and not missing and missing.scalar is None and missing.text is None
    assert missing.elements() == [] and list(missing.items()) == [] and len(missing) == 0
    assert spec.get("strategy").location == spec.start == Location("deploy.yaml", 2, 3)
    assert spec.key_or("strategy", Location("x")) == Location("x")


def test_truthiness_and_typed_scalars_follow_yaml_data() -> None:
    spec = root().get("spec")
    assert spec.get("paused").is_false and not spec.get("paused") and spec.get("paused").present
    assert spec.get("nothing").is_null and spec.get("nothing").present and not spec.get("nothing")
    assert not spec.get("empty") and spec.get("empty").is_map
    assert spec.get("paused").yaml_text == "false" and spec.get("nothing").yaml_text == "null"
    assert spec.get("labels").string_map() == {"app": "web", "True": "true"}  # YAML 1.1 `on: yes`
    assert label_text(True) == "true" and yaml_text(None) == "null"


def test_list_items_and_scalar_or_list_values() -> None:
    ports = root().at("spec", "ports")
    items = ports.elements()
    assert [item.scalar for item in items] == [80, None] and items[1].get("name").text == "https"
    assert items[0].location == Location("deploy.yaml", 8, 7, 8, 9) == items[0].key_location
    assert [node.integer for node in root().at("spec", "replicas").as_list()] == [3]
    assert root().at("spec", "nothing").as_list() == [] and ports.as_list()[0].integer == 80


def test_plain_copies_are_plain_data() -> None:
    plain = root().at("spec", "ports").plain()
    assert plain == [80, {"name": "https"}] and type(plain[1]) is dict
    assert root().get("absent").plain() is None


def test_sourced_maps_report_the_file_that_wrote_each_key() -> None:
    service = SourcedMap("compose.yaml")
    service["image"] = "app"
    service.set_spans("image", (3, 5, 3, 10), (3, 12, 3, 15))
    service.key_paths["image"] = "base.yaml"
    node = Node.root(service, "ignored.yaml")
    assert node.get("image").location == Location("base.yaml", 3, 12, 3, 15)
    assert node.get("user").location == Location("compose.yaml", 1, 1)
