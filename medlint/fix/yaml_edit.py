"""Edits to YAML files that change only the lines that must change.

A fix asks for a `YamlChange`: below an existing mapping, make a key hold a value (creating the mappings on
the way), or make a list contain an item. The change is resolved against the file's node tree into one of
four text-level actions (insert into a mapping, fill an empty value, replace a scalar, append to a list) and
applied in two independent ways:

1. **ruamel.yaml round trip** (the design's editor): the document is loaded with comments, edited as data
   and dumped with the indentation detected in this file. ruamel keeps comments, quoting, flow style and
   anchors, but it attaches a comment to the token before it, so a comment that introduces the *next*
   section would end up above the added key: such comments are moved along with the insertion point.
2. **Text splicing** at the positions of the node tree: new lines rendered in the file's own style after
   the last line of the mapping, or an in-line edit of a flow collection or scalar.

Whichever route is used, the result must pass the same proof before it is accepted: it parses; loaded as
data it equals the original data with exactly the requested changes; no original line outside the edited
nodes changed, none was lost, and every insertion sits inside the collection it extends. ruamel's result is
taken when it passes, else the text route's, else the change is refused (and reported as manual).
"""

from __future__ import annotations

import copy
import difflib
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import yaml

from medlint.fix.yamldoc import DataLoader as _Loader
from medlint.fix.yamldoc import (
    Indentation,
    Node,
    YamlEditError,
    YamlFile,
    YamlPath,
    constructed_key,
)


@dataclass(frozen=True)
class YamlChange:
    """Below the mapping at `path`, `keys` must lead to `value` (or, with `append`, to a list holding it).

    Missing mappings on the way are created. An existing different scalar is replaced only with `replace`;
    otherwise the change is refused, because a fix never overrides a value someone wrote on purpose
    unless it is declared as doing so.
    """

    path: YamlPath
    keys: tuple[str, ...]
    value: Any
    append: bool = False
    replace: bool = False


@dataclass
class _Action:
    """One text-level action on an existing node."""

    kind: str  # "insert" (into a mapping), "fill" (an empty/null value), "replace" (a scalar), "append"
    node: Node  # the mapping, the null scalar, the scalar, or the list
    payload: Any  # dict for insert; any value for fill; scalar for replace; list of items for append
    key: Node | None = None  # for fill/replace: the key whose value it is
    parent: Node | None = None  # for fill/replace: the mapping holding the key
    depth: int = 0
    path: YamlPath = ()  # where `node` is


@dataclass
class EditResult:
    """The new text (None: nothing to change), the editor that made it, and the changes left out, with why."""

    text: str | None
    route: str = ""  # "ruamel", "text" or "" when nothing changed
    refused: dict[int, str] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# Resolving changes against the node tree


def resolve_change(yfile: YamlFile, change: YamlChange) -> _Action | None:
    node = yfile.node_at(change.path)
    if node is None:
        raise YamlEditError(f"nothing at {_dotted(change.path)}")
    if yfile.shared(change.path):
        raise YamlEditError(
            f"{_dotted(change.path)} is defined once and reused through a YAML alias; edit the anchor by hand"
        )
    if node.kind != "map":
        raise YamlEditError(f"{_dotted(change.path)} is not a mapping")
    target: Any = [change.value] if change.append else change.value
    path = change.path
    for position, key in enumerate(change.keys):
        rest = change.keys[position + 1 :]
        if node.anchor and node.anchor in yfile.aliased:
            raise YamlEditError(f"{key} sits in a node reused through a YAML alias; edit the anchor by hand")
        entry = next(((k, v) for k, v in node.entries if k.kind == "scalar" and k.value == key), None)
        if entry is None:
            if key in yfile.merged_keys(node):
                raise YamlEditError(
                    f"{key} comes from a YAML merge key (<<); adding it here would replace it whole"
                )
            return _Action("insert", node, _nest((key, *rest), target), depth=position, path=path)
        key_node, value = entry
        if value.kind == "alias":
            raise YamlEditError(f"{key} is a YAML alias; edit the anchor by hand")
        if value.is_null:
            return _Action(
                "fill",
                value,
                _nest(rest, target),
                key=key_node,
                parent=node,
                depth=position,
                path=path + (key,),
            )
        if rest:
            if value.kind != "map":
                raise YamlEditError(f"{key} is not a mapping")
            node = value
            path = path + (key,)
            continue
        if change.append:
            if value.kind != "seq":
                raise YamlEditError(f"{key} is not a list")
            existing = [item.value for item in value.items if item.kind == "scalar"]
            if any(item.kind != "scalar" for item in value.items) and value.flow:
                raise YamlEditError(f"{key} holds non-scalar items")
            if str(change.value) in existing:
                return None
            return _Action("append", value, [change.value], depth=position, path=path + (key,))
        if value.kind != "scalar":
            raise YamlEditError(f"{key} holds a {'mapping' if value.kind == 'map' else 'list'}, not a value")
        if _scalar_equals(value, change.value):
            return None
        if not change.replace:
            raise YamlEditError(f"{key} is already set to {value.value!r}")
        if value.style in ("|", ">") or value.line != value.end_line:
            raise YamlEditError(f"{key} is a multi-line value")
        return _Action(
            "replace", value, change.value, key=key_node, parent=node, depth=position, path=path + (key,)
        )
    raise YamlEditError("a change needs at least one key")


