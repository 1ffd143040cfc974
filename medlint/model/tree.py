"""Positioned YAML trees, and `Node`, the typed view checks read them through.

The YAML loader (medlint.source) builds `YamlMap`/`YamlList`: plain `dict`/`list` subclasses that also
remember where each key and item is written. The Compose parser builds their `Sourced` subclasses, whose
values may come from several files, and the Helm renderer attaches to them the origin of every rendered line.
Those details stay here: a check never touches the trees themselves. It reads typed model fields, and where
a shape is open-ended (a custom resource, a policy document) it walks a `Node`: a value together with its
place in the tree, whose accessors return typed values and exact `Location`s, and never raise on a missing
or malformed part (a missing key gives an absent Node that points at the mapping that should hold it).
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from medlint.model.location import Location

if TYPE_CHECKING:
    from medlint.model.interpolation import Interpolation
    from medlint.model.location import HelmOrigin

#: A (start line, start column, end line, end column) span, 1-based.
Span = tuple[int, int, int, int]

# -- span storage
#
# A loaded corpus has hundreds of thousands of keys and items, and their spans were most of its objects (a
# 4-tuple and up to four ints per span, two spans and two dict entries per key), which the workers of
# `--jobs` pickle and the main process unpickles one by one. So spans are stored packed, and only this module
# knows how: each number in a 32-bit field (0 = absent: positions are 1-based), a key's span and its value's
# span in one int under the key (low 128 bits the key's, high the value's), and a list's item spans one after
# another in a bytearray (16 bytes an item). Ints and bytearrays pickle natively, with no Python-level work.
# 32 bits hold the line or column of any file within the limits (`max_file_bytes` is 20 MiB); a larger
# number, or a negative one, is clamped to the field, never carried into the next one.

#: The largest line or column a span stores; larger ones are stored as this.
MAX_SPAN_NUMBER = 0xFFFF_FFFF
_SPAN = struct.Struct("<4I")  # one span: a list item's
_PAIR = struct.Struct("<4I4I")  # a key's span, then its value's: one int under the key
_SPAN_BYTES = _SPAN.size
_KEY_HALF = (1 << 128) - 1
_NO_SPAN = (0, 0, 0, 0)


def _clamped(numbers: Iterable[int]) -> tuple[int, ...]:
    return tuple(min(max(number, 0), MAX_SPAN_NUMBER) for number in numbers)


def _pair(key_span: Span | None, value_span: Span | None) -> int:
    """The int that stores a key's span and its value's (either may be None)."""
    numbers = (*(key_span or _NO_SPAN), *(value_span or _NO_SPAN))
    try:
        data = _PAIR.pack(*numbers)
    except struct.error:  # a number beyond 32 bits, or negative: clamped
        data = _PAIR.pack(*_clamped(numbers))
    return int.from_bytes(data, "little")


def _key_half(packed: int) -> Span | None:
    half = packed & _KEY_HALF
    return _SPAN.unpack(half.to_bytes(_SPAN_BYTES, "little")) if half else None


def _value_half(packed: int) -> Span | None:
    half = packed >> 128
    return _SPAN.unpack(half.to_bytes(_SPAN_BYTES, "little")) if half else None


def _span_bytes(span: Span) -> bytes:
    try:
        return _SPAN.pack(*span)
    except struct.error:  # a number beyond 32 bits, or negative: clamped
        return _SPAN.pack(*_clamped(span))


def _at(path: str, span: Span, origin: HelmOrigin | None) -> Location:
    if origin is None:
        return Location(path, span[0], span[1], span[2], span[3])
    return Location(path, span[0], span[1], span[2], span[3], helm=origin)


class YamlMap(dict):
    """A mapping that remembers its own position and those of its keys and values (1-based).

    `origins` (Helm renders only) holds, per key, the origin of the key's and the value's rendered lines: one
    origin when both were written on the same line (nearly always), else the pair; `node_origin` that of the
    mapping's first line. The spans of keys and values are read and written through the methods below.
    """

    __slots__ = ("_spans", "column", "line", "node_origin", "origins", "tag")

    def __init__(self) -> None:
        super().__init__()
        self.line = 1
        self.column = 1
        self._spans: dict[Any, int] = {}  # key -> its span and its value's, packed (see above)
        self.tag: str | None = None
        self.origins: dict[Any, HelmOrigin | tuple[HelmOrigin | None, HelmOrigin | None] | None] | None = None
        self.node_origin: HelmOrigin | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its own fields and its items (`--jobs` sends tens of thousands from each worker):
        a third faster both ways than the default for a dict subclass with slots, which goes through a
        per-object dictionary of slot values."""
        kind = type(self)
        fields = (self._spans, self.column, self.line, self.node_origin, self.origins, self.tag)
        if kind is not YamlMap:
            fields += tuple(getattr(self, name) for name in _added_slots(kind, YamlMap))
        return _rebuilt_map, (kind, fields), None, None, iter(self.items())

    # -- spans

    def key_span(self, key: Any) -> Span | None:
        """Where `key` is written; None when the key, or its span, is absent."""
        packed = self._spans.get(key)
        return None if packed is None else _key_half(packed)

    def value_span(self, key: Any) -> Span | None:
        """Where the value under `key` is written; None when the key, or the value's span, is absent."""
        packed = self._spans.get(key)
        return None if packed is None else _value_half(packed)

    def spans(self, key: Any) -> tuple[Span | None, Span | None]:
        """`(key_span(key), value_span(key))`."""
        packed = self._spans.get(key)
        return (None, None) if packed is None else (_key_half(packed), _value_half(packed))

    def set_spans(self, key: Any, key_span: Span | None, value_span: Span | None) -> None:
        """Record where `key` and its value are written (None for a part whose place is unknown)."""
        if key_span is None and value_span is None:
            self._spans.pop(key, None)
            return
        try:  # _pair, inline: loading and Helm's remapping call this for every key
            data = _PAIR.pack(*(key_span or _NO_SPAN), *(value_span or _NO_SPAN))
        except struct.error:
            self._spans[key] = _pair(key_span, value_span)
        else:
            self._spans[key] = int.from_bytes(data, "little")

    def copy_spans(self, key: Any, source: YamlMap) -> bool:
        """Take the spans of `key` from `source` (dropping this map's when `source` has none); whether it
        had some."""
        packed = source._spans.get(key)
        if packed is None:
            self._spans.pop(key, None)
            return False
        self._spans[key] = packed
        return True

    def drop_spans(self, key: Any) -> None:
        """Forget where `key` and its value are written (the key was removed)."""
        self._spans.pop(key, None)

    def span_items(self) -> list[tuple[Any, Span | None, Span | None]]:
        """`(key, key span, value span)` for every key with a span, in the order they were recorded."""
        unpack = _PAIR.unpack
        items: list[tuple[Any, Span | None, Span | None]] = []
        for key, packed in self._spans.items():
            numbers = unpack(packed.to_bytes(_PAIR.size, "little"))
            key_span, value_span = numbers[:4], numbers[4:]
            items.append(
                (
                    key,
                    key_span if key_span != _NO_SPAN else None,
                    value_span if value_span != _NO_SPAN else None,
                )
            )
        return items

    # -- locations

    def location(self, path: str) -> Location:
        """Where the mapping itself starts."""
        if self.node_origin is None:
            return Location(path, self.line, self.column)
        return Location(path, self.line, self.column, helm=self.node_origin)

    def key_location(self, path: str, key: Any) -> Location:
        """Where `key` is written; the mapping itself when the key is absent."""
        span = self.key_span(key)
        if span is None:
            return self.location(path)
        return _at(path, span, self._origin(key, 0))

    def value_location(self, path: str, key: Any) -> Location:
        """Where the value under `key` is written; the mapping itself when the key is absent."""
        span = self.value_span(key)
        if span is None:
            return self.location(path)
        return _at(path, span, self._origin(key, 1))

    def _origin(self, key: Any, part: int) -> HelmOrigin | None:
        """The origin of the key (`part` 0) or of its value (1)."""
        origin = self.origins.get(key) if self.origins else None
        return origin[part] if isinstance(origin, tuple) else origin


