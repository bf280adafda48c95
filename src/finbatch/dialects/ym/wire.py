"""ServiceStack's wire behaviour for the YM dialect: which format a request wants, how a request
DTO is filled, and how a response DTO or an error is written.

Design overview
---------------
- **Format** (``requested_format``): the predefined route ``/{format}/reply/{Op}`` or a
  ``.json``/``.xml``/``.jsv``/``.csv`` suffix on the route (both are part of the path, so they win),
  then ``?format=``, then ``Accept`` (the highest quality among ``application/json``,
  ``application/xml``, ``text/jsv``, ``text/csv``); JSON otherwise. Unknown names are ignored, as
  ServiceStack ignores formats it has no plugin for.
- **Request DTO** (``read_request``): ServiceStack binds one DTO from the query string, the body
  and the path alike; later sources win: query, then body (JSON, XML, JSV or form, by
  ``Content-Type``), then path. Names match case-insensitively. Every source is reduced to an
  untyped tree of strings and ``formats.dto.from_wire`` types it, so a JSON ``5`` and a JSV ``5``
  are the same ``PageSize``. Date/times without a zone stay naive here (they are echoed as sent);
  the routes read them in the tenant's zone.
- **Response** (``respond``): JSON with PascalCase names, nulls omitted, dates with 7 fractional
  digits and the tenant's offset; DataContract XML (members alphabetical); JSV
  (``formats.jsv``); CSV of the first list property (or the DTO itself as one row). ``?callback=``
  wraps JSON as JSONP after checking the name is a plain JavaScript identifier path.
- **Errors** (``render_error``): the operation's response DTO carrying only ``ResponseStatus``,
  in the requested format, with ServiceStack's status mapping (422 becomes 400; field errors go to
  ``Errors``). ``Meta.Code`` keeps finbatch's stable code. ``StackTrace`` is never sent.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from finbatch.dialects.common import json_bytes
from finbatch.dialects.ym import dtos
from finbatch.formats import dotnet, dto, jsv, xmlwire
from finbatch.formats.errors import WireFormatError
from finbatch.kit.errors import FieldError, FinbatchError

FORMATS = ("json", "xml", "jsv", "csv")
MEDIA_TYPES = {"json": "application/json; charset=utf-8", "xml": "application/xml",
               "jsv": "text/jsv; charset=utf-8", "csv": "text/csv; charset=utf-8"}
_ACCEPT = {"application/json": "json", "text/json": "json", "application/xml": "xml",
           "text/xml": "xml", "text/jsv": "jsv", "text/csv": "csv"}
#: Request bodies by ``Content-Type`` (multipart is refused with 415 rather than misread: no YM
#: request carries a file).
_CONTENT = {**_ACCEPT, "application/x-www-form-urlencoded": "form"}
NAMESPACE = xmlwire.datacontract_namespace("Finbatch.YourMembership")
#: Query parameters that steer ServiceStack itself and are not DTO properties.
_RESERVED = frozenset({"format", "callback"})
_CALLBACK = re.compile(r"[A-Za-z_$][\w$]{0,63}(?:\.[A-Za-z_$][\w$]{0,63}){0,7}", re.ASCII)


class UnsupportedMediaType(FinbatchError):
    status, code, title = 415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type"


# ----------------------------------------------------------------------------------- format

def _path_parts(request: Request) -> list[str]:
    return [p for p in request.url.path.split("/") if p]


def requested_format(request: Request) -> str:
    """``json``, ``xml``, ``jsv`` or ``csv`` (see the module overview for the order)."""
    parts = _path_parts(request)
    if len(parts) >= 3 and parts[1].lower() == "reply" and parts[0].lower() in FORMATS:
        return parts[0].lower()
    if parts:
        suffix = parts[-1].rpartition(".")[2].lower() if "." in parts[-1] else ""
        if suffix in FORMATS:
            return suffix
    for name, value in request.query_params.multi_items():
        if name.lower() == "format" and value.strip().lower() in FORMATS:
            return value.strip().lower()
    best, best_q = "json", Decimal(0)
    for part in request.headers.get("accept", "").split(",")[:32]:
        pieces = [p.strip() for p in part.split(";")]
        fmt = _ACCEPT.get(pieces[0].lower())
        quality = Decimal(1)
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = dotnet.parse_decimal(value)
                except ValueError:
                    quality = Decimal(0)
        if fmt is not None and quality > best_q:
            best, best_q = fmt, quality
    return best


def callback_of(request: Request) -> str | None:
    """The JSONP callback name, checked (``BadRequest`` naming it when it is not a plain
    identifier path such as ``cb`` or ``app.handlers.done``: anything else could inject script)."""
    for name, value in request.query_params.multi_items():
        if name.lower() == "callback":
            value = value.strip()
            if not value:
                return None
            if not _CALLBACK.fullmatch(value):
                raise WireFormatError(f"callback '{value[:40]}' is not a valid JavaScript "
                                      "function name", path="callback")
            return value
    return None


# ------------------------------------------------------------------------------- request DTO

def _stringify(value: Any) -> Any:
    """A JSON value as the untyped tree JSV and XML give (strings, lists, dicts, None)."""
    if isinstance(value, dict):
        return {str(k): _stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify(v) for v in value]
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return value


def _body_tree(media: str, body: bytes, cls: type) -> dict[str, Any]:
    kind = _CONTENT.get(media)
    if kind is None:
        raise UnsupportedMediaType(f"Content-Type '{media[:60]}' is not supported: send JSON, XML, "
                                   "JSV or form data")
    if kind == "form":
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                  max_num_fields=200))
        except (UnicodeDecodeError, ValueError):
            raise WireFormatError("the form body is not valid") from None
    if kind == "json":
        try:
            tree = json.loads(body, parse_float=Decimal)  # exact decimals, never float
        except ValueError as exc:
            raise WireFormatError(f"the body is not valid JSON: {exc}") from None
        except RecursionError:
            raise WireFormatError("the body is not valid JSON: it is nested too deeply") from None
        tree = _stringify(tree)
    elif kind == "xml":
        tree = xmlwire.read_datacontract(body, lists=xmlwire.list_fields(cls))
    elif kind == "jsv":
        tree = jsv.loads(body)
    else:  # csv bodies carry lists, never a request DTO
        raise UnsupportedMediaType("a CSV body cannot carry a request DTO")
    if tree is None:
        return {}
    if not isinstance(tree, dict):
        raise WireFormatError(f"the body must be a {dto.type_name(cls)} object")
    return tree


def read_request(request: Request, body: bytes, cls: type, path_fields: Mapping[str, Any]) -> Any:
    """The request DTO ``cls`` from the query string, the body and ``path_fields``; raises
    ``WireFormatError`` (400) naming the field or the position, or ``UnsupportedMediaType``."""
    merged: dict[str, Any] = {}

    def merge(source: Mapping[str, Any]) -> None:
        for key, value in source.items():
            merged[str(key).strip().lower()] = value

    merge({k: v for k, v in request.query_params.multi_items() if k.lower() not in _RESERVED})
    if body.strip():
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        merge(_body_tree(media or "application/x-www-form-urlencoded", body, cls))
    merge(path_fields)
    for key, value in merged.items():
        if isinstance(value, str) and "\x00" in value:
            raise WireFormatError(f"{key} holds a NUL character", path=key)
    return dto.from_wire(cls, merged)


# ---------------------------------------------------------------------------------- response

def _json_tree(value: Any, tz: str) -> Any:
    if value is None or isinstance(value, (str, bool, int, Decimal)):
        return value
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return dotnet.format_datetime(value)
        return dotnet.format_local(value, tz)
    if isinstance(value, date):
        return dotnet.format_date(value) + "T00:00:00.0000000"
    if isinstance(value, (list, tuple)):
        return [_json_tree(v, tz) for v in value]
    if isinstance(value, Mapping) or dto.is_dto(value):
        return {str(k): _json_tree(v, tz) for k, v in dto.wire_fields(value) if v is not None}
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _csv_text(value: Any, tz: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, Decimal):
        return dotnet.format_decimal(value)
    if isinstance(value, datetime):
        return dotnet.format_jsv_datetime(value, tz=None if value.tzinfo is None else tz)
    if isinstance(value, date):
        return dotnet.format_date(value)
    if isinstance(value, (Mapping, list, tuple)) or dto.is_dto(value):
        return jsv.dumps(value, tz=tz)  # a nested value in a cell, as ServiceStack writes it
    return str(value)


def to_csv(value: Any, tz: str) -> bytes:
    """The first list property as rows under a header of its items' properties; without one,
    the DTO's own properties as one row."""
    rows: list[Any] = [value]
    for _name, member in dto.wire_fields(value):
        if isinstance(member, list):
            rows = member
            break
    header: list[str] = []
    for row in rows:
        for name, _ in dto.wire_fields(row):
            if name not in header:
                header.append(name)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        fields = dict(dto.wire_fields(row))
        writer.writerow([_csv_text(fields.get(name), tz) for name in header])
    return out.getvalue().encode("utf-8")