def _nest(keys: tuple[str, ...], value: Any) -> Any:
    for key in reversed(keys):
        value = {key: value}
    return value


def _scalar_equals(node: Node, value: Any) -> bool:
    if node.style or node.tag:
        return isinstance(value, str) and node.value == value
    try:
        loaded = yaml.load(node.value, Loader=_Loader)
    except yaml.YAMLError:
        return False
    return type(loaded) is type(value) and loaded == value


def _merge_payload(into: Any, extra: Any) -> Any:
    """Deep-merge two payloads for the same node (two fixes adding to one new securityContext)."""
    if isinstance(into, dict) and isinstance(extra, dict):
        merged = dict(into)
        for key, value in extra.items():
            merged[key] = _merge_payload(merged[key], value) if key in merged else value
        return merged
    if isinstance(into, list) and isinstance(extra, list):
        return into + [item for item in extra if item not in into]
    if into == extra and type(into) is type(extra):
        return into
    raise YamlEditError(f"two fixes want different values here ({into!r} and {extra!r})")


def resolve_changes(yfile: YamlFile, changes: list[YamlChange]) -> list[_Action]:
    """One action per edited node; changes aimed at the same node are merged."""
    actions: dict[tuple[int, str], _Action] = {}
    for change in changes:
        action = resolve_change(yfile, change)
        if action is None:
            continue
        key = (id(action.node), action.kind)
        if key in actions:
            actions[key].payload = _merge_payload(actions[key].payload, action.payload)
        else:
            actions[key] = action
    return list(actions.values())


# --------------------------------------------------------------------------------------------------
# Rendering values in the file's style

_PLAIN_SAFE = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./:=@+-]*$")
#: Plain words that YAML 1.1 readers (Kubernetes, Compose) take as booleans or null: written quoted.
_YAML11_WORDS = frozenset(
    variant
    for word in ("y", "yes", "n", "no", "true", "false", "on", "off", "null", "~")
    for variant in (word, word.capitalize(), word.upper())
)


def render_scalar(value: Any, flow: bool = False, quote: str = "") -> str:
    """A scalar as YAML text; strings stay plain only where every YAML 1.1 and 1.2 reader agrees."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if quote == "'" and "'" not in text and "\n" not in text:
        return f"'{text}'"
    plain = (
        not quote
        and _PLAIN_SAFE.match(text)
        and text not in _YAML11_WORDS
        and not text.endswith(":")
        and not (flow and ":" in text)
    )
    return text if plain else json.dumps(text, ensure_ascii=False)


def render_flow(value: Any, as_json: bool = False) -> str:
    """A value in flow style: YAML's, or JSON (keys and strings in double quotes) for a JSON file."""
    if as_json:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render_scalar(k, True)}: {render_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render_flow(item) for item in value) + "]"
    return render_scalar(value, flow=True)


def render_block(value: dict[str, Any], indent: int, style: Indentation, quote: str = "") -> list[str]:
    """Block lines (without line ends) for the entries of `value`, keys at column `indent`."""
    lines: list[str] = []
    pad = " " * indent
    for key, item in value.items():
        if isinstance(item, dict) and item:
            lines.append(f"{pad}{render_scalar(key)}:")
            lines.extend(render_block(item, indent + style.mapping, style, quote))
        elif isinstance(item, list) and item:
            lines.append(f"{pad}{render_scalar(key)}:")
            lines.extend(render_items(item, indent + style.dash_offset, quote))
        else:
            lines.append(
                f"{pad}{render_scalar(key)}: {render_flow(item) if isinstance(item, (dict, list)) else render_scalar(item, quote=quote)}"
            )
    return lines


