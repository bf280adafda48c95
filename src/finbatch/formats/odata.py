"""OData v4 system query options, restricted to what the vendor dialects document.

Design overview
- The caller describes an entity type (``EntityType``): its name, its key and an allow-list of
  ``Property``s, each with an EDM kind and the SQLAlchemy expression that holds it. Nothing that
  is not in the allow-list can be named in a query, and user text reaches the database only as
  bound parameters: no input is ever pasted into SQL.
- ``parse_query`` turns the raw query parameters into ``QueryOptions`` (pure, no database). The
  ``$filter`` grammar is a small recursive descent::

      expression := term ('or' term)*
      term       := factor ('and' factor)*
      factor     := '(' expression ')' | 'contains' '(' property ',' string ')'
                  | property 'eq' literal

  Every other operator (``ne``, ``gt``, ``ge``, ``lt``, ``le``, ``in``, ``has``, ``not``,
  arithmetic) and every other function is a 400 that names it; at most ``MAX_FILTER_EXPRESSIONS``
  comparisons; ``$orderby`` at most ``MAX_ORDERBY`` items. Errors carry the option and the 0-based
  character position they refer to.
- ``finbatch.odata_query`` turns the options into SQLAlchemy expressions (beside the
  repositories, since it builds queries);
  ``finbatch.formats.odata_urls`` builds the links of a response and reads entity keys.

Matching rules (identical on SQLite and PostgreSQL; tests run both)
- ``eq`` on strings is exact and case-sensitive.
- ``contains()`` and ``$search`` are case-insensitive for the ASCII letters A-Z only; every other
  character compares exactly (SQLite's ``lower()`` folds only ASCII, so PostgreSQL is made to do
  the same with ``translate``). ``%``, ``_`` and ``\\`` in the text match literally.
- ``$search`` takes its whole value (surrounding double quotes removed) as one phrase and matches
  it against every searchable string property.
- Strings sort by code point (``COLLATE "C"`` / ``BINARY``); nulls sort first ascending and last
  descending; the key always ends the ordering so offset paging is stable.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from finbatch.kit.errors import BadRequest

MAX_FILTER_EXPRESSIONS = 100
MAX_ORDERBY = 5
DEFAULT_TOP = 20
MAX_TOP = 5000
MAX_SKIP = 2_147_483_647
#: Longest accepted value of one query option (a URL cannot usefully be longer anyway).
MAX_OPTION_LENGTH = 16384
MAX_NESTING = 32
METADATA_LEVELS = ("minimal", "none", "full")

COLLECTION_OPTIONS = frozenset({"$filter", "$orderby", "$top", "$skip", "$search", "$select",
                                "$format", "$count"})
ENTITY_OPTIONS = frozenset({"$select", "$format"})
#: System query options of OData v4 that no dialect here supports.
_UNSUPPORTED_OPTIONS = frozenset({"$expand", "$apply", "$compute", "$levels", "$skiptoken",
                                  "$deltatoken", "$id", "$index", "$schemaversion"})
_COMPARISONS = frozenset({"ne", "gt", "ge", "lt", "le", "has", "in"})
_ARITHMETIC = frozenset({"add", "sub", "mul", "div", "divby", "mod"})


class Kind(StrEnum):
    """How a property's literals are read; the value is its EDM type."""

    STRING = "Edm.String"
    INT32 = "Edm.Int32"
    INT64 = "Edm.Int64"
    BOOLEAN = "Edm.Boolean"
    GUID = "Edm.Guid"
    DECIMAL = "Edm.Decimal"
    DATETIME = "Edm.DateTimeOffset"
    #: A calendar date; filters accept ``2026-03-01`` or a date-time at midnight.
    DATE = "Edm.Date"


_INT_RANGES = {Kind.INT32: (-(2**31), 2**31 - 1), Kind.INT64: (-(2**63), 2**63 - 1)}


@dataclass(frozen=True, slots=True)
class Property:
    """One allow-listed property. ``column`` is the expression holding it (``None``: it can be
    selected but not filtered or sorted). A ``DECIMAL`` column holds the value scaled by
    ``10**exponent`` (money in minor units)."""

    name: str
    kind: Kind
    #: The storage column the property reads (a SQLAlchemy column; opaque to the grammar).
    column: Any = None
    nullable: bool = True
    exponent: int = 0
    #: EDM type shown in $metadata when it differs from the kind's (e.g. a date as date-time).
    edm_type: str | None = None
    searchable: bool | None = None

    @property
    def edm(self) -> str:
        return self.edm_type or self.kind.value

    @property
    def is_searchable(self) -> bool:
        if self.column is None:
            return False
        return self.kind is Kind.STRING if self.searchable is None else self.searchable


