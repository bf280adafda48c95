"""XML both ways, the way .NET services write it, with request bodies parsed safely.

Design overview
---------------
Reading. ``parse`` is the only door for untrusted XML: ``defusedxml`` with DTDs, entity
declarations and external references all forbidden (so XXE, billion laughs and remote DTDs fail
before anything is expanded or fetched), a size limit checked before parsing and a depth limit
checked while parsing. ``read_datacontract`` turns a document into plain dicts/lists/strings with
namespaces stripped; it cannot know from the XML alone that ``<Items><Item/></Items>`` is a list of
one, so the caller names the list elements (``read_model`` derives them from a DTO class). It is
lenient where .NET is strict: any namespace, any element order, any item element name. It reads
XmlSerializer documents too (``xsi:nil`` is the same attribute as ``i:nil``).

Writing. Two styles, one emitter:

- DataContract (``DataContractSerializer``: Agvance, YourMembership): a default namespace
  ``http://schemas.datacontract.org/2004/07/<Namespace>`` plus ``xmlns:i``; members in ordinal
  (alphabetical, uppercase before lowercase) order; null → ``<X i:nil="true" />``; lists as a
  container whose items are named after their type (``<clsAPIInvoice>``); scalar list items in the
  Arrays namespace (``<d2p1:string>``), as .NET writes them; GUIDs dashed; dates with 7 digits.
- XmlSerializer (Saasu): ``xmlns:xsd``/``xmlns:xsi`` on the root, members in declared order with
  chosen names (``_links``) moved first, null → ``<X xsi:nil="true" />`` unless the member is
  listed in ``omit_nulls`` (then it is left out), items named after their type (``<Link>``), UTC
  dates with a fraction only when there is one (``2024-03-21T13:00:00Z``).

Both take dicts (in their order) or DTOs (``formats.dto``), write booleans ``true``/``false``,
decimals in shortest form and enums by name, return UTF-8 bytes, compact or pretty (two-space
indent, as the vendors' samples). Characters XML 1.0 cannot carry (control characters other than
tab, CR, LF; lone surrogates) are replaced by U+FFFD so the output is always well-formed; CR is
written ``&#xD;`` so it survives a reader's newline normalisation.
"""

from __future__ import annotations

import re
import types
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar, Union, get_args, get_origin

import defusedxml
from defusedxml.ElementTree import DefusedXMLParser

from finbatch.formats import dotnet, dto
from finbatch.formats.errors import WireFormatError

T = TypeVar("T")

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
DATACONTRACT_BASE = "http://schemas.datacontract.org/2004/07/"

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64

_NIL = f"{{{XSI}}}nil"
_NAME = re.compile(r"[A-Za-z_][\w.\-]*", re.ASCII)  # NCName, ASCII subset (our DTO and member names)
_INVALID_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class XmlWireError(WireFormatError):
    """An XML body that is malformed, too large, too deep, uses DTDs/entities/external references,
    or does not have the expected shape. ``line``/``column`` locate it when the parser knows."""

    code = "SERIALIZATION_ERROR"


def datacontract_namespace(name: str) -> str:
    """``http://schemas.datacontract.org/2004/07/<name>`` (``SSI.API`` for Agvance)."""
    return DATACONTRACT_BASE + name


# --------------------------------------------------------------------------------------- reading

class _TooDeep(Exception):
    pass


class _DepthLimitedBuilder(ET.TreeBuilder):
    """A tree builder that stops the parse as soon as an element opens too deep, before the
    document is fully read (so a deep document costs no more than ``max_depth`` levels)."""

    def __init__(self, max_depth: int) -> None:
        super().__init__()
        self.depth = 0
        self.max_depth = max_depth

    def start(self, tag: Any, attrs: Any) -> Any:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _TooDeep
        return super().start(tag, attrs)

    def end(self, tag: Any) -> Any:
        self.depth -= 1
        return super().end(tag)