def render_items(items: list[Any], dash_column: int, quote: str = "") -> list[str]:
    return [f"{' ' * dash_column}- {render_scalar(item, quote=quote)}" for item in items]


# --------------------------------------------------------------------------------------------------
# Route 1: text splicing


@dataclass
class _Splice:
    start: int  # character offset
    end: int
    text: str
    changed_lines: frozenset[int]  # original 0-based lines whose text changes (in-line edits)
    order: int = 0


def _line_start(yfile: YamlFile, line: int) -> int:
    return sum(len(text) for text in yfile.lines[:line])


def _after_line(yfile: YamlFile, line: int, new_lines: list[str], depth: int) -> _Splice:
    """Insert whole lines after a 0-based line, with the file's line ending (and none added at EOF)."""
    newline = yfile.line_ending()
    position = _line_start(yfile, line + 1)
    body = newline.join(new_lines)
    if line + 1 >= len(yfile.lines) and not yfile.text.endswith(("\n", "\r")):
        return _Splice(position, position, newline + body, frozenset({line}), order=-depth)
    return _Splice(position, position, body + newline, frozenset(), order=-depth)


def _quote_style(node: Node) -> str:
    """The quoting of existing items, so `- "ALL"` lists get `- "NEW"`."""
    styles = Counter(item.style for item in node.items if item.kind == "scalar")
    style = styles.most_common(1)[0][0] if styles else ""
    return style if style in ("'", '"') else ""


def _splices(
    yfile: YamlFile, actions: list[_Action], style: Indentation, as_json: bool = False
) -> list[_Splice]:
    splices: list[_Splice] = []
    text = yfile.text

    def flow_scalar(item: Any, quote: str = "") -> str:
        return json.dumps(item, ensure_ascii=False) if as_json else render_scalar(item, True, quote)

    for action in actions:
        node = action.node
        if action.kind == "insert":
            if node.flow:
                if node.entries:
                    last_key, last_value = node.entries[-1]
                    position = max(last_key.end, last_value.end)
                    insert = ", " + render_flow(action.payload, as_json)[1:-1]
                else:
                    position = text.index("{", node.start) + 1
                    insert = render_flow(action.payload, as_json)[1:-1]
                splices.append(
                    _Splice(position, position, insert, frozenset({yfile.text.count("\n", 0, position)}))
                )
            else:
                lines = render_block(action.payload, node.key_column(), style)
                splices.append(_after_line(yfile, yfile.region_end(node), lines, action.depth))
        elif action.kind == "append":
            quote = _quote_style(node)
            if node.flow:
                if node.items:
                    position = node.items[-1].end
                    insert = ", " + ", ".join(flow_scalar(item, quote) for item in action.payload)
                else:
                    position = text.index("[", node.start) + 1
                    insert = ", ".join(flow_scalar(item, quote) for item in action.payload)
                splices.append(
                    _Splice(position, position, insert, frozenset({yfile.text.count("\n", 0, position)}))
                )
            else:
                parent_key_column = _parent_key_column(yfile, node)
                indentless = parent_key_column is not None and node.column == parent_key_column
                lines = render_items(action.payload, node.column, quote)
                splices.append(
                    _after_line(
                        yfile, yfile.region_end(node, deeper_comments_only=indentless), lines, action.depth
                    )
                )
        elif action.kind == "fill":
            assert action.key is not None and action.parent is not None
            payload = action.payload
            if (
                node.is_empty_scalar
                and not action.parent.flow
                and isinstance(payload, (dict, list))
                and payload
            ):
                column = action.key.column
                if isinstance(payload, dict):
                    lines = render_block(payload, column + style.mapping, style)
                else:
                    lines = render_items(payload, column + style.dash_offset)
                splices.append(_after_line(yfile, yfile.last_line(action.key), lines, action.depth))
            else:
                rendered = (
                    render_flow(payload, as_json)
                    if isinstance(payload, (dict, list)) or as_json
                    else render_scalar(payload, action.parent.flow)
                )
                prefix = (
                    " " if node.is_empty_scalar and not text[node.start - 1 : node.start].isspace() else ""
                )
                splices.append(_Splice(node.start, node.end, prefix + rendered, frozenset({node.line})))
        else:  # replace
            quote = node.style if node.style in ("'", '"') else ""
            rendered = (
                json.dumps(action.payload, ensure_ascii=False)
                if as_json
                else render_scalar(
                    action.payload, flow=bool(action.parent and action.parent.flow), quote=quote
                )
            )
            splices.append(_Splice(node.start, node.end, rendered, frozenset({node.line})))
    return splices