def encode(value: Any, fmt: str, tz: str) -> bytes:
    if fmt == "xml":
        return xmlwire.write_datacontract(dto.type_name(value), value, namespace=NAMESPACE, tz=tz)
    if fmt == "jsv":
        return jsv.dumps_model(value, tz=tz).encode("utf-8")
    if fmt == "csv":
        return to_csv(value, tz)
    return json_bytes(_json_tree(value, tz))


def respond(request: Request, value: Any, *, tz: str, status: int = 200,
            headers: dict[str, str] | None = None) -> Response:
    """``value`` (a response DTO) in the requested format; JSONP when ``?callback=`` names one."""
    fmt = requested_format(request)
    body = encode(value, fmt, tz)
    media = MEDIA_TYPES[fmt]
    callback = callback_of(request) if fmt == "json" else None
    if callback:
        body = callback.encode() + b"(" + body + b");"
        media = "application/javascript; charset=utf-8"
    return Response(body, status_code=status, media_type=media, headers=headers)


# ------------------------------------------------------------------------------------ errors

_ERROR_CODES = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
                409: "Conflict", 413: "RequestEntityTooLarge", 415: "NotSupported",
                429: "TooManyRequests", 503: "ServiceUnavailable"}


def response_status(error: FinbatchError) -> tuple[int, dtos.ResponseStatus]:
    """ServiceStack's status and ``ResponseStatus`` for a finbatch error."""
    status = 400 if error.status == 422 else error.status
    fields: list[FieldError] = list(error.errors)
    if isinstance(error, WireFormatError):
        code = "SerializationException"
        if error.path and not fields:
            fields = [FieldError(error.path, error.message, "SerializationException")]
    elif status == 400:
        code = fields[0].code if fields else "ArgumentException"
    elif status >= 500 and status != 503:
        code = "Exception"
    else:
        code = _ERROR_CODES.get(status, "Exception")
    message = error.message
    meta = {"Code": error.code}
    if status == 401:
        message, meta = "Not Authenticated", {**meta, "Reason": error.message}
    errors = [dtos.ResponseError(ErrorCode=f.code, FieldName=f.field, Message=f.message)
              for f in fields] or None
    if status >= 500 and status != 503:
        message = "An unexpected error occurred"  # never leak internals
    return status, dtos.ResponseStatus(ErrorCode=code, Message=message, Errors=errors, Meta=meta)


