"""Agvance (SSI) invoice list (seed 004, ``dialects/agvance.md``).

Modules: ``request`` (query window and JSON/XML/form body → ``receivables.search.InvoiceSearch``),
``render`` (``AgvInvoice`` bodies and errors, with the content decisions), ``routes``
(``POST /Invoice/GetInvoicesList`` and its auth), ``schemas`` (OpenAPI). The dialect holds no
business rule: searching is ``receivables.search``; it only translates.
"""

from __future__ import annotations

from finbatch.api.surfaces import Surface
from finbatch.dialects.agvance.render import render_agvance_error
from finbatch.dialects.agvance.routes import router

#: Paths are matched lowercased (``Surface.owns``).
surface = Surface("agvance", ("/invoice/",), render_agvance_error)

__all__ = ["router", "surface"]