def _parent_key_column(yfile: YamlFile, node: Node) -> int | None:
    for _, candidate, key in yfile.walk():
        if candidate is node and key is not None:
            return key.column
    return None


def apply_text(
    yfile: YamlFile, actions: list[_Action], style: Indentation, as_json: bool = False
) -> tuple[str, frozenset[int]]:
    """The spliced text and the original lines that in-line edits change."""
    splices = _splices(yfile, actions, style, as_json)
    ordered = sorted(enumerate(splices), key=lambda pair: (pair[1].start, pair[1].order, pair[0]))
    pieces: list[str] = []
    cursor = 0
    changed: set[int] = set()
    for _, splice in ordered:
        if splice.start < cursor:
            raise YamlEditError("two edits overlap")
        pieces.append(yfile.text[cursor : splice.start])
        pieces.append(splice.text)
        cursor = splice.end
        changed |= splice.changed_lines
    pieces.append(yfile.text[cursor:])
    return "".join(pieces), frozenset(changed)


# --------------------------------------------------------------------------------------------------
# Route 2: ruamel.yaml round trip


def apply_ruamel(yfile: YamlFile, actions: list[_Action], style: Indentation) -> str:
    """Edit through ruamel.yaml's round-trip loader and dumper. Raises YamlEditError when it cannot."""
    try:
        return _apply_ruamel(yfile, actions, style)
    except YamlEditError:
        raise
    except Exception as error:  # ruamel's internals vary by version: any failure means "use the text route"
        raise YamlEditError(f"ruamel.yaml failed: {type(error).__name__}: {error}") from None


def _apply_ruamel(yfile: YamlFile, actions: list[_Action], style: Indentation) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    editor = YAML(typ="rt")
    editor.preserve_quotes = True
    editor.width = 1 << 30  # never fold long lines
    editor.indent(mapping=style.mapping, sequence=style.dash_offset + 2, offset=style.dash_offset)
    editor.explicit_start = bool(yfile.documents and yfile.documents[0].explicit_start)
    try:
        documents = list(editor.load_all(yfile.text))
    except Exception as error:  # ruamel raises many error types; any of them means "not this route"
        raise YamlEditError(f"ruamel.yaml cannot load the file: {error}") from None
    for action in actions:
        if action.kind == "insert":
            node: Any = _ruamel_node(yfile, documents, action.path)
            if not isinstance(node, CommentedMap):
                raise YamlEditError("not a mapping in ruamel's tree")
            for key, value in action.payload.items():
                _ruamel_add(node, key, _ruamel_value(value, node.fa.flow_style(), CommentedMap, CommentedSeq))
        elif action.kind == "append":
            sequence = _ruamel_node(yfile, documents, action.path)
            if not isinstance(sequence, CommentedSeq):
                raise YamlEditError("not a list in ruamel's tree")
            for item in action.payload:
                _ruamel_append(sequence, item)
        else:
            parent = _ruamel_node(yfile, documents, action.path[:-1])
            key = _ruamel_key(parent, action.key)
            if action.kind == "fill":
                parent[key] = _ruamel_value(
                    action.payload, parent.fa.flow_style(), CommentedMap, CommentedSeq
                )
            else:
                parent[key] = _ruamel_scalar(parent[key], action.payload)
    buffer = io.StringIO()
    try:
        if len(documents) == 1 and not yfile.documents[0].explicit_start:
            editor.dump(documents[0], buffer)
        else:
            editor.dump_all(documents, buffer)
    except Exception as error:
        raise YamlEditError(f"ruamel.yaml cannot write the file: {error}") from None
    result = buffer.getvalue()
    if yfile.line_ending() == "\r\n":
        result = result.replace("\r\n", "\n").replace("\n", "\r\n")
    if not yfile.text.endswith(("\n", "\r")) and result.endswith("\n"):
        result = result.rstrip("\r\n")
    return result


