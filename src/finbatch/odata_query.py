"""OData query options → SQLAlchemy: the ``WHERE`` and ``ORDER BY`` of an allow-listed entity.

The matching rules are stated in ``finbatch.formats.odata``; this module makes both engines keep
them: ``ascii_lower`` folds A-Z only (SQLite's ``lower()`` does exactly that; PostgreSQL's follows
the locale, so it gets ``translate``), ``binary_order`` sorts strings by code point (``BINARY`` /
``COLLATE "C"``), and nulls are placed explicitly. Literals are always bound parameters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, and_, false, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from finbatch.formats.odata import (
    NO_MATCH,
    And,
    Contains,
    EntityType,
    Kind,
    Node,
    Or,
    OrderItem,
    QueryOptions,
)


class ascii_lower(FunctionElement[str]):  # noqa: N801 - reads as the SQL function it renders
    """Lower-case the ASCII letters A-Z only, identically on both engines."""

    type = String()
    inherit_cache = True
    name = "ascii_lower"


@compiles(ascii_lower)
def _ascii_lower_default(element: ascii_lower, compiler: Any, **kw: Any) -> str:
    # SQLite's built-in lower() folds only ASCII letters
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(ascii_lower, "postgresql")
def _ascii_lower_postgresql(element: ascii_lower, compiler: Any, **kw: Any) -> str:
    # PostgreSQL's lower() follows the locale; translate() keeps it to A-Z like SQLite
    return (f"translate({compiler.process(element.clauses, **kw)}, "
            "'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")


class binary_order(FunctionElement[str]):  # noqa: N801
    """A string expression ordered by code point on both engines."""

    type = String()
    inherit_cache = True
    name = "binary_order"


@compiles(binary_order)
def _binary_order_default(element: binary_order, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)}) COLLATE BINARY"


@compiles(binary_order, "postgresql")
def _binary_order_postgresql(element: binary_order, compiler: Any, **kw: Any) -> str:
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "C"'


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def like_pattern(text: str) -> str:
    """``%text%`` with ASCII letters lowered and ``\\``, ``%`` and ``_`` escaped by ``\\``."""
    escaped = text.translate(_ASCII_LOWER).replace("\\", "\\\\").replace("%", "\\%") \
        .replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    return ascii_lower(column).like(like_pattern(text), escape="\\")


def _compile(node: Node) -> ColumnElement[bool]:
    if isinstance(node, And):
        return and_(*(_compile(term) for term in node.terms))
    if isinstance(node, Or):
        return or_(*(_compile(term) for term in node.terms))
    column = node.prop.column
    assert column is not None
    if isinstance(node, Contains):
        return _contains(column, node.text)
    value = node.value
    if value is None:
        return column.is_(None)
    if value is NO_MATCH:
        return false()
    if node.prop.kind is Kind.DECIMAL:
        scaled = value.scaleb(node.prop.exponent)
        # more decimals than the column holds, or beyond a 64-bit integer: nothing equals it
        if scaled.adjusted() > 18 or scaled != scaled.to_integral_value() \
                or not -(2**63) <= int(scaled) < 2**63:
            return false()
        return column == int(scaled)
    return column == value


def where_clause(options: QueryOptions, entity: EntityType) -> ColumnElement[bool] | None:
    """``$filter`` and ``$search`` as one condition (``None`` when neither was given)."""
    parts: list[ColumnElement[bool]] = []
    if options.filter is not None:
        parts.append(_compile(options.filter))
    if options.search:
        columns = [p.column for p in entity.properties if p.is_searchable]
        parts.append(or_(*(_contains(c, options.search) for c in columns)) if columns else false())
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else and_(*parts)


def order_by(options: QueryOptions, entity: EntityType) -> list[ColumnElement[Any]]:
    """``$orderby`` completed with the key, so every page of an offset walk is deterministic."""
    items = list(options.orderby)
    if not any(item.prop.name == entity.key for item in items):
        items.append(OrderItem(entity.key_property))
    clauses: list[ColumnElement[Any]] = []
    for item in items:
        column = item.prop.column
        assert column is not None
        if item.prop.kind is Kind.STRING:
            column = binary_order(column)
        clauses.append(column.desc().nulls_last() if item.descending
                       else column.asc().nulls_first())
    return clauses