def _error_dto(request: Request, status: dtos.ResponseStatus) -> Any:
    path = request.url.path.lower()
    if "financebatches" in path:
        return dtos.FinanceBatchesResponse(ResponseStatus=status)
    if "/exports/" in path or "exportstatus" in path:
        return dtos.ExportStatusResponse(ResponseStatus=status)
    if "authenticate" in path:
        return dtos.AuthenticateResponse(ResponseStatus=status)
    return dtos.ErrorResponse(ResponseStatus=status)


def render_error(request: Request, error: FinbatchError) -> Response:
    """The surface's renderer: every failure under the YM paths, in the requested format."""
    status, body = response_status(error)
    value = _error_dto(request, body)
    fmt = requested_format(request)
    tz = getattr(request.state, "ym_tz", None) or "UTC"
    try:
        callback = callback_of(request) if fmt == "json" else None
    except WireFormatError:
        callback = None  # the bad callback is itself the error being rendered
    # CSV carries one table: an error's is its ResponseStatus (or its field errors), not the
    # operation's empty list
    payload = encode(body if fmt == "csv" else value, fmt, tz)
    media = MEDIA_TYPES[fmt]
    if callback:
        payload = callback.encode() + b"(" + payload + b");"
        media = "application/javascript; charset=utf-8"
    headers = dict(error.headers)
    return Response(payload, status_code=status, media_type=media, headers=headers)
