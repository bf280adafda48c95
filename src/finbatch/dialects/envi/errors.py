"""Envi's error body: the standard OData JSON error, for every failure under ``/odata/`` and
``/oauth2/`` (domain errors, bad query options, validation, 401/403/404/413, 500 alike)::

    {"error": {"code": "...", "message": "...", "target": "...", "details": [{code, message,
     target}]}}

Status codes follow the seed: bad input is 400 whatever the core calls it (a lifecycle conflict,
409, and an invalid field, 422, are both "Incorrect input data" to Envi), so the seed's custom
errors (``Invoice is NOT in the Vouchered status`` …) arrive as 400 with their exact message.
401, 403, 404, 405, 413, 429, 500 and 503 keep their status.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from finbatch.api.responses import dumps
from finbatch.kit.errors import FinbatchError

MEDIA_TYPE = "application/json; odata.metadata=minimal"
HEADERS = {"OData-Version": "4.0", "api-supported-versions": "1.0"}
_AS_BAD_REQUEST = {409, 412, 422}

#: Core field names → the Envi property a client sent.
_FIELDS = {"batch_no": "batchNo", "reference": "reference", "invoice_ids": "apMatchedInvoiceId"}


#: The OData error body as JSON Schema, and every error status an Envi route may answer with it.
ERROR_SCHEMA: dict = {
    "title": "ODataError",
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "target": {"type": "string"},
            "details": {"type": "array", "items": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                               "target": {"type": "string"}}}},
        },
    }},
}
_ERRORS: dict[int | str, str] = {
    400: "Incorrect input data: a bad query option or body, a lifecycle conflict, an invalid "
         "field (409, 412 and 422 of the core are 400 here).",
    401: "No valid bearer token.",
    403: "The token's roles do not allow this.",
    404: "No such entity.",
    405: "The method is not allowed on this resource.",
    413: "The body is too large.",
    415: "The body's media type is not accepted.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "The database is busy; retry after `Retry-After` seconds.",
    # any other client error is in the same body; this entry also replaces FastAPI's default
    # 422, which Envi never answers (an invalid field is a 400)
    "4XX": "Any other client error.",
}
ERROR_RESPONSES: dict[int | str, dict] = {
    status: {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
    for status, description in _ERRORS.items()
}


def envi_target(field: str) -> str:
    """``invoice_ids.2`` → ``apMatchedInvoiceId[2]``; other names to lowerCamelCase."""
    head, _, rest = field.partition(".")
    name = _FIELDS.get(head) or re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), head)
    return f"{name}[{rest}]" if rest.isdigit() else (f"{name}.{rest}" if rest else name)


def error_body(error: FinbatchError) -> dict:
    message = error.message
    for field_error in error.errors[:1]:
        # "batch_no: too long" names the field as the client sent it: "batchNo: too long"
        if message.startswith(f"{field_error.field}: "):
            message = f"{envi_target(field_error.field)}{message[len(field_error.field):]}"
    body: dict = {"code": error.code, "message": message}
    target = error.extra.get("target")
    if target:
        body["target"] = target
    if error.errors:
        body["details"] = [{"code": e.code, "message": e.message, "target": envi_target(e.field)}
                           for e in error.errors]
    return {"error": body}


def render_envi_error(_request: Request, error: FinbatchError) -> Response:
    status = 400 if error.status in _AS_BAD_REQUEST else error.status
    return Response(dumps(error_body(error)), status_code=status, media_type=MEDIA_TYPE,
                    headers={**HEADERS, **error.headers})
