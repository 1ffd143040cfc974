"""Reading supplied SBOMs into the model (medlint.model.sbom), with the standard library only.

CycloneDX 1.x JSON and XML and SPDX 2.x JSON are recognised from their content; anything else is an
`SbomError` naming the file (and the line, for a syntax error), which the command line turns into exit
code 2: an SBOM that cannot be read must not let the gate pass. The file is read through the bounded reader
(`limits.max_sbom_bytes`). JSON keeps the line and column of every object, so a field points at the
component (or the property) that holds it; XML is read with expat, which keeps the position of every element,
and a document type declaration (entities: the "billion laughs") is refused unread. The shape is checked as
far as these fields need it, not against the full schemas: a component without a name, or a field of the
wrong type, is read as absent (and so reported by MD904), never as a crash.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medlint.line_index import LineIndex
from medlint.model import Located, Location
from medlint.model.images import parse_image_reference
from medlint.model.sbom import (
    ANOMALY_REVIEW,
    END_OF_SUPPORT,
    LEVEL_OF_SUPPORT,
    REQUIREMENT_REF,
    SUPPLIER,
    ImageIdentity,
    SbomFormat,
    SuppliedComponent,
    SuppliedSbom,
)
from medlint.sbom import SbomError
from medlint.sbom.purl import parse_purl

if TYPE_CHECKING:
    from medlint.model import System
    from medlint.reader import FileReader

_PREFIX = "medlint:"
_FIELDS = (SUPPLIER, LEVEL_OF_SUPPORT, END_OF_SUPPORT, REQUIREMENT_REF, ANOMALY_REVIEW)
_HEX = re.compile(r"^[0-9a-fA-F]{32,}$")
#: Deeper than any real SBOM; a document nesting further is refused rather than recursed into.
MAX_DEPTH = 128
#: JSON values (objects, arrays, strings, numbers) of one SBOM. A real inventory of 64 MiB holds about two
#: million; a file of millions of `{}` would otherwise need gigabytes of objects for a few bytes each.
MAX_JSON_VALUES = 4_000_000
#: XML elements and attributes of one SBOM (an element costs several times a JSON value).
MAX_XML_NODES = 1_000_000
#: Digits of a JSON number; Python refuses to convert an integer of over 4,300 digits.
MAX_NUMBER_CHARACTERS = 1000
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


# --------------------------------------------------------------------------------------------------
# JSON with the position of every object


class _Object(dict[str, Any]):
    """A JSON object that remembers the offset of its opening brace."""

    __slots__ = ("offset",)
    offset: int


def _load_json(text: str, shown: str) -> Any:
    """The parsed document; every object remembers its offset. Bounded in depth, in the number of values
    and in the length of numbers, so a hostile file is an SbomError, never a crash or gigabytes of memory."""
    decoder = json.JSONDecoder()
    original = json.decoder.JSONObject  # type: ignore[attr-defined]
    original_array = json.decoder.JSONArray  # type: ignore[attr-defined]
    depth = [0]
    values = [0]

    def count() -> None:
        values[0] += 1
        if values[0] > MAX_JSON_VALUES:
            raise SbomError(
                f"{shown}: holds more than {MAX_JSON_VALUES:,} JSON values; medlint does not read it"
            )

    def number(kind: Any) -> Any:
        def parse(digits: str) -> Any:
            count()
            if len(digits) > MAX_NUMBER_CHARACTERS:
                raise SbomError(f"{shown}: a number of {len(digits):,} characters; medlint does not read it")
            return kind(digits)

        return parse

    def parse_string(*args: Any) -> Any:
        count()
        return json.decoder.scanstring(*args)  # type: ignore[attr-defined]

    def parse_array(*args: Any) -> Any:
        count()
        return original_array(*args)

    def parse_object(
        state: tuple[str, int],
        strict: bool,
        scan_once: Any,
        hook: Any,
        pairs_hook: Any,
        memo: Any = None,
        *rest: Any,
    ) -> Any:
        _, end = state
        count()
        depth[0] += 1
        if depth[0] > MAX_DEPTH:
            raise SbomError(f"{shown}: nested deeper than {MAX_DEPTH} levels; medlint does not read it")

        def positioned(pairs: list[tuple[str, Any]]) -> _Object:
            result = _Object(pairs)
            result.offset = end - 1
            return result

        try:
            return original(state, strict, scan_once, hook, positioned, memo, *rest)
        finally:
            depth[0] -= 1

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.parse_array = parse_array  # type: ignore[attr-defined]
    decoder.parse_string = parse_string  # type: ignore[attr-defined]
    decoder.parse_int = number(int)
    decoder.parse_float = number(float)
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        document = decoder.decode(text)
    except json.JSONDecodeError as error:
        raise SbomError(f"{shown}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}") from None
    except RecursionError:
        raise SbomError(f"{shown}: nested too deeply; medlint does not read it") from None
    if _ESCAPED_SURROGATE.search(text):  # `"\ud800"` alone decodes to no character and cannot be printed
        try:
            json.dumps(document, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise SbomError(
                f"{shown}: holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), which is no character; "
                "medlint does not read it"
            ) from None
        except RecursionError:
            raise SbomError(f"{shown}: nested too deeply; medlint does not read it") from None
    return document


@dataclass
class _Places:
    """Turns JSON offsets (or XML element positions) into locations in the shown file."""

    path: str
    lines: LineIndex | None = None

    def of(self, node: Any) -> Location:
        offset = getattr(node, "offset", None)
        if isinstance(offset, int) and self.lines is not None:
            return Location(self.path, *self.lines.place(offset))
        node_line = getattr(node, "line", None)
        if isinstance(node_line, int):
            return Location(self.path, node_line, getattr(node, "column", 1))
        return Location(self.path)


# --------------------------------------------------------------------------------------------------
# XML with the position of every element


@dataclass(slots=True)
class _Element:
    tag: str
    attributes: dict[str, str]
    line: int
    column: int
    children: list[_Element] = field(default_factory=list)
    text: str = ""
    parts: list[str] = field(default_factory=list)  # the text while it is read (joined once: linear time)

    def child(self, tag: str) -> _Element | None:
        return next((item for item in self.children if item.tag == tag), None)

    def all(self, tag: str) -> list[_Element]:
        return [item for item in self.children if item.tag == tag]

    def child_text(self, tag: str) -> str | None:
        found = self.child(tag)
        return found.text.strip() if found is not None else None


def _load_xml(data: bytes, shown: str) -> tuple[_Element, str]:
    """The root element and its namespace; DOCTYPE and entity declarations are refused."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[_Element] = []
    root: list[_Element] = []
    namespaces: list[str] = []
    nodes = [0]

    def refuse(*_: Any) -> None:
        raise SbomError(
            f"{shown}:{parser.CurrentLineNumber}: a document type declaration (DOCTYPE, entities) is not "
            "accepted in an SBOM; remove it"
        )

    def start(name: str, attributes: dict[str, str]) -> None:
        namespace, _, tag = name.rpartition(" ")
        if len(stack) >= MAX_DEPTH:
            raise SbomError(f"{shown}:{parser.CurrentLineNumber}: nested deeper than {MAX_DEPTH} levels")
        nodes[0] += 1 + len(attributes)
        if nodes[0] > MAX_XML_NODES:
            raise SbomError(
                f"{shown}:{parser.CurrentLineNumber}: holds more than {MAX_XML_NODES:,} XML elements and "
                "attributes; medlint does not read it"
            )
        element = _Element(
            tag,
            {key.rpartition(" ")[2]: value for key, value in attributes.items()},
            parser.CurrentLineNumber,
            parser.CurrentColumnNumber + 1,
        )
        if stack:
            stack[-1].children.append(element)
        else:
            root.append(element)
            namespaces.append(namespace)
        stack.append(element)

    def end(_: str) -> None:
        element = stack.pop()
        element.text = "".join(element.parts)
        element.parts = []

    def text(data: str) -> None:
        if stack:
            stack[-1].parts.append(data)

    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise SbomError(
            f"{shown}:{error.lineno}:{error.offset + 1}: invalid XML: {expat.errors.messages[error.code]}"
        ) from None
    if not root:
        raise SbomError(f"{shown}: the XML document has no root element")
    return root[0], namespaces[0] if namespaces else ""