@dataclass(frozen=True, slots=True)
class EntityType:
    namespace: str
    name: str
    key: str
    properties: tuple[Property, ...]
    _by_name: dict[str, Property] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {p.name: p for p in self.properties})
        if self.key not in self._by_name:
            raise ValueError(f"key {self.key!r} is not a property of {self.name}")

    @property
    def qualified_name(self) -> str:
        return f"{self.namespace}.{self.name}"

    def get(self, name: str) -> Property | None:
        return self._by_name.get(name)

    @property
    def key_property(self) -> Property:
        return self._by_name[self.key]


class ODataError(BadRequest):
    """A query option that cannot be honoured. ``extra`` names the option (``target``) and, for
    syntax errors, the 0-based character ``position``."""

    code = "INVALID_QUERY_OPTION"

    def __init__(self, message: str, *, option: str, code: str | None = None,
                 position: int | None = None) -> None:
        extra: dict[str, Any] = {"target": option}
        if position is not None:
            extra["position"] = position
        super().__init__(message, code=code, extra=extra)


# --- the $filter AST -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Eq:
    prop: Property
    #: The typed literal; ``None`` is OData ``null``; ``NO_MATCH`` a value no row can hold.
    value: Any


@dataclass(frozen=True, slots=True)
class Contains:
    prop: Property
    text: str


@dataclass(frozen=True, slots=True)
class And:
    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    terms: tuple[Node, ...]


Node = Eq | Contains | And | Or
NO_MATCH = object()


@dataclass(frozen=True, slots=True)
class OrderItem:
    prop: Property
    descending: bool = False


@dataclass(slots=True)
class QueryOptions:
    filter: Node | None = None
    filter_expressions: int = 0
    orderby: list[OrderItem] = field(default_factory=list)
    top: int = DEFAULT_TOP
    skip: int = 0
    search: str | None = None
    select: tuple[str, ...] | None = None
    metadata: str = "minimal"


# --- tokens --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Token:
    type: str  # guid, datetime, date, number, string, name, punct, end
    text: str
    position: int


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<guid>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![\w-]))
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})(?![\w:.+-]))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\w:-]))
  | (?P<number>[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.]))
  | (?P<string>'(?:[^']|'')*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:[/.][A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<punct>[(),])