def _key_position(mapping: Any, key: Any) -> tuple[int, int] | None:
    """Where ruamel read a key (None for keys added in this run)."""
    position = mapping.lc.data.get(key)
    return (position[0], position[1]) if position else None


def _ruamel_key(mapping: Any, key_node: Node | None) -> Any:
    """The ruamel key written at a key node's position."""
    if key_node is None or not isinstance(mapping, dict):
        raise YamlEditError("key not found in ruamel's tree")
    for key in mapping:
        if _key_position(mapping, key) == (key_node.line, key_node.column):
            return key
    raise YamlEditError("key not found in ruamel's tree")


def _ruamel_node(yfile: YamlFile, documents: list[Any], path: YamlPath) -> Any:
    """Follow a path by key positions: ruamel's keys may be typed differently from the text (`on`, `1`)."""
    node = documents[path[0]]
    for length in range(2, len(path) + 1):
        step = path[length - 1]
        if isinstance(node, dict):
            key_node = yfile.key_node(path[:length])
            if key_node is None:
                raise YamlEditError("path not found")
            match = [k for k in node if _key_position(node, k) == (key_node.line, key_node.column)]
            if not match:
                raise YamlEditError("path not found in ruamel's tree")
            node = node[match[0]]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            raise YamlEditError("path not found in ruamel's tree")
    return node


def _ruamel_value(value: Any, flow: bool, map_type: type, seq_type: type) -> Any:
    if isinstance(value, dict):
        result = map_type()
        for key, item in value.items():
            result[key] = _ruamel_value(item, flow, map_type, seq_type)
        if flow:
            result.fa.set_flow_style()
        return result
    if isinstance(value, list):
        result = seq_type(_ruamel_value(item, flow, map_type, seq_type) for item in value)
        if flow:
            result.fa.set_flow_style()
        return result
    return value


def _ruamel_scalar(current: Any, value: Any) -> Any:
    """Keep the quoting of the value being replaced."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(value, str):
        if isinstance(current, DoubleQuotedScalarString):
            return DoubleQuotedScalarString(value)
        if isinstance(current, SingleQuotedScalarString):
            return SingleQuotedScalarString(value)
    return value


def _trailing_slots(node: Any) -> list[tuple[list[Any], int]]:
    """Comment slots after the last token of a ruamel collection that hold a comment, outermost first."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    slots: list[tuple[list[Any], int]] = []
    current = node
    while isinstance(current, (CommentedMap, CommentedSeq)) and len(current):
        if isinstance(current, CommentedMap):
            last: Any = list(current.keys())[-1]
            slot = 2
        else:
            last, slot = len(current) - 1, 0
        entry = current.ca.items.get(last)
        if entry is not None and len(entry) > slot and entry[slot] is not None:
            slots.append((entry, slot))
        current = current[last]
    return slots


def _split_trailing_comment(value: str, column: int) -> tuple[str, str]:
    """Split a trailing comment token into what stays after the old last entry and what moves below the new one.

    The end-of-line comment and the comment lines indented at least `column` stay (they read as part of the
    collection, as in YamlFile.region_end); the blank lines after them and less-indented comments move.
    """
    lines = value.split("\n")
    last_kept = 0
    for index in range(1, len(lines) - 1):
        line = lines[index]
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if line.strip().startswith("#") and indent >= column:
            last_kept = index
            continue
        break
    keep = "\n".join(lines[: last_kept + 1]) + "\n"
    rest = "\n" + "\n".join(lines[last_kept + 1 :])
    return keep, rest