class YamlList(list):
    """A sequence that remembers its own position and that of each item (1-based).

    Item spans are read and written through the methods below; there is one for each item the loader put in.
    """

    __slots__ = ("_item_spans", "column", "line", "node_origin", "origins", "tag")

    def __init__(self) -> None:
        super().__init__()
        self.line = 1
        self.column = 1
        self._item_spans = bytearray()  # the spans of the items, packed one after another (see above)
        self.tag: str | None = None
        self.origins: list[HelmOrigin | None] | None = None
        self.node_origin: HelmOrigin | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its own fields and its items, as a YamlMap is."""
        kind = type(self)
        fields = (self._item_spans, self.column, self.line, self.node_origin, self.origins, self.tag)
        if kind is not YamlList:
            fields += tuple(getattr(self, name) for name in _added_slots(kind, YamlList))
        return _rebuilt_list, (kind, fields), None, iter(self)

    # -- spans

    def item_span(self, index: int) -> Span | None:
        """Where item `index` is written; None for an index without a span."""
        offset = index * _SPAN_BYTES
        if 0 <= offset < len(self._item_spans):
            return _SPAN.unpack_from(self._item_spans, offset)
        return None

    def append_item_span(self, span: Span) -> None:
        """Record where the next item is written."""
        self._item_spans += _span_bytes(span)

    def set_item_span(self, index: int, span: Span) -> None:
        """Record where item `index` is written (it must have a span already)."""
        offset = index * _SPAN_BYTES
        if not 0 <= offset < len(self._item_spans):
            raise IndexError(f"item {index} has no span to replace")
        self._item_spans[offset : offset + _SPAN_BYTES] = _span_bytes(span)

    def item_spans(self) -> list[Span]:
        """The span of every item, in order."""
        return list(_SPAN.iter_unpack(self._item_spans))

    def set_item_spans(self, spans: Iterable[Span]) -> None:
        """Replace the spans of all items, in order."""
        self._item_spans = bytearray(b"".join(_span_bytes(span) for span in spans))

    # -- locations

    def location(self, path: str) -> Location:
        if self.node_origin is None:
            return Location(path, self.line, self.column)
        return Location(path, self.line, self.column, helm=self.node_origin)

    def value_location(self, path: str, index: Any) -> Location:
        """Where item `index` is written; the list itself for an index it does not have."""
        span = self.item_span(index) if isinstance(index, int) else None
        if span is None:
            return self.location(path)
        origins = self.origins
        return _at(path, span, origins[index] if origins else None)

    key_location = value_location


@functools.cache
def _added_slots(kind: type, base: type) -> tuple[str, ...]:
    """The slots a subclass adds to YamlMap or YamlList (Compose's SourcedMap adds the files of its keys)."""
    added = kind.__mro__[: kind.__mro__.index(base)]
    return tuple(name for klass in reversed(added) for name in klass.__dict__.get("__slots__", ()))


def _rebuilt_map(kind: type[YamlMap], fields: tuple[Any, ...]) -> YamlMap:
    """An empty mapping of `kind` with the fields of a pickled one (pickle then adds the items)."""
    rebuilt = kind.__new__(kind)
    rebuilt._spans, rebuilt.column, rebuilt.line, rebuilt.node_origin, rebuilt.origins, rebuilt.tag = fields[
        :6
    ]
    for name, value in zip(_added_slots(kind, YamlMap), fields[6:]):
        setattr(rebuilt, name, value)
    return rebuilt


def _rebuilt_list(kind: type[YamlList], fields: tuple[Any, ...]) -> YamlList:
    """An empty list of `kind` with the fields of a pickled one (pickle then adds the items)."""
    rebuilt = kind.__new__(kind)
    (rebuilt._item_spans, rebuilt.column, rebuilt.line, rebuilt.node_origin, rebuilt.origins, rebuilt.tag) = (
        fields[:6]
    )
    for name, value in zip(_added_slots(kind, YamlList), fields[6:]):
        setattr(rebuilt, name, value)
    return rebuilt


def key_location(path: str, mapping: Any, key: Any) -> Location:
    """Location of `key` inside `mapping`, or of the mapping itself when the key is absent."""
    if isinstance(mapping, YamlMap):
        return mapping.key_location(path, key)
    return Location(path)


def value_location(path: str, container: Any, key: Any) -> Location:
    """Location of the value under `key` (a mapping key or a list index), falling back to the container."""
    if isinstance(container, (YamlMap, YamlList)):
        return container.value_location(path, key)
    return Location(path)


def node_location(path: str, node: Any) -> Location:
    """Location of a mapping or list node itself."""
    if isinstance(node, (YamlMap, YamlList)):
        return node.location(path)
    return Location(path)


def label_text(value: Any) -> str:
    """A scalar as Kubernetes stores a label or annotation value (booleans lower-case, None empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def yaml_text(value: Any) -> str:
    """A value as YAML writes it, for messages: booleans lower-case, None as null."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


class _Absent:
    """The value of a key that is not there (one instance, also after pickling)."""

    __slots__ = ()

    def __reduce__(self) -> str:
        return "_ABSENT"

    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()


class Node:
    """One value of a positioned tree, seen with its place: the root of a document, a mapping entry, a list
    item, or an absent key. Immutable; cheap to create; accessors never raise on unexpected shapes."""

    __slots__ = ("_key", "_parent", "_path", "_value")

    def __init__(self, value: Any, path: str, parent: Any = None, key: Any = None) -> None:
        self._value = value
        self._path = path
        self._parent = parent
        self._key = key

    @classmethod
    def root(cls, value: Any, path: str) -> Node:
        """The view of a whole document (or of any subtree taken as a root)."""
        return cls(value, path)

    def __repr__(self) -> str:
        shown = repr(_ABSENT) if self._value is _ABSENT else type(self._value).__name__
        return f"Node({shown} at {self.location})"

    @property
    def tree(self) -> Any:
        """The underlying positioned value, for the parser that built it and the parser's tests. Checks read
        the typed accessors instead (a test keeps them from reaching for this)."""
        return None if self._value is _ABSENT else self._value

    # -- presence and shape

    @property
    def present(self) -> bool:
        """The key exists (its value may still be null)."""
        return self._value is not _ABSENT

    @property
    def is_map(self) -> bool:
        return isinstance(self._value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self._value, list)

    @property
    def is_null(self) -> bool:
        """Written, with no value (`key:` or `key: null`)."""
        return self._value is None

    def __bool__(self) -> bool:
        """The value's truthiness, as YAML data reads it: absent, null, false, 0, "" and {} / [] are false."""
        return self._value is not _ABSENT and bool(self._value)

    def __len__(self) -> int:
        return len(self._value) if isinstance(self._value, (dict, list)) else 0

    def __contains__(self, key: Any) -> bool:
        return isinstance(self._value, dict) and key in self._value

    # -- scalars

    @property
    def scalar(self) -> Any:
        """The scalar value (str, int, float, bool or None); None for mappings, lists and absent keys."""
        value = self._value
        return None if value is _ABSENT or isinstance(value, (dict, list)) else value

    @property
    def text(self) -> str | None:
        """The scalar as `str()` writes it; None when absent, null, a mapping or a list."""
        value = self.scalar
        return None if value is None else str(value)

    @property
    def label_text(self) -> str:
        """The scalar as Kubernetes stores a label value ("" when absent or null)."""
        return label_text(self.scalar)

    @property
    def yaml_text(self) -> str:
        """The scalar as YAML writes it (`true`, `null`), for messages."""
        return yaml_text(self.scalar)

    @property
    def integer(self) -> int | None:
        """The value when it is an integer (booleans are not)."""
        value = self._value
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def is_true(self) -> bool:
        return self._value is True

    @property
    def is_false(self) -> bool:
        return self._value is False

    @property
    def interpolation(self) -> Interpolation | None:
        """How a Compose value was interpolated from `.env` (None for literal values)."""
        from medlint.model.interpolation import interpolation_of

        return interpolation_of(self._value)

    @property
    def unresolved(self) -> bool:
        """A Compose value with a variable that `.env` does not define and no default."""
        record = self.interpolation
        return record is not None and not record.resolved

    @property
    def tag(self) -> str | None:
        """A local YAML tag on a mapping or list (`!reset`)."""
        return getattr(self._value, "tag", None) if isinstance(self._value, (dict, list)) else None

    # -- children

    def get(self, key: Any) -> Node:
        """The entry under `key` of a mapping, or item `key` (an int) of a list; absent (pointing at this
        mapping or list) for anything else."""
        value = self._value
        if isinstance(value, dict) and key in value:
            return Node(value[key], self._path, value, key)
        if (
            isinstance(value, list)
            and isinstance(key, int)
            and not isinstance(key, bool)
            and 0 <= key < len(value)
        ):
            return Node(value[key], self._path, value, key)
        return Node(_ABSENT, self._path, value if isinstance(value, (dict, list)) else None, key)

    def as_map(self) -> Node:
        """This node when it is a mapping, else an absent one: for reading optional fields of a block that
        may be missing or malformed."""
        return self if isinstance(self._value, dict) else Node(_ABSENT, self._path)

    def at(self, *keys: Any) -> Node:
        """`get` along a path of keys."""
        node = self
        for key in keys:
            node = node.get(key)
        return node

    def __iter__(self) -> Iterator[Any]:
        """The keys of a mapping, as iterating a dict gives them; nothing for other values."""
        return iter(list(self._value) if isinstance(self._value, dict) else ())

    def keys(self) -> list[Any]:
        return list(self._value) if isinstance(self._value, dict) else []

    def items(self) -> Iterator[tuple[Any, Node]]:
        """(key, value) of a mapping; nothing for other values."""
        value = self._value
        if isinstance(value, dict):
            for key, item in value.items():
                yield key, Node(item, self._path, value, key)

    def elements(self) -> list[Node]:
        """The items of a list; empty for other values."""
        value = self._value
        if not isinstance(value, list):
            return []
        return [Node(item, self._path, value, index) for index, item in enumerate(value)]

    def as_list(self) -> list[Node]:
        """A list's items; a single non-null value as a one-item list; nothing for null or absent.

        Compose accepts `cap_add: NET_ADMIN` as well as `cap_add: [NET_ADMIN]`.
        """
        if isinstance(self._value, list):
            return self.elements()
        return [] if self._value is None or self._value is _ABSENT else [self]

    def string_map(self) -> dict[str, str]:
        """A mapping of labels or annotations as text pairs (Kubernetes storage form); {} otherwise."""
        value = self._value
        if not isinstance(value, dict):
            return {}
        return {str(key): label_text(item) for key, item in value.items()}

    def plain(self) -> Any:
        """A deep copy as plain dicts, lists and scalars, for computations over the data as written (digests)."""

        def copy(value: Any) -> Any:
            if isinstance(value, dict):
                return {key: copy(item) for key, item in value.items()}
            if isinstance(value, list):
                return [copy(item) for item in value]
            return value

        return None if self._value is _ABSENT else copy(self._value)

    def is_same(self, other: Node) -> bool:
        """The very same mapping or list (not merely an equal one): for walks that must not revisit."""
        return self._value is other._value and isinstance(self._value, (dict, list))

    def same_value(self, other: Node) -> bool:
        """Both present and equal as data (`livenessProbe` written the same as `readinessProbe`)."""
        return self.present and other.present and self._value == other._value

    def span(self) -> Span | None:
        """The written span of this value (None for a root or an absent key)."""
        parent = self._parent
        if isinstance(parent, YamlMap) and self.present:
            return parent.value_span(self._key)
        if isinstance(parent, YamlList) and self.present and isinstance(self._key, int):
            return parent.item_span(self._key)
        return None

    # -- places

    @property
    def path(self) -> str:
        return self._path

    @property
    def location(self) -> Location:
        """Where the value is written; for an absent key, the mapping that should hold it."""
        parent = self._parent
        if self._value is _ABSENT:
            return node_location(self._path, parent)
        if not isinstance(parent, (YamlMap, YamlList)):  # a root, or a tree without positions
            return node_location(self._path, self._value if parent is None else parent)
        return parent.value_location(self._path, self._key)

    @property
    def key_location(self) -> Location:
        """Where the key (or the list item) is written; for an absent key, the mapping that should hold it."""
        parent = self._parent
        if self._value is _ABSENT:
            return node_location(self._path, parent)
        if not isinstance(parent, (YamlMap, YamlList)):  # a root, or a tree without positions
            return node_location(self._path, self._value if parent is None else parent)
        return parent.key_location(self._path, self._key)

    @property
    def start(self) -> Location:
        """Where a mapping or list itself starts (its first entry); else the same as `location`."""
        if isinstance(self._value, (YamlMap, YamlList)):
            return self._value.location(self._path)
        return self.location

    def location_of(self, key: Any) -> Location:
        """`get(key).location`."""
        return self.get(key).location

    def key_location_of(self, key: Any) -> Location:
        """`get(key).key_location`: where a key is written, or this mapping when it is absent."""
        return self.get(key).key_location

    def key_or(self, key: Any, fallback: Location) -> Location:
        """Where `key` is written when present, else `fallback`."""
        return self.get(key).key_location if key in self else fallback


#: A Node for "nothing here" (no document, no such part), pointing at no position.
ABSENT = Node(_ABSENT, "")