# --------------------------------------------------------------------------------------------------
# Identity: images and digests


def _digest(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    algorithm, colon, hexdigits = text.partition(":")
    if colon and algorithm.lower() == "sha256" and _HEX.match(hexdigits):
        return f"sha256:{hexdigits.lower()}"
    if not colon and len(text) == 64 and _HEX.match(text):
        return f"sha256:{text.lower()}"
    return None


def image_identity(purl_text: str | None, kind: str, name: str, version: str | None) -> ImageIdentity | None:
    """The container image a component names: from an `oci` or `docker` purl, else from the name and version
    of a component of type container; None for anything else."""
    here = Location("")
    purl = parse_purl(purl_text) if purl_text else None
    if purl is not None and purl.type == "oci":
        repository = purl.qualifiers.get("repository_url") or purl.name
        image = parse_image_reference(repository.split("://", 1)[-1], here)
        return ImageIdentity(image.canonical_name, purl.qualifiers.get("tag") or None, _digest(purl.version))
    if purl is not None and purl.type == "docker":
        repository = "/".join(part for part in (purl.namespace, purl.name) if part)
        registry = purl.qualifiers.get("repository_url")
        if registry:
            repository = f"{registry.split('://', 1)[-1].rstrip('/')}/{repository}"
        image = parse_image_reference(repository, here)
        digest = _digest(purl.version)
        return ImageIdentity(image.canonical_name, None if digest else purl.version, digest)
    if purl is not None or kind != "container" or not name:
        return None
    image = parse_image_reference(name.strip(), here)
    if not image.repository or image.unresolved:
        return None
    tag, digest = image.tag, image.digest
    if version and not tag and not digest:
        digest = _digest(version)
        tag = None if digest else version.strip()
    return ImageIdentity(image.canonical_name, tag, digest.lower() if digest else None)


# --------------------------------------------------------------------------------------------------
# Components


def _text(value: Any) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value).strip()
        return text or None
    return None


