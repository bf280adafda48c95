"""YourMembership AMS (seed 000, ``dialects/ym.md``): FinanceBatches over ServiceStack's formats.

Modules: ``dtos`` (the request and response DTOs), ``wire`` (format selection, request binding,
JSON/XML/JSV/CSV/JSONP writing and ``ResponseStatus`` errors), ``auth`` (``/Ams/Authenticate``
and who is calling), ``routes`` (the routes and their decisions), ``schemas`` (their OpenAPI
documentation). The dialect holds no business
rule: closing open items is ``receivables.closing``, exporting is ``exports.service``.
"""

from __future__ import annotations

from finbatch.api.surfaces import Surface
from finbatch.dialects.ym.routes import router
from finbatch.dialects.ym.wire import render_error

#: Paths are matched lowercased (``Surface.owns``); the predefined routes are ServiceStack's.
surface = Surface("ym", ("/ams/", "/json/reply/", "/xml/reply/", "/jsv/reply/", "/csv/reply/"),
                  render_error)

__all__ = ["router", "surface"]
