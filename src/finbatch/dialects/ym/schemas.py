"""OpenAPI documentation of the YM routes: parameters, bodies, and each status with its DTO.

The routes parse their own query strings and bodies (ServiceStack binds names whatever their case,
from any of four body formats), so FastAPI cannot infer these; they are stated here once.
"""

from __future__ import annotations

from typing import Any

from finbatch.dialects.common import inline_schema

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000
MAX_PAGE_NUMBER = 2**31 - 1  # .NET's int

BODY_TYPES = ("application/json", "application/xml", "text/jsv", "application/x-www-form-urlencoded")


#: What a response may be written in: JSON (the model's schema), XML, JSV, CSV, or JSONP when the
#: request names a `callback`.
RESPONSE_TYPES = ("application/json", "application/xml", "text/jsv", "text/csv",
                  "application/javascript")


def ok(model: type, description: str) -> dict[int | str, dict[str, Any]]:
    content = {media: {} for media in RESPONSE_TYPES}
    return {200: {"model": model, "description": description, "content": content}}


def errors(*statuses: int, model: type) -> dict[int | str, dict[str, Any]]:
    reasons = {400: "Bad argument or unparseable body: ResponseStatus names the field",
               401: "Not Authenticated", 403: "Another ClientID, or Invalid Role (admin, "
               "oauthadmin)", 404: "No such batch or export", 409: "A batch changed status "
               "concurrently, or its period is closed", 413: "The body is too large",
               415: "Unsupported Content-Type"}
    # an error is written in the format the request asked for, like a success
    return {s: {"model": model, "description": reasons[s],
                "content": {media: {} for media in RESPONSE_TYPES}} for s in statuses}


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description + " (names match case-insensitively)"}


COMMON = [
    query("format", {"type": "string", "enum": ["json", "xml", "jsv", "csv"]},
           "Response format (after a route suffix, before Accept)."),
    query("callback", {"type": "string", "pattern": "^[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*$"},
           "JSONP: wrap the JSON response in this function call."),
]
LIST_PARAMS = [
    query("CommerceType", {"type": "string", "enum": ["", "D", "M", "S"]},
           "D donations, M dues, S store; empty: all."),
    query("ClosedOnly", {"type": "boolean"}, "Leave out batches that are still open."),
    query("StartBatchID", {"type": "string"}, "List the batches created after this one."),
    query("Timestamp", {"type": "string", "format": "date-time"},
           "List the batches created at or after this instant (zone-less: the client's zone)."),
    query("PageSize", {"type": "integer", "minimum": 0, "maximum": MAX_PAGE_SIZE},
           "Batches per page; 0 means 100."),
    query("PageNumber", {"type": "integer", "minimum": 0, "maximum": MAX_PAGE_NUMBER},
          "1-based page; 0 means 1."),
    *COMMON,
]


def body_doc(model: type) -> dict[str, Any]:
    ref = {"schema": inline_schema(model)}
    return {"requestBody": {"required": False, "content": {m: ref for m in BODY_TYPES}}}


LIST_DESCRIPTION = """\
A chronological list of finance batches (creation order, then id), from a batch (`StartBatchID`,
exclusive; recommended) or an instant (`Timestamp`, inclusive). The response echoes the request
and adds `ServerTime` and `ServerGmtBias`. JSON by default; XML, JSV or CSV by route suffix,
`?format=` or `Accept`. Requires the role admin or oauthadmin.
"""
POST_DESCRIPTION = """\
With `StartBatchID`: starts an export of the batch's invoice items. Otherwise closes the open
items of `CommerceType` dated on or before `ClosingDate` (default today) into closed batches and
starts their export. Returns `BatchID`, `ItemCount` and `ExportID`; poll the export's status
until COMPLETE (2), then download `ExportURI`. The body may be JSON, XML, JSV or form data.
"""