def _component(
    name: str,
    location: Location,
    *,
    kind: str,
    bom_ref: str | None,
    purl: str | None,
    version: Located[str] | None,
    supplier: Located[str] | None,
    digests: list[str],
    properties: list[tuple[str, Located[str]]],
    end_of_support: Located[str] | None = None,
) -> SuppliedComponent:
    values: dict[str, Located[str]] = {}
    for key, located in properties:
        if key.startswith(_PREFIX) and located.value.strip() and key[len(_PREFIX) :] in _FIELDS:
            values.setdefault(key[len(_PREFIX) :], Located(located.value.strip(), located.location))
    if supplier is not None:
        values[SUPPLIER] = supplier
    if end_of_support is not None:
        values[END_OF_SUPPORT] = end_of_support
    generated = {
        field_name
        for key, located in properties
        if key.startswith(_PREFIX) and key.endswith(":generated")
        for field_name in [key[len(_PREFIX) : -len(":generated")]]
        if field_name in values and values[field_name].value == located.value.strip()
    }
    soup = not any(
        key == "medlint:soup" and located.value.strip().lower() == "false" for key, located in properties
    )
    image = image_identity(purl, kind, name, version.value if version is not None else None)
    if image is not None and image.digest:
        digests.append(image.digest)
    return SuppliedComponent(
        name=name,
        location=location,
        kind=kind,
        bom_ref=bom_ref,
        purl=purl,
        version=version,
        supplier=values.get(SUPPLIER),
        level_of_support=values.get(LEVEL_OF_SUPPORT),
        end_of_support=values.get(END_OF_SUPPORT),
        requirement_ref=values.get(REQUIREMENT_REF),
        anomaly_review=values.get(ANOMALY_REVIEW),
        image=image,
        digests=tuple(sorted(set(digests))),
        generated=frozenset(generated),
        soup=soup,
        properties=tuple(properties),
    )


def _cyclonedx_json(document: Mapping[str, Any], places: _Places, shown: str) -> SuppliedSbom:
    spec = _text(document.get("specVersion")) or ""
    if not re.fullmatch(r"1\.\d+", spec):
        raise SbomError(
            f"{shown}: CycloneDX specVersion {spec or '(missing)'} is not 1.x; medlint reads CycloneDX 1.x"
        )
    components = tuple(_cyclonedx_json_components(document.get("components"), places))
    metadata = document.get("metadata")
    subject = metadata.get("component") if isinstance(metadata, Mapping) else None
    return SuppliedSbom(
        path=places.path,
        format=SbomFormat.CYCLONEDX_JSON,
        spec_version=spec,
        location=Location(places.path),
        components=components,
        subject=_text(subject.get("name")) if isinstance(subject, Mapping) else None,
        serial=_text(document.get("serialNumber")),
    )


