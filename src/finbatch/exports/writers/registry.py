"""The writers by format id."""

from __future__ import annotations

import importlib

from finbatch.exports.writers.base import Writer

WRITERS: dict[str, type[Writer]] = {}


def register(writer: type[Writer]) -> type[Writer]:
    WRITERS[writer.name] = writer
    return writer


def writer_for(name: str) -> type[Writer]:
    _load()
    return WRITERS[name]


#: The writer modules (each registers its class when imported).
MODULES = ("gl_csv", "gl_json", "gl_xml", "iif", "intacct_csv", "qbo_csv", "xero_csv", "ym_items")


def _load() -> None:
    for module in MODULES:
        importlib.import_module(f"finbatch.exports.writers.{module}")