""", re.VERBOSE)


def tokenize(text: str, option: str = "$filter") -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            if char == "'":
                raise _syntax(option, text, position, "the string literal is not terminated")
            raise _syntax(option, text, position, f"unexpected character '{char}'")
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _syntax(option: str, text: str, position: int, what: str) -> ODataError:
    return ODataError(f"Syntax error at position {position} in {option} '{text}': {what}.",
                      option=option, code="QUERY_SYNTAX_ERROR", position=position)


def _describe(token: Token) -> str:
    return "the end of the text" if token.type == "end" else f"'{token.text}'"


# --- $filter -------------------------------------------------------------------------------------

class _FilterParser:
    def __init__(self, text: str, entity: EntityType) -> None:
        self.text = text
        self.entity = entity
        self.tokens = tokenize(text)
        self.index = 0
        self.expressions = 0
        self.depth = 0

    # token helpers
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def is_word(self, token: Token, *words: str) -> bool:
        return token.type == "name" and token.text.lower() in words

    def expect(self, text: str, what: str) -> Token:
        token = self.take()
        if token.text != text:
            raise self.error(token, f"expected {what} but found {_describe(token)}")
        return token

    def error(self, token: Token, what: str) -> ODataError:
        return _syntax("$filter", self.text, token.position, what)

    # grammar
    def parse(self) -> Node:
        node = self.expression()
        token = self.peek()
        if token.type != "end":
            self.reject_operator(token)
            raise self.error(token, f"expected 'and', 'or' or the end but found {_describe(token)}")
        return node

    def expression(self) -> Node:
        terms = [self.term()]
        while self.is_word(self.peek(), "or"):
            self.take()
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def term(self) -> Node:
        factors = [self.factor()]
        while self.is_word(self.peek(), "and"):
            self.take()
            factors.append(self.factor())
        return factors[0] if len(factors) == 1 else And(tuple(factors))

    def factor(self) -> Node:
        token = self.peek()
        if token.text == "(":
            self.take()
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise self.error(token, f"parentheses are nested more than {MAX_NESTING} deep")
            node = self.expression()
            closing = self.peek()
            if closing.text != ")":
                self.reject_operator(closing)
                raise self.error(closing, f"expected ')' but found {_describe(closing)}")
            self.take()
            self.depth -= 1
            return node
        if token.type != "name":
            raise self.error(token, f"expected a property name or contains() but found "
                                    f"{_describe(token)}")
        if self.is_word(token, "not"):
            raise self.unsupported(token)
        if self.peek(1).text == "(":
            return self.function()
        return self.comparison()

    def function(self) -> Node:
        name = self.take()
        if name.text != "contains":
            raise ODataError(f"The function '{name.text}' is not supported: $filter allows only "
                             "'eq' and contains(), combined with 'and' and 'or'.",
                             option="$filter", code="UNSUPPORTED_FUNCTION", position=name.position)
        self.count(name)
        self.expect("(", "'('")
        prop_token = self.take()
        if prop_token.type != "name":
            raise self.error(prop_token, "contains() takes a property name first")
        prop = self.resolve(prop_token)
        if prop.kind is not Kind.STRING:
            raise ODataError(f"contains() needs a string property; '{prop.name}' is {prop.edm}.",
                             option="$filter", code="TYPE_MISMATCH", position=prop_token.position)
        self.expect(",", "','")
        text = self.take()
        if text.type != "string":
            raise self.error(text, "contains() takes a string literal second")
        self.expect(")", "')'")
        return Contains(prop, _unquote(text.text))

    def comparison(self) -> Node:
        prop_token = self.take()
        prop = self.resolve(prop_token)
        operator = self.peek()
        if not self.is_word(operator, "eq"):
            self.reject_operator(operator)
            raise self.error(operator, f"expected 'eq' after '{prop_token.text}' but found "
                                       f"{_describe(operator)}")
        self.count(prop_token)
        self.take()
        return Eq(prop, self.coerce(prop, self.take()))

    def reject_operator(self, token: Token) -> None:
        if token.type == "name" and token.text.lower() in _COMPARISONS | _ARITHMETIC | {"not"}:
            raise self.unsupported(token)

    def unsupported(self, token: Token) -> ODataError:
        return ODataError(f"The operator '{token.text}' is not supported: $filter allows only "
                          "'eq' and contains(), combined with 'and' and 'or'.",
                          option="$filter", code="UNSUPPORTED_OPERATOR", position=token.position)

    def count(self, token: Token) -> None:
        self.expressions += 1
        if self.expressions > MAX_FILTER_EXPRESSIONS:
            raise ODataError(f"The $filter has more than {MAX_FILTER_EXPRESSIONS} expressions; "
                             f"the maximum number of expressions is {MAX_FILTER_EXPRESSIONS}.",
                             option="$filter", code="TOO_MANY_EXPRESSIONS",
                             position=token.position)

    def resolve(self, token: Token) -> Property:
        prop = resolve_property(self.entity, token.text, "$filter", token.position)
        if prop.column is None:
            raise ODataError(f"The property '{prop.name}' cannot be used in $filter.",
                             option="$filter", code="UNSUPPORTED_PROPERTY", position=token.position)
        return prop

    def coerce(self, prop: Property, token: Token) -> Any:
        if token.type in ("end", "punct") or (
                token.type == "name" and token.text not in ("true", "false", "null")):
            raise self.error(token, f"expected a literal value after 'eq' but found "
                                    f"{_describe(token)}")
        if token.type == "name" and token.text == "null":
            return None
        try:
            value = _literal(prop, token)
        except (ValueError, InvalidOperation, OverflowError):
            value = _WRONG_TYPE
        if value is _WRONG_TYPE:
            raise ODataError(f"'{prop.name}' is {prop.edm} and cannot be compared with "
                             f"{token.text}.", option="$filter", code="TYPE_MISMATCH",
                             position=token.position)
        return value


_WRONG_TYPE = object()


def _unquote(text: str) -> str:
    return text[1:-1].replace("''", "'")


def _literal(prop: Property, token: Token) -> Any:
    """The typed value of ``token`` for ``prop``; ``_WRONG_TYPE`` when the kinds differ."""
    kind = prop.kind
    if kind is Kind.STRING:
        return _unquote(token.text) if token.type == "string" else _WRONG_TYPE
    if kind in _INT_RANGES:
        if token.type != "number" or not re.fullmatch(r"[+-]?\d+", token.text):
            return _WRONG_TYPE
        low, high = _INT_RANGES[kind]
        value = int(token.text)
        return value if low <= value <= high else NO_MATCH
    if kind is Kind.DECIMAL:
        if token.type != "number":
            return _WRONG_TYPE
        value = Decimal(token.text)
        # 1e999999 or 1e-999999 cannot equal any stored amount (and would overflow scaling)
        return value if value == 0 or -30 <= value.adjusted() <= 30 else NO_MATCH
    if kind is Kind.BOOLEAN:
        return {"true": True, "false": False}.get(token.text, _WRONG_TYPE) \
            if token.type == "name" else _WRONG_TYPE
    if kind is Kind.GUID:
        if token.type not in ("guid", "string"):
            return _WRONG_TYPE
        text = _unquote(token.text) if token.type == "string" else token.text
        return str(uuid.UUID(text)) if len(text) == 36 else _WRONG_TYPE
    if kind is Kind.DATETIME:
        return _instant(token.text) if token.type == "datetime" else _WRONG_TYPE
    if kind is Kind.DATE:
        if token.type == "date":
            return date.fromisoformat(token.text)
        if token.type == "datetime":
            instant = _instant(token.text)
            return instant.date() if instant.timetz().replace(tzinfo=None) == time(0) else NO_MATCH
        return _WRONG_TYPE
    raise AssertionError(kind)


def _instant(text: str) -> datetime:
    """A date-time literal (``Z`` or an offset; beyond microseconds is cut), in UTC. Raises
    ``ValueError`` for impossible dates and instants outside the representable years."""
    match = re.fullmatch(r"(.*T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})", text)
    if match is None:
        raise ValueError(text)
    base, fraction, offset = match.groups()
    fraction = f".{(fraction or '')[:6]:0<6}"
    instant = datetime.fromisoformat(base + fraction + ("+00:00" if offset == "Z" else offset))
    try:
        instant.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01T00:00+01:00 has no UTC instant
        raise ValueError(text) from exc
    return instant


def resolve_property(entity: EntityType, name: str, option: str, position: int | None) -> Property:
    prop = entity.get(name)
    if prop is None:
        hint = next((p.name for p in entity.properties if p.name.lower() == name.lower()), None)
        suffix = f" Did you mean '{hint}'?" if hint else ""
        raise ODataError(f"Could not find a property named '{name}' on type "
                         f"'{entity.qualified_name}'.{suffix}", option=option,
                         code="UNKNOWN_PROPERTY", position=position)
    return prop


def parse_filter(text: str, entity: EntityType) -> tuple[Node, int]:
    """The AST of a ``$filter`` and its number of comparisons."""
    parser = _FilterParser(text, entity)
    if parser.peek().type == "end":
        raise _syntax("$filter", text, 0, "the expression is empty")
    return parser.parse(), parser.expressions


# --- the other options ---------------------------------------------------------------------------

def parse_orderby(text: str, entity: EntityType) -> list[OrderItem]:
    tokens = tokenize(text, "$orderby")
    items: list[OrderItem] = []
    index = 0
    while True:
        token = tokens[index]
        if token.type != "name":
            raise _syntax("$orderby", text, token.position,
                          f"expected a property name but found {_describe(token)}")
        if len(items) == MAX_ORDERBY:
            raise ODataError(f"The $orderby has more than {MAX_ORDERBY} expressions; the maximum "
                             f"number of expressions is {MAX_ORDERBY}.", option="$orderby",
                             code="TOO_MANY_EXPRESSIONS", position=token.position)
        prop = resolve_property(entity, token.text, "$orderby", token.position)
        if prop.column is None:
            raise ODataError(f"The property '{prop.name}' cannot be used in $orderby.",
                             option="$orderby", code="UNSUPPORTED_PROPERTY",
                             position=token.position)
        index += 1
        descending = False
        if tokens[index].type == "name" and tokens[index].text.lower() in ("asc", "desc"):
            descending = tokens[index].text.lower() == "desc"
            index += 1
        items.append(OrderItem(prop, descending))
        token = tokens[index]
        if token.type == "end":
            return items
        if token.text != ",":
            raise _syntax("$orderby", text, token.position,
                          f"expected ',', 'asc', 'desc' or the end but found {_describe(token)}")
        index += 1


def parse_select(text: str, entity: EntityType) -> tuple[str, ...] | None:
    names: list[str] = []
    position = 0
    for part in text.split(","):
        name = part.strip()
        offset = position + len(part) - len(part.lstrip())
        position += len(part) + 1
        if name == "*":
            return None
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise _syntax("$select", text, offset, f"expected a property name but found '{name}'"
                          if name else "expected a property name")
        resolve_property(entity, name, "$select", offset)
        names.append(name)
    return tuple(dict.fromkeys(names))


def _non_negative(option: str, text: str) -> int:
    digits = text.strip()
    if not re.fullmatch(r"\d+", digits):
        raise ODataError(f"The value '{text}' of {option} is not a non-negative integer.",
                         option=option, code="INVALID_QUERY_OPTION")
    # beyond 18 digits every limit is exceeded; skip int() of huge texts
    return int(digits) if len(digits.lstrip("0")) <= 18 else 10**19


def parse_top(text: str, *, max_top: int = MAX_TOP) -> int:
    top = _non_negative("$top", text)
    if top > max_top:
        raise ODataError(f"The limit for the $top query has been exceeded. The value from the "
                         f"incoming request is '{text.strip()}'.", option="$top",
                         code="TOP_LIMIT_EXCEEDED")
    return top


def parse_skip(text: str) -> int:
    skip = _non_negative("$skip", text)
    if skip > MAX_SKIP:
        raise ODataError(f"The value of $skip must be at most {MAX_SKIP}.", option="$skip",
                         code="INVALID_QUERY_OPTION")
    return skip


def parse_format(text: str, option: str = "$format") -> str:
    """The metadata level of ``json``/``application/json[;odata.metadata=…]``."""
    media, *parameters = [part.strip() for part in text.split(";")]
    if media.lower() not in ("json", "application/json", "*/*", "application/*"):
        raise ODataError(f"The format '{text}' is not supported; use application/json.",
                         option=option, code="UNSUPPORTED_FORMAT")
    level = "minimal"
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "odata.metadata":
            level = value.strip().lower()
            if level not in METADATA_LEVELS:
                raise ODataError(f"odata.metadata must be one of {', '.join(METADATA_LEVELS)}, "
                                 f"not '{value.strip()}'.", option=option,
                                 code="UNSUPPORTED_FORMAT")
    return level


def _metadata_from_accept(accept: str | None) -> str:
    """The metadata level asked for in an ``Accept`` header (minimal when it says nothing)."""
    for media in (accept or "").split(","):
        if "odata.metadata=" in media.lower():
            try:
                return parse_format(media.strip(), option="Accept")
            except ODataError:
                continue
    return "minimal"


def parse_query(params: Iterable[tuple[str, str]], entity: EntityType, *,
                allowed: frozenset[str] = COLLECTION_OPTIONS, default_top: int = DEFAULT_TOP,
                max_top: int = MAX_TOP, accept: str | None = None) -> QueryOptions:
    """Read the system query options of one request. Parameters without a ``$`` are custom
    options and are left to the caller. Raises ``ODataError`` (a 400) for an unsupported,
    repeated or invalid option."""
    raw: dict[str, str] = {}
    for name, value in params:
        if not name.startswith("$"):
            continue
        key = name.lower()
        if key in raw:
            raise ODataError(f"The query option '{name}' was specified more than once.",
                             option=name, code="DUPLICATE_QUERY_OPTION")
        if key not in allowed:
            where = "" if key in _UNSUPPORTED_OPTIONS or key not in COLLECTION_OPTIONS \
                else " on a single entity"
            raise ODataError(f"The query option '{name}' is not supported{where}.", option=name,
                             code="UNSUPPORTED_QUERY_OPTION")
        if len(value) > MAX_OPTION_LENGTH:
            raise ODataError(f"The query option '{name}' is longer than {MAX_OPTION_LENGTH} "
                             "characters.", option=name, code="INVALID_QUERY_OPTION")
        if "\x00" in value:  # no stored text holds one, and PostgreSQL refuses it as a parameter
            raise ODataError(f"The query option '{name}' contains a NUL character.",
                             option=name, code="INVALID_QUERY_OPTION")
        raw[key] = value
    options = QueryOptions(top=default_top, metadata=_metadata_from_accept(accept))
    if "$filter" in raw:
        options.filter, options.filter_expressions = parse_filter(raw["$filter"], entity)
    if "$orderby" in raw:
        options.orderby = parse_orderby(raw["$orderby"], entity)
    if "$top" in raw:
        options.top = parse_top(raw["$top"], max_top=max_top)
    if "$skip" in raw:
        options.skip = parse_skip(raw["$skip"])
    if "$search" in raw:
        text = raw["$search"].strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        options.search = text or None
    if "$select" in raw:
        options.select = parse_select(raw["$select"], entity)
    if "$format" in raw:
        options.metadata = parse_format(raw["$format"])
    if "$count" in raw and raw["$count"].strip().lower() not in ("true", "false"):
        raise ODataError(f"The value '{raw['$count']}' of $count is not true or false.",
                         option="$count", code="INVALID_QUERY_OPTION")
    return options