def _cyclonedx_json_components(items: Any, places: _Places) -> Iterator[SuppliedComponent]:
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, Mapping):
            continue
        location = places.of(item)
        supplier = None
        for key in ("supplier", "manufacturer"):
            entity = item.get(key)
            if isinstance(entity, Mapping) and _text(entity.get("name")):
                supplier = Located(str(_text(entity.get("name"))), places.of(entity))
                break
        properties = [
            (str(prop.get("name")), Located(str(prop.get("value") or ""), places.of(prop)))
            for prop in item.get("properties") or ()
            if isinstance(prop, Mapping) and isinstance(prop.get("name"), str)
        ]
        digests = [
            digest
            for entry in item.get("hashes") or ()
            if isinstance(entry, Mapping) and str(entry.get("alg", "")).upper() == "SHA-256"
            for digest in [_digest(entry.get("content"))]
            if digest
        ]
        version = _text(item.get("version"))
        yield _component(
            _text(item.get("name")) or "",
            location,
            kind=(_text(item.get("type")) or "").lower(),
            bom_ref=_text(item.get("bom-ref")),
            purl=_text(item.get("purl")),
            version=Located(version, location) if version else None,
            supplier=supplier,
            digests=digests,
            properties=properties,
        )
        yield from _cyclonedx_json_components(item.get("components"), places)


def _cyclonedx_xml(root: _Element, namespace: str, places: _Places, shown: str) -> SuppliedSbom:
    match = re.fullmatch(r"http://cyclonedx\.org/schema/bom/(1\.\d+)", namespace)
    if root.tag != "bom" or match is None:
        raise SbomError(
            f"{shown}:{root.line}: not a CycloneDX BOM (root element {root.tag!r} in namespace {namespace or 'none'}); "
            "medlint reads CycloneDX 1.x XML"
        )
    components = tuple(_cyclonedx_xml_components(root.child("components"), places))
    metadata = root.child("metadata")
    subject = metadata.child("component") if metadata is not None else None
    return SuppliedSbom(
        path=places.path,
        format=SbomFormat.CYCLONEDX_XML,
        spec_version=match.group(1),
        location=Location(places.path),
        components=components,
        subject=subject.child_text("name") if subject is not None else None,
        serial=root.attributes.get("serialNumber"),
    )


def _cyclonedx_xml_components(parent: _Element | None, places: _Places) -> Iterator[SuppliedComponent]:
    for item in parent.all("component") if parent is not None else ():
        location = places.of(item)
        supplier = None
        for key in ("supplier", "manufacturer"):
            entity = item.child(key)
            name = entity.child_text("name") if entity is not None else None
            if entity is not None and name:
                supplier = Located(name, places.of(entity))
                break
        props = item.child("properties")
        properties = [
            (prop.attributes["name"], Located(prop.text.strip(), places.of(prop)))
            for prop in (props.all("property") if props is not None else ())
            if "name" in prop.attributes
        ]
        hashes = item.child("hashes")
        digests = [
            digest
            for entry in (hashes.all("hash") if hashes is not None else ())
            if entry.attributes.get("alg", "").upper() == "SHA-256"
            for digest in [_digest(entry.text)]
            if digest
        ]
        version = item.child_text("version")
        version_element = item.child("version")
        yield _component(
            item.child_text("name") or "",
            location,
            kind=item.attributes.get("type", "").lower(),
            bom_ref=item.attributes.get("bom-ref"),
            purl=item.child_text("purl"),
            version=Located(version, places.of(version_element)) if version and version_element else None,
            supplier=supplier,
            digests=digests,
            properties=properties,
        )
        yield from _cyclonedx_xml_components(item.child("components"), places)


_ACTOR = re.compile(r"^\s*(?:Organization|Person|Tool)\s*:\s*(.*?)\s*(?:\([^()]*\))?\s*$")


def _spdx_json(document: Mapping[str, Any], places: _Places, shown: str) -> SuppliedSbom:
    version = _text(document.get("spdxVersion")) or ""
    if not re.fullmatch(r"SPDX-2\.\d+", version):
        raise SbomError(
            f"{shown}: spdxVersion {version or '(missing)'} is not SPDX-2.x; medlint reads SPDX 2.x JSON"
        )
    described = {str(item) for item in document.get("documentDescribes") or () if isinstance(item, str)}
    for relation in document.get("relationships") or ():
        if (
            isinstance(relation, Mapping)
            and relation.get("spdxElementId") == document.get("SPDXID")
            and relation.get("relationshipType") == "DESCRIBES"
        ):
            described.add(str(relation.get("relatedSpdxElement")))
    components: list[SuppliedComponent] = []
    subject: str | None = None
    for item in document.get("packages") or ():
        if not isinstance(item, Mapping):
            continue
        if item.get("SPDXID") in described:
            subject = subject or _text(item.get("name"))
            continue
        components.append(_spdx_package(item, places))
    return SuppliedSbom(
        path=places.path,
        format=SbomFormat.SPDX_JSON,
        spec_version=version.removeprefix("SPDX-"),
        location=Location(places.path),
        components=tuple(components),
        subject=subject,
        serial=_text(document.get("documentNamespace")),
    )


