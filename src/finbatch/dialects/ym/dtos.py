"""YourMembership's ServiceStack DTOs (seed 000, ``dialects/ym.md``), as dataclasses.

Field order is the seed's order, which JSON and JSV keep and XML sorts (DataContract). Fields that
are non-nullable in .NET carry .NET's defaults (``0``, ``False``, ``DateTime.MinValue``) so a
response echoes them exactly as ServiceStack would; nullable ones default to ``None`` and are
omitted on the wire. Reading (``formats.dto.from_wire``) matches names case-insensitively and
ignores unknown properties, as ServiceStack does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

MIN = datetime.min  # DateTime.MinValue


class Device(Enum):
    Desktop = 0
    IOS = 1
    Android = 2


@dataclass
class ResponseError:
    ErrorCode: str | None = None
    FieldName: str | None = None
    Message: str | None = None
    Meta: dict[str, str] | None = None


@dataclass
class ResponseStatus:
    ErrorCode: str | None = None
    Message: str | None = None
    StackTrace: str | None = None
    Errors: list[ResponseError] | None = None
    Meta: dict[str, str] | None = None


# Fields named like their type (``ResponseStatus: ResponseStatus``) are annotated through these
# aliases: inside a class body the field's default would shadow the type when annotations are
# evaluated (OpenAPI schema generation evaluates them there).
_Status = ResponseStatus
# How the wire writes them, for the OpenAPI document (``formats.dto`` reads the plain types): a
# .NET DateTime is ISO 8601 with seven fraction digits and an offset, or none for kind Unspecified
# (``DateTime.MinValue`` is ``0001-01-01T00:00:00.0000000``), so not RFC 3339's ``date-time``; an
# enum is written by name.
NetDateTime = Annotated[datetime, WithJsonSchema({
    "type": "string", "description": ".NET DateTime: yyyy-MM-ddTHH:mm:ss.fffffff, then Z, an "
    "offset, or nothing (kind Unspecified)"})]
_Device = Annotated[Device, PlainSerializer(lambda member: member.name, return_type=str),
                    WithJsonSchema({"type": "string", "enum": [m.name for m in Device],
                                    "title": "Device"})]


@dataclass
class FinanceBatches:
    """The request of both FinanceBatches routes (every field optional)."""

    CommerceType: str | None = None
    ClosingDate: NetDateTime = MIN
    ClosedOnly: bool = False
    Timestamp: NetDateTime | None = None
    StartBatchID: str | None = None
    PageSize: int = 0
    PageNumber: int = 0
    UsingRedis: bool = False
    AppInitTime: NetDateTime = MIN
    ServerID: str | None = None
    ClientID: int = 0
    ResponseStatus: _Status | None = None
    BypassCache: bool = False
    DateCached: NetDateTime = MIN
    Device: _Device = Device.Desktop
    #: Ours, for POST: the export file in UTF-8 with a BOM (true) or Windows-1252 (default).
    Unicode: bool | None = None


@dataclass
class FinanceBatch:
    BatchID: str | None = None
    CommerceType: str | None = None
    ItemCount: int = 0
    ClosedDate: NetDateTime = MIN
    CreateDateTime: NetDateTime = MIN


@dataclass
class FinanceBatchesResponse:
    """The response: the seed's own fields, the echoed request, and our documented extras
    (``ExportID`` on POST; ``ServerTime``/``ServerGmtBias`` as the seed's text promises)."""

    BatchID: str | None = None
    ItemCount: int | None = None
    FinanceBatchList: list[FinanceBatch] = field(default_factory=list)
    CommerceType: str | None = None
    ClosingDate: NetDateTime = MIN
    ClosedOnly: bool = False
    Timestamp: NetDateTime | None = None
    StartBatchID: str | None = None
    PageSize: int = 0
    PageNumber: int = 0
    UsingRedis: bool = False
    AppInitTime: NetDateTime = MIN
    ServerID: str | None = None
    ClientID: int = 0
    ResponseStatus: _Status | None = None
    BypassCache: bool = False
    DateCached: NetDateTime = MIN
    Device: _Device = Device.Desktop
    Unicode: bool | None = None
    ExportID: str | None = None
    ServerTime: NetDateTime | None = None
    ServerGmtBias: int | None = None


ECHOED = tuple(name for name in FinanceBatches.__dataclass_fields__)


@dataclass
class ExportStatus:
    """``Sa.Export.Status``: the request (path fields)."""

    ClientID: int = 0
    ExportID: str | None = None


@dataclass
class ExportStatusResponse:
    ExportID: str | None = None
    Status: int = 0
    ExportURI: str | None = None
    ResponseStatus: _Status | None = None
    StatusName: str | None = None


@dataclass
class Authenticate:
    ClientID: int = 0
    UserType: str | None = None
    Username: str | None = None
    Password: str | None = None
    ConsumerKey: str | None = None
    ConsumerSecret: str | None = None


@dataclass
class AuthenticateResponse:
    ClientID: int = 0
    UserId: str | None = None
    UserName: str | None = None
    SessionId: str | None = None
    BearerToken: str | None = None
    RefreshToken: str | None = None
    FailedLoginReason: str | None = None
    ResponseStatus: _Status | None = None


@dataclass
class ErrorResponse:
    """What an error carries when the operation is not known (an unknown route)."""

    ResponseStatus: _Status | None = None


#: Operation name (``/json/reply/{Op}``) → (request DTO, response DTO).
OPERATIONS: dict[str, tuple[type, type]] = {
    "FinanceBatches": (FinanceBatches, FinanceBatchesResponse),
    "ExportStatus": (ExportStatus, ExportStatusResponse),
    "Authenticate": (Authenticate, AuthenticateResponse),
}