def _place_moved_comment(owner: Any, key: Any, token: Any) -> None:
    """Attach a comment token after the last token of the value just added under `key` (or appended)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    target: Any = owner
    slot_key: Any = key
    value = target[slot_key]
    while isinstance(value, (CommentedMap, CommentedSeq)) and len(value):
        if isinstance(value, CommentedMap):
            target, slot_key = value, list(value.keys())[-1]
        else:
            target, slot_key = value, len(value) - 1
        value = target[slot_key]
    if isinstance(target, CommentedSeq):
        target.ca.items[slot_key] = [token, None]
    else:
        target.ca.items[slot_key] = [None, None, token, None]


def _move_comment(slots: list[tuple[list[Any], int]], owner: Any, key: Any, column: int) -> None:
    """Move the comments that introduce the next section from the old last entry to the new one."""
    if not slots:
        return
    entry, index = slots[-1]
    token = entry[index]
    keep, rest = _split_trailing_comment(token.value, column)
    if rest == "\n":
        return
    moved = copy.copy(token)
    moved.value = rest
    if keep.strip():
        token.value = keep
    else:
        entry[index] = None
    _place_moved_comment(owner, key, moved)


def _ruamel_add(node: Any, key: str, value: Any) -> None:
    slots = [] if node.fa.flow_style() else _trailing_slots(node)
    column = 0
    if len(node):
        try:
            column = node.lc.key(next(iter(node.keys())))[1]
        except (KeyError, TypeError, IndexError):
            column = node.lc.col or 0
    node[key] = value
    _move_comment(slots, node, key, column)


def _ruamel_append(sequence: Any, item: Any) -> None:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    slots = [] if sequence.fa.flow_style() else _trailing_slots(sequence)
    column = (sequence.lc.col or 0) + 1
    if isinstance(item, str):
        styles = Counter(type(existing) for existing in sequence if isinstance(existing, str))
        style = styles.most_common(1)[0][0] if styles else str
        if style in (DoubleQuotedScalarString, SingleQuotedScalarString):
            item = style(item)
    sequence.append(item)
    _move_comment(slots, sequence, len(sequence) - 1, column)


# --------------------------------------------------------------------------------------------------
# The proof


def _expected_data(yfile: YamlFile, changes: list[YamlChange]) -> list[Any]:
    documents = list(yaml.load_all(yfile.text, Loader=_Loader))
    for change in changes:
        node: Any = documents[change.path[0]]
        for length in range(2, len(change.path) + 1):
            step = change.path[length - 1]
            if isinstance(node, dict):
                key_node = yfile.key_node(change.path[:length])
                node = node[constructed_key(key_node)] if key_node is not None else None
            else:
                node = node[step]
        for position, key in enumerate(change.keys):
            last = position == len(change.keys) - 1
            if not last:
                if node.get(key) is None:
                    node[key] = {}
                node = node[key]
            elif change.append:
                items = node.get(key)
                if items is None:
                    node[key] = items = []
                if str(change.value) not in [str(item) for item in items]:
                    items.append(change.value)
            else:
                node[key] = change.value
    return documents


def _comment_lines(text: str) -> Counter[str]:
    return Counter(line.strip() for line in text.splitlines() if line.strip().startswith("#"))


def verify(
    yfile: YamlFile,
    new_text: str,
    changes: list[YamlChange],
    actions: list[_Action],
    allowed_lines: frozenset[int],
) -> str | None:
    """None when `new_text` is proven to be the original with exactly the changes; else why not."""
    try:
        after = list(yaml.load_all(new_text, Loader=_Loader))
    except yaml.YAMLError as error:
        return f"the result does not parse: {error}"
    if after != _expected_data(yfile, changes):
        return "the result differs from the original in more than the fixed settings"
    before_comments, after_comments = _comment_lines(yfile.text), _comment_lines(new_text)
    if any(after_comments[line] < count for line, count in before_comments.items()):
        return "a comment would be lost"
    old_lines, new_lines = yfile.text.splitlines(), new_text.splitlines()
    windows = _insertion_windows(yfile, actions)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag in ("replace", "delete") and not set(range(i1, i2)) <= allowed_lines:
            return f"line {i1 + 1} would change although no fix touches it"
        if tag == "insert" and not any(low <= i1 <= high for low, high in windows):
            return f"lines would be added at line {i1 + 1}, outside the collection being extended"
    return None


def _insertion_windows(yfile: YamlFile, actions: list[_Action]) -> list[tuple[int, int]]:
    """For each action, where inserted lines may go (as difflib's "insert before original line i")."""
    windows = []
    for action in actions:
        node = action.node
        if action.kind in ("insert", "append") and not node.flow:
            windows.append((node.line + 1, yfile.region_end(node) + 1))
        elif action.kind == "fill" and action.key is not None:
            line = yfile.last_line(action.key)
            windows.append((line + 1, line + 1))
    return windows


def _allowed_lines(yfile: YamlFile, actions: list[_Action]) -> frozenset[int]:
    lines: set[int] = set()
    for action in actions:
        node = action.node
        in_flow = action.parent is not None and action.parent.flow
        if (
            node.flow
            or in_flow
            or action.kind == "replace"
            or (action.kind == "fill" and not node.is_empty_scalar)
        ):
            lines |= set(range(node.line, yfile.last_line(node) + 1))
            if action.key is not None:
                lines.add(action.key.line)
    return frozenset(lines)


# --------------------------------------------------------------------------------------------------
# Entry point


def edit_yaml(text: str, changes: list[YamlChange]) -> EditResult:
    """Apply changes to a YAML text. A change that cannot be proven safe is left out and listed in `refused`.

    All changes are tried together first (one ruamel round trip); when that cannot be proven, one at a time.
    """
    try:
        yfile = YamlFile(text)
    except (yaml.YAMLError, RecursionError) as error:
        reason = f"the file does not parse as YAML: {_first_line(error)}"
        return EditResult(None, refused=dict.fromkeys(range(len(changes)), reason))
    as_json = _is_json(text)
    result = EditResult(None)
    possible: list[int] = []
    for index, change in enumerate(changes):
        try:
            if resolve_change(yfile, change) is not None:
                possible.append(index)
        except YamlEditError as error:
            result.refused[index] = str(error)
    if not possible:
        return result
    try:
        result.text, result.route = _edit_together(yfile, [changes[index] for index in possible], as_json)
        return result
    except YamlEditError:
        pass
    current = yfile
    routes: set[str] = set()
    for index in possible:
        try:
            new_text, route = _edit_together(current, [changes[index]], as_json)
        except YamlEditError as error:
            result.refused[index] = str(error)
            continue
        routes.add(route)
        current = YamlFile(new_text)
    if routes:
        result.text = current.text
        result.route = "ruamel" if routes == {"ruamel"} else "text"
    return result


def _is_json(text: str) -> bool:
    """A JSON text (a Kubernetes manifest written as JSON): edits must keep it JSON."""
    if not text.lstrip(" \t\r\n").startswith(("{", "[")):
        return False
    from medlint.json_source import load_json_documents
    from medlint.source import SourceError

    try:
        load_json_documents(text)
    except SourceError:
        return False
    return True


def _edit_together(yfile: YamlFile, changes: list[YamlChange], as_json: bool = False) -> tuple[str, str]:
    """The edited text and the route that produced it; YamlEditError when neither route is proven.

    ruamel.yaml's result is taken when it is proven, except that for edits inside a line (a flow
    collection, a replaced value) the text route's result is preferred when it keeps more of the line as
    written (ruamel normalises, for example, the spaces before an end-of-line comment). A JSON file is
    edited by the text route only, in JSON, and the result must still be JSON.
    """
    actions = resolve_changes(yfile, changes)
    if not actions:
        return yfile.text, "text"
    style = yfile.indentation()
    allowed = _allowed_lines(yfile, actions)
    if as_json:
        spliced, spliced_lines = apply_text(yfile, actions, style, as_json=True)
        problem = verify(yfile, spliced, changes, actions, allowed | spliced_lines)
        if problem is None and not _is_json(spliced):
            problem = "the result is not JSON"
        if problem is not None:
            raise YamlEditError(problem)
        return spliced, "text"
    try:
        candidate = apply_ruamel(yfile, actions, style)
        problem = verify(yfile, candidate, changes, actions, allowed)
    except YamlEditError as error:
        problem = str(error)
    if problem is None and not allowed:
        return candidate, "ruamel"
    spliced, spliced_lines = apply_text(yfile, actions, style)
    text_problem = verify(yfile, spliced, changes, actions, allowed | spliced_lines)
    if problem is None and (
        text_problem is not None or _churn(yfile.text, candidate) <= _churn(yfile.text, spliced)
    ):
        return candidate, "ruamel"
    if text_problem is None:
        return spliced, "text"
    raise YamlEditError(problem or text_problem)


def _churn(old: str, new: str) -> int:
    """Characters deleted plus inserted between two texts, counted inside the changed lines only."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    total = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before, after = "\n".join(old_lines[i1:i2]), "\n".join(new_lines[j1:j2])
        kept = sum(
            block.size
            for block in difflib.SequenceMatcher(None, before, after, autojunk=False).get_matching_blocks()
        )
        total += len(before) + len(after) - 2 * kept
    return total


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _dotted(path: YamlPath) -> str:
    return ".".join(str(step) for step in path[1:]) or "the document"