def _spdx_package(item: Mapping[str, Any], places: _Places) -> SuppliedComponent:
    location = places.of(item)
    supplier = None
    written = _text(item.get("supplier"))
    if written and written.upper() not in ("NOASSERTION", "NONE"):
        match = _ACTOR.match(written)
        name = (match.group(1) if match else written).strip()
        if name:
            supplier = Located(name, location)
    purl = next(
        (
            _text(ref.get("referenceLocator"))
            for ref in item.get("externalRefs") or ()
            if isinstance(ref, Mapping) and str(ref.get("referenceType", "")).lower() == "purl"
        ),
        None,
    )
    properties: list[tuple[str, Located[str]]] = []
    for note in item.get("annotations") or ():
        comment = _text(note.get("comment")) if isinstance(note, Mapping) else None
        if comment and comment.startswith(_PREFIX) and "=" in comment:
            key, _, value = comment.partition("=")
            properties.append((key.strip(), Located(value.strip(), places.of(note))))
    digests = [
        digest
        for entry in item.get("checksums") or ()
        if isinstance(entry, Mapping) and str(entry.get("algorithm", "")).upper() == "SHA256"
        for digest in [_digest(entry.get("checksumValue"))]
        if digest
    ]
    valid_until = _text(item.get("validUntilDate"))
    version = _text(item.get("versionInfo"))
    return _component(
        _text(item.get("name")) or "",
        location,
        kind=(_text(item.get("primaryPackagePurpose")) or "").lower(),
        bom_ref=_text(item.get("SPDXID")),
        purl=purl,
        version=Located(version, location) if version else None,
        supplier=supplier,
        digests=digests,
        properties=properties,
        end_of_support=Located(valid_until[:10], location) if valid_until else None,
    )


# --------------------------------------------------------------------------------------------------
# Entry points


def parse_sbom(data: bytes, shown: str) -> SuppliedSbom:
    """A supplied SBOM from its bytes; `shown` is the path findings name it by. Raises SbomError."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        root, namespace = _load_xml(data, shown)
        return _cyclonedx_xml(root, namespace, _Places(shown), shown)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SbomError(f"{shown}: the SBOM is not UTF-8 text") from None
    document = _load_json(text, shown)
    places = _Places(shown, LineIndex(text))
    if not isinstance(document, Mapping):
        raise SbomError(f"{shown}: an SBOM must be a JSON object (CycloneDX or SPDX)")
    if str(document.get("bomFormat", "")).lower() == "cyclonedx":
        return _cyclonedx_json(document, places, shown)
    if "spdxVersion" in document:
        return _spdx_json(document, places, shown)
    raise SbomError(
        f"{shown}: not a CycloneDX (bomFormat) or SPDX (spdxVersion) document; medlint reads CycloneDX 1.x JSON "
        "or XML and SPDX 2.x JSON"
    )


def read_sbom(
    path: Path,
    shown: str,
    max_bytes: int,
    on_read: Callable[[str, bytes], None] | None = None,
    within: Path | None = None,
) -> SuppliedSbom:
    """Read and parse a supplied SBOM file through the bounded reader; raises SbomError. `on_read` is told
    the bytes read (the run's record of the files it read, for the evidence report's digests). With `within`
    (the scanned project, for a file inside it) a symbolic link leading out of it is refused unread."""
    from medlint.reader import ReadRefused, read_bytes

    try:
        data = read_bytes(path, within=within, max_bytes=max_bytes, limit_name="limits.max_sbom_bytes")
    except ReadRefused as refusal:
        raise SbomError(f"SBOM {shown} was not read: {refusal.message}") from None
    except OSError as error:
        raise SbomError(f"cannot read SBOM {shown}: {error.strerror or error}") from None
    if on_read is not None:
        on_read(shown, data)
    return parse_sbom(data, shown)


def read_supplied_sboms(
    systems: Iterable[System], root: Path, reader: FileReader
) -> tuple[SuppliedSbom, ...]:
    """Every SBOM the systems name, read once each (in path order), remembered for fingerprinting. A file
    inside the project (named relative to the root) is the repository's: it may not lead out of the project
    (a link to `/etc/shadow`); one outside was named by the user on the command line."""
    found = []
    for shown in sorted({path for system in systems for path in system.sboms}):
        inside = not Path(shown).is_absolute()
        path = root / shown if inside else Path(shown)
        sbom = read_sbom(
            path, shown, reader.limits.max_sbom_bytes, reader.record, within=root if inside else None
        )
        found.append(sbom)
    return tuple(found)
