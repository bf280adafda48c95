"""The OpenAPI document: every Rhythm route with its real request and response schemas, and every
golden response conforming to what the document says of its status."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from finbatch.app import create_app
from finbatch.config import Settings
from tests.dialects.rhythm.contract import errors, operation_for, response_schema
from tests.dialects.rhythm.golden import GOLDEN, cases

ROUTES = {
    ("get", "/batches/{tenantId}"): ("RhythmBatch", False),
    ("post", "/batches/{tenantId}"): ("RhythmBatch", True),
    ("post", "/batches/{tenantId}/batch"): ("RhythmBulkResponse", True),
    ("get", "/batches/{tenantId}/dependents"): ("RhythmChildren", False),
    ("get", "/batches/{tenantId}/fiscal_period/{fiscal_year_id}/{fiscal_period}"): ("RhythmPage", False),
    ("post", "/batches/{tenantId}/search"): ("RhythmSearchPage", True),
    ("get", "/batches/{tenantId}/status/{status}/{businessUnitId}"): ("RhythmPage", False),
    ("get", "/batches/{tenantId}/{id}"): ("RhythmBatch", False),
    ("put", "/batches/{tenantId}/{id}"): ("RhythmBatch", True),
    ("patch", "/batches/{tenantId}/{id}"): ("RhythmBatch", True),
    ("delete", "/batches/{tenantId}/{id}"): (None, False),
    ("post", "/batchPosting/{tenantId}/batchPostingPreviewRequest"): ("RhythmPostingPreview", True),
    ("post", "/batchPosting/{tenantId}/batchPostingRequest"): ("RhythmExecutionStarted", True),
    ("post", "/batchPosting/{tenantId}/batchUnpostingRequest"): ("RhythmExecutionStarted", True),
    ("get", "/batchPosting/{tenantId}/subledgerEntry/{batchId}/{transactionId}"): (
        "RhythmSubledgerEntry", False),
    ("get", "/batchPosting/{tenantId}/executions/{executionArn}"): ("RhythmExecution", False),
    ("post", "/batchDownloading/{tenantId}"): ("RhythmExecutionStarted", True),
}
RHYTHM_PATHS = ("/batches", "/batchPosting", "/batchDownloading")


@pytest.fixture(scope="module")
def document():
    app = create_app(Settings(database_url="sqlite:///:memory:", embedded_workers=0))
    return json.loads(json.dumps(app.openapi()))


def test_every_rhythm_route_is_documented_with_its_schemas(document):
    documented = {(method, path) for path, ops in document["paths"].items()
                  if path.startswith(RHYTHM_PATHS) for method in ops}
    assert documented == set(ROUTES)
    for (method, path), (model, has_body) in ROUTES.items():
        operation = document["paths"][path][method]
        ok = next(code for code in operation["responses"] if code.startswith("2"))
        schema = operation["responses"][ok]["content"]["application/json"]["schema"]
        if model is not None:
            assert model in json.dumps(schema), (method, path)
        else:
            assert schema["type"] == "string"
        assert set(operation["responses"][ok]["headers"]) >= {
            "Access-Control-Allow-Headers", "Access-Control-Allow-Methods",
            "Access-Control-Allow-Origin"}
        for code in ("400", "401", "403", "500", "4XX"):
            error = operation["responses"][code]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/RhythmErrorBody"}, (path, code)
        assert "422" not in operation["responses"]
        if has_body:
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            assert "$ref" not in json.dumps(body), "request schemas are inlined"
            assert body.get("type") in ("object", "array")
        else:
            assert "requestBody" not in operation
        assert operation["security"] == [{"HTTPBearer": []}]


def _seed_fields() -> list[str]:
    """The batch fields of the seed's own sample response (copied verbatim from the vendor's
    text into ``seed_batches_sample.json``), in its order."""
    sample = (Path(__file__).parent / "seed_batches_sample.json").read_text()
    return list(json.loads(sample)[0])


def test_the_batch_schemas_carry_every_seed_field(document):
    schemas = document["components"]["schemas"]
    seed = _seed_fields()
    assert len(seed) == 49
    assert list(schemas["RhythmBatch"]["properties"]) == seed
    assert "required" not in schemas["RhythmBatch"]  # projections may drop any field
    assert schemas["RhythmBatch"]["properties"]["total"] == {
        "type": "number", "title": "Total", "description": "Payments − refunds (derived)."}
    create = document["paths"]["/batches/{tenantId}"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert set(create["required"]) == {"business_unit_id", "date", "fiscal_period",
                                       "fiscal_year_id", "name"}
    assert create["properties"]["id"]["type"] == "null"
    assert create["properties"]["fiscal_period"]["minimum"] == 1
    assert create["properties"]["fiscal_period"]["maximum"] == 12


@pytest.mark.parametrize("name", cases())
def test_golden_responses_conform_to_the_document(document, name):
    case = json.loads((GOLDEN / f"{name}.json").read_text(), parse_float=Decimal)
    problems = []
    for index, step in enumerate(case["steps"]):
        if "request" not in step or step.get("check") == "status":  # run_jobs, setup
            continue
        request, response = step["request"], step["response"]
        path = request["path"].split("?")[0]
        if not path.startswith(RHYTHM_PATHS) or request["method"] == "OPTIONS":
            continue
        found = operation_for(document, request["method"], path)
        if found is None:
            assert response["status"] in (404, 405), (index, request)
            continue
        schema = response_schema(found[1], response["status"])
        if schema is None:
            problems.append(f"step {index}: status {response['status']} is not documented")
            continue
        problems += [f"step {index}: {e}" for e in errors(response.get("body"), schema, document)]
        assert response["headers"]["content-type"] == "application/json"
    assert not problems, "\n".join(problems)


def test_the_contract_checker_can_fail(document):
    batch = {"$ref": "#/components/schemas/RhythmBatch"}
    assert errors({"count": 1, "total": Decimal("0.0"), "status": "open"}, batch, document) == []
    assert errors({"count": "1"}, batch, document)
    assert errors({"status": "finished"}, batch, document)
    assert errors({"sys_created_at": "yesterday"}, batch, document)
    assert errors({"message": "x"}, {"$ref": "#/components/schemas/RhythmErrorBody"}, document)
