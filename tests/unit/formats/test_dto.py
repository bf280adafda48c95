"""The typed layer shared by JSV and XML: field discovery and value coercion."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

import pytest
from pydantic import BaseModel, Field, field_validator

from finbatch.formats import dto
from finbatch.formats.errors import WireFormatError


@dataclass
class Item:
    __wire_name__: ClassVar[str] = "clsItem"
    Code: str
    links: list[str] = field(default_factory=list, metadata={"wire": "_links"})


class Model(BaseModel):
    amount: Decimal = Field(alias="Amount")
    kind: Literal["SP", "PP"] = Field(default="SP", alias="TransactionType")

    @field_validator("amount")
    @classmethod
    def positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("must be positive")
        return value


def test_wire_fields_and_type_names():
    assert dto.wire_fields(Item("A", ["x"])) == [("Code", "A"), ("_links", ["x"])]
    assert dto.wire_fields({"B": 1, "A": 2}) == [("B", 1), ("A", 2)]
    assert dto.wire_fields(Model(Amount=Decimal(1))) == [("Amount", Decimal(1)), ("TransactionType", "SP")]
    assert dto.type_name(Item("A")) == "clsItem"
    assert dto.type_name(Model) == "Model"
    assert dto.field_types(Item) == [("Code", str), ("_links", list[str])]
    assert dto.is_dto(Item) and dto.is_dto(Model(Amount=1)) and not dto.is_dto({})
    with pytest.raises(TypeError):
        dto.wire_fields(42)


def test_from_wire_uses_wire_names():
    assert dto.from_wire(Item, {"code": "A", "_LINKS": ["x"]}) == Item("A", ["x"])
    assert dto.from_wire(Model, {"amount": "1.50", "transactiontype": "PP"}) == Model(Amount=Decimal("1.50"), TransactionType="PP")


def test_model_validators_still_run():
    with pytest.raises(WireFormatError, match="must be positive"):
        dto.from_wire(Model, {"Amount": "-1"})
    with pytest.raises(WireFormatError, match="not one of SP, PP"):
        dto.from_wire(Model, {"Amount": "1", "TransactionType": "XX"})


@pytest.mark.parametrize(("value", "annotation", "expected"), [
    ("12", int | None, 12),
    (None, int | None, None),
    ("12", int | str, 12),
    ("twelve", int | str, "twelve"),
    ("c4a760a8-dbcf-4e14-9f49-f2b1a0a6b9a5", uuid.UUID, uuid.UUID("c4a760a8dbcf4e149f49f2b1a0a6b9a5")),
    ("{c4a760a8-dbcf-4e14-9f49-f2b1a0a6b9a5}", uuid.UUID, uuid.UUID("c4a760a8dbcf4e149f49f2b1a0a6b9a5")),
    ("2024-03-21T00:00:00", date, date(2024, 3, 21)),
    ("03/21/2024", date, date(2024, 3, 21)),
    (["1", "2"], tuple[int, ...], (1, 2)),
    (["1", "2"], set[int], {1, 2}),
    ({"1": "a"}, dict[int, str], {1: "a"}),
    ({"x": ["1"]}, Any, {"x": ["1"]}),
    (7, int, 7),
    (7, Decimal, Decimal(7)),
    (datetime(2024, 1, 1, tzinfo=UTC), datetime, datetime(2024, 1, 1, tzinfo=UTC)),
    (" 5 ", int, 5),
])
def test_coerce(value, annotation, expected):
    assert dto.coerce(value, annotation) == expected


@pytest.mark.parametrize(("value", "annotation", "message"), [
    (None, int, "must not be null"),
    ("x", int | bool, "fits none of the allowed types"),
    ("2024-03-21T13:00:00", date, "has a time of day"),
    (True, int, "expected a int value, got bool"),
    ("1", list[int], "expected a list"),
    ({"a": "1"}, str, "expected a str value, got a map"),
    ("g", uuid.UUID, "not a GUID"),
])
def test_coerce_errors(value, annotation, message):
    with pytest.raises(WireFormatError, match=message):
        dto.coerce(value, annotation, path="F")


def test_unsupported_field_types_are_bugs_not_client_errors():
    with pytest.raises(TypeError, match="unsupported"):
        dto.coerce("1", complex)


def test_formats_import_only_the_kit_and_plain_libraries():
    """formats/ stays framework-free: no FastAPI, Starlette, SQLAlchemy or other finbatch package."""
    import ast
    from pathlib import Path

    root = Path(dto.__file__).parent
    allowed_finbatch = ("finbatch.kit", "finbatch.formats")
    banned = ("fastapi", "starlette", "sqlalchemy", "alembic", "psycopg")
    offenders = []
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                if (name.startswith("finbatch") and not name.startswith(allowed_finbatch)) or \
                        name.split(".")[0] in banned:
                    offenders.append(f"{path.name}: {name}")
    assert not offenders, offenders
