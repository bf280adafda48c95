"""Golden request/response files for the Saasu and Agvance dialects.

A case is ``NAME.case.json``::

    {"request": {"method": "GET", "path": "/Payments?FileId=123",
                 "headers": {"Accept": "application/xml"},  # optional
                 "auth": true,                              # send the test's token (default)
                 "json": {...} | "body_file": "NAME.request.xml" | "body": "raw text"},
     "response": {"status": 200, "json": {...} | "xml_file": "NAME.response.xml"}}

JSON bodies must be equal, numbers to the digit (``100.00`` is not ``100.0``); XML bodies must have the same structure (``shape``: element names,
order, attributes and text, indentation ignored). ``FINBATCH_UPDATE_GOLDEN=1`` rewrites the
expected side from what the server answers (review the diff before committing it).
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.dom import minidom

import orjson
from fastapi.testclient import TestClient

UPDATE = os.environ.get("FINBATCH_UPDATE_GOLDEN") == "1"


def shape(xml: str | bytes) -> tuple:
    """Element tree, order, attributes and text, ignoring only the indentation between elements.
    Golden files are trusted, so minidom is fine here."""
    def walk(node: minidom.Element) -> tuple:
        children = [c for c in node.childNodes if c.nodeType == c.ELEMENT_NODE]
        text = "".join(c.data for c in node.childNodes if c.nodeType == c.TEXT_NODE)
        return (node.tagName, dict(node.attributes.items()), text.strip() if children else text,
                [walk(c) for c in children])
    return walk(minidom.parseString(xml).documentElement)


def pretty_xml(xml: bytes) -> str:
    return minidom.parseString(xml).toprettyxml(indent="  ").split("\n", 1)[1].rstrip() + "\n"


def exact(data: bytes | str) -> Any:
    """A JSON document with every non-integer number kept as its exact text."""
    def norm(value: Any) -> Any:
        if isinstance(value, Decimal):
            return ("number", str(value))
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        if isinstance(value, list):
            return [norm(v) for v in value]
        return value
    return norm(json.loads(data, parse_float=Decimal))


def case_names(directory: Path) -> list[str]:
    return sorted(p.name.removesuffix(".case.json") for p in directory.glob("*.case.json"))


def run_case(client: TestClient, directory: Path, name: str, headers: dict[str, str]) -> None:
    path = directory / f"{name}.case.json"
    text = path.read_text()
    case = json.loads(text)
    request: dict[str, Any] = case["request"]
    sent = dict(request.get("headers", {}))
    if request.get("auth", True):
        sent.update(headers)
    kwargs: dict[str, Any] = {"headers": sent}
    if "json" in request:
        kwargs["json"] = request["json"]
    elif "body_file" in request:
        kwargs["content"] = (directory / request["body_file"]).read_bytes()
    elif "body" in request:
        kwargs["content"] = request["body"].encode()
    response = client.request(request["method"], request["path"], **kwargs)
    expected = case["response"]
    if UPDATE:
        expected["status"] = response.status_code
        if "xml_file" in expected:
            (directory / expected["xml_file"]).write_text(pretty_xml(response.content))
        else:
            expected["json"] = json.loads(response.content, parse_float=orjson.Fragment)
        path.write_bytes(orjson.dumps(case, option=orjson.OPT_INDENT_2) + b"\n")
        return
    assert response.status_code == expected["status"], response.text
    if "xml_file" in expected:
        assert response.headers["content-type"].startswith("application/xml"), response.headers
        assert shape(response.content) == shape((directory / expected["xml_file"]).read_bytes())
    else:
        assert response.headers["content-type"].startswith("application/json"), response.headers
        assert exact(response.content) == exact(text)["response"]["json"]