def parse(data: bytes | str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> ET.Element:
    """Parse an untrusted XML document into an ``Element`` tree.

    Refused with ``XmlWireError``: more than ``max_bytes`` (counted before parsing), any
    ``<!DOCTYPE>`` (hence every entity trick), external references, elements nested deeper than
    ``max_depth``, and anything not well-formed (with the parser's line and column).
    """
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        raise XmlWireError(f"the XML body is larger than {max_bytes} bytes")
    builder = _DepthLimitedBuilder(max_depth)
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    try:
        parser.feed(data)
        return parser.close()
    except _TooDeep:
        expat = getattr(parser, "parser", None)
        line = getattr(expat, "CurrentLineNumber", None)
        column = getattr(expat, "CurrentColumnNumber", None)
        raise XmlWireError(f"XML nested deeper than {max_depth} levels", line=line,
                           column=column) from None
    except defusedxml.DTDForbidden:
        raise XmlWireError("XML with a DOCTYPE (DTD) is not accepted") from None
    except defusedxml.EntitiesForbidden:
        raise XmlWireError("XML entity declarations are not accepted") from None
    except defusedxml.ExternalReferenceForbidden:
        raise XmlWireError("XML external references are not accepted") from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise XmlWireError(f"the body is not well-formed XML: {exc}", line=line,
                           column=column) from None


def local_name(tag: str) -> str:
    """``{namespace}Name`` → ``Name``."""
    return tag.rpartition("}")[2]


def read_datacontract(data: bytes | str, *, lists: Collection[str] = (), root: str | None = None,
                      max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Read a DataContract (or XmlSerializer) document into plain values, namespaces stripped.

    Each element becomes: ``None`` when it carries ``nil="true"`` in the XSI namespace; a list of
    its children's values when its local name is in ``lists`` (whatever the items are called);
    otherwise a dict of its children by local name when it has child elements; otherwise its text
    (``""`` when empty). The root becomes a dict (``{}`` when empty) unless it is itself a list.
    ``root``, when given, must be the root's local name. Raises ``XmlWireError`` for unsafe or
    malformed XML, a wrong root, or an element repeated where no list was declared.
    """
    element = parse(data, max_bytes=max_bytes, max_depth=max_depth)
    name = local_name(element.tag)
    if root is not None and name != root:
        raise XmlWireError(f"expected the root element <{root}>, found <{name}>")
    value = _to_value(element, frozenset(lists), name)
    if isinstance(value, str) or value is None:
        if value:
            raise XmlWireError(f"<{name}> holds text where members were expected")
        return {}
    return value


def _to_value(element: ET.Element, lists: frozenset[str], path: str) -> Any:
    if element.get(_NIL) in ("true", "1"):
        return None
    name = local_name(element.tag)
    if name in lists:
        return [_to_value(child, lists, f"{path}[{i}]") for i, child in enumerate(element)]
    if len(element) == 0:
        return element.text or ""
    members: dict[str, Any] = {}
    for child in element:
        key = local_name(child.tag)
        if key in members:
            raise XmlWireError(f"<{key}> repeats inside {path}; only declared lists may repeat",
                               path=f"{path}.{key}")
        members[key] = _to_value(child, lists, f"{path}.{key}")
    return members


def read_model(data: bytes | str, cls: type[T], *, root: str | None = None, tz: str | None = None,
               max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> T:
    """Read an XML body into DTO class ``cls``: the list elements are the wire names of every
    ``list[...]`` field of ``cls`` and its nested DTOs; values are converted as ``dto.from_wire``
    does (case-insensitive names, unknown members ignored, ``tz`` for zone-less date/times).
    Raises ``XmlWireError``."""
    tree = read_datacontract(data, lists=list_fields(cls), root=root, max_bytes=max_bytes,
                             max_depth=max_depth)
    try:
        return dto.from_wire(cls, tree, tz=tz)
    except XmlWireError:
        raise
    except WireFormatError as exc:
        raise XmlWireError(exc.message, path=exc.path) from None


def list_fields(cls: type) -> frozenset[str]:
    """Wire names of the list-typed fields of DTO class ``cls`` and of the DTOs it contains."""
    found: set[str] = set()
    seen: set[type] = set()

    def visit(annotation: Any, wire: str | None) -> None:
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):  # Optional[list[X]] is still a list
            for arg in get_args(annotation):
                visit(arg, wire)
        elif origin in (list, tuple, set, frozenset) or annotation in (list, tuple):
            if wire is not None:
                found.add(wire)
            for arg in get_args(annotation):
                visit(arg, None)
        elif origin is dict:
            for arg in get_args(annotation):
                visit(arg, None)
        elif isinstance(annotation, type) and dto.is_dto(annotation) and annotation not in seen:
            seen.add(annotation)
            for member_wire, member_annotation in dto.field_types(annotation):
                visit(member_annotation, member_wire)

    visit(cls, None)
    return frozenset(found)


# --------------------------------------------------------------------------------------- writing

@dataclass(frozen=True)
class _Style:
    nil: str  # the nil attribute as written
    ordinal: bool  # sort members by name (DataContract) or keep declared order (XmlSerializer)
    first: tuple[str, ...]
    omit_nulls: frozenset[str]
    scalar_prefix: str  # prefix of scalar list items ("d2p1:" in the Arrays namespace)
    scalar_decl: str  # the declaration that prefix needs, on the list element
    fraction: dotnet.Fraction
    tz: str | None
    item_names: Mapping[str, str]


def write_datacontract(root: str, value: Any, *, namespace: str,
                       item_names: Mapping[str, str] | None = None, tz: str | None = None,
                       fraction: dotnet.Fraction = "always", pretty: bool = False,
                       declaration: bool = False) -> bytes:
    """A DataContract document: ``<root xmlns:i=… xmlns=namespace>`` with ``value``'s members.

    ``item_names`` maps a list member's name to its items' element name (``{"InvoiceRecords":
    "clsAPIInvoice"}``); without it, DTO items are named after their type (``dto.type_name``)
    and scalar items after the .NET type in the Arrays namespace (``d2p1:string``); a list of
    plain dicts must be named. ``tz``/``fraction`` format datetimes as ``dotnet.format_datetime``.
    Raises ``TypeError`` for a value type XML cannot carry and ``ValueError`` for an invalid
    element name or a list without an item name.
    """
    style = _Style(nil='i:nil="true"', ordinal=True, first=(), omit_nulls=frozenset(),
                   scalar_prefix="d2p1:", scalar_decl=f' xmlns:d2p1="{ARRAYS}"', fraction=fraction,
                   tz=tz, item_names=dict(item_names or {}))
    attrs = f' xmlns:i="{XSI}" xmlns="{_escape(namespace, attribute=True)}"'
    return _Emitter(style, pretty).document(root, attrs, value, declaration)


def write_xmlserializer(root: str, value: Any, *, item_names: Mapping[str, str] | None = None,
                        omit_nulls: Collection[str] = (), first: Sequence[str] = (),
                        tz: str | None = None, fraction: dotnet.Fraction = "auto",
                        pretty: bool = False, declaration: bool = False) -> bytes:
    """An XmlSerializer document: ``<root xmlns:xsd=… xmlns:xsi=…>`` with ``value``'s members in
    declared order, except that members named in ``first`` come first, at every level (Saasu:
    ``first=["_links"]``). A null member is ``<X xsi:nil="true" />`` unless its name is in
    ``omit_nulls`` (Saasu: ``{"title"}``). ``item_names`` as in ``write_datacontract``; scalar
    items are named ``string``, ``int``, ``decimal``… without a namespace. Raises like it.
    """
    style = _Style(nil='xsi:nil="true"', ordinal=False, first=tuple(first),
                   omit_nulls=frozenset(omit_nulls), scalar_prefix="", scalar_decl="",
                   fraction=fraction, tz=tz, item_names=dict(item_names or {}))
    attrs = f' xmlns:xsd="{XSD}" xmlns:xsi="{XSI}"'
    return _Emitter(style, pretty).document(root, attrs, value, declaration)


_SCALAR_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"), (int, "int"), (Decimal, "decimal"), (str, "string"),
    (datetime, "dateTime"), (date, "dateTime"), (uuid.UUID, "guid"),
)


class _Emitter:
    def __init__(self, style: _Style, pretty: bool) -> None:
        self.style = style
        self.pretty = pretty
        self.out: list[str] = []

    def document(self, root: str, attrs: str, value: Any, declaration: bool) -> bytes:
        if declaration:
            self.out.append('<?xml version="1.0" encoding="utf-8"?>')
        self.complex(root, value, 0, attrs)
        return "".join(self.out).encode("utf-8")

    def indent(self, depth: int) -> None:
        if self.pretty and self.out:
            self.out.append("\n" + "  " * depth)

    def empty(self, name: str, depth: int, attrs: str = "") -> None:
        self.indent(depth)
        self.out.append(f"<{_name(name)}{attrs} />")

    def members(self, value: Any) -> list[tuple[str, Any]]:
        items = [(str(k), v) for k, v in dto.wire_fields(value)]
        if self.style.ordinal:
            items.sort(key=lambda kv: kv[0])
        if self.style.first:
            rank = {name: i for i, name in enumerate(self.style.first)}
            items.sort(key=lambda kv: rank.get(kv[0], len(rank)))  # stable: the rest keep order
        return [(k, v) for k, v in items if v is not None or k not in self.style.omit_nulls]

    def complex(self, name: str, value: Any, depth: int, attrs: str = "") -> None:
        if depth > MAX_DEPTH:
            raise ValueError(f"nesting deeper than {MAX_DEPTH} levels")
        members = self.members(value)
        if not members:
            self.empty(name, depth, attrs)
            return
        self.indent(depth)
        self.out.append(f"<{_name(name)}{attrs}>")
        for key, member in members:
            self.member(key, member, depth + 1)
        self.indent(depth)
        self.out.append(f"</{name}>")

    def member(self, name: str, value: Any, depth: int, prefix: str = "") -> None:
        if value is None:
            self.empty(prefix + name, depth, " " + self.style.nil)
        elif isinstance(value, Mapping) or (dto.is_dto(value) and not isinstance(value, type)):
            self.complex(prefix + name, value, depth)
        elif isinstance(value, (list, tuple)):
            self.sequence(name, value, depth)
        else:
            text = _escape(self.scalar(value))
            self.indent(depth)
            if text:
                self.out.append(f"<{_name(prefix + name)}>{text}</{prefix}{name}>")
            else:
                self.out.append(f"<{_name(prefix + name)} />")

    def sequence(self, name: str, items: Sequence[Any], depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ValueError(f"nesting deeper than {MAX_DEPTH} levels")
        if not items:
            self.empty(name, depth)
            return
        given = self.style.item_names.get(name)
        sample = next((item for item in items if item is not None), None)
        scalar = sample is not None and not isinstance(sample, (Mapping, list, tuple)) \
            and not dto.is_dto(sample)
        attrs, prefix = "", ""
        if scalar and given is None:
            attrs, prefix = self.style.scalar_decl, self.style.scalar_prefix
        self.indent(depth)
        self.out.append(f"<{_name(name)}{attrs}>")
        for item in items:
            if isinstance(item, (list, tuple)):
                raise TypeError(f"list {name!r} holds lists; XML needs a named item type")
            item_name = given or self.item_name(name, item if item is not None else sample)
            self.member(item_name, item, depth + 1, prefix if scalar and given is None else "")
        self.indent(depth)
        self.out.append(f"</{name}>")

    def item_name(self, list_name: str, item: Any) -> str:
        if item is not None and dto.is_dto(item):
            return dto.type_name(item)
        if isinstance(item, Enum):
            return dto.type_name(item)
        for kind, type_name in _SCALAR_TYPE_NAMES:
            if isinstance(item, kind):
                return type_name
        raise ValueError(f"name the items of list {list_name!r} with item_names")

    def scalar(self, value: Any) -> str:
        style = self.style
        if isinstance(value, Enum):
            return value.name
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, Decimal)):
            return dotnet.format_decimal(value)
        if isinstance(value, datetime):
            return dotnet.format_datetime(value, tz=style.tz, fraction=style.fraction)
        if isinstance(value, date):
            return dotnet.format_date(value)
        if isinstance(value, uuid.UUID):
            return str(value)
        raise TypeError(f"cannot write {type(value).__name__} as XML")


def _name(name: str) -> str:
    local = name.rpartition(":")[2]
    if not _NAME.fullmatch(local):
        raise ValueError(f"{name[:40]!r} is not a valid XML element name")
    return name


def _escape(text: str, *, attribute: bool = False) -> str:
    text = _INVALID_CHARS.sub("\ufffd", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#xD;")
    return text.replace('"', "&quot;") if attribute else text
