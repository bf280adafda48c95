"""The seed's AP batch flow, end to end through the Envi dialect alone (the matched invoices were
entered through the native API beforehand, as in Envi's own product)."""

from __future__ import annotations

from tests.dialects.envi.conftest import make_user

NOT_VOUCHERED = "Invoice is NOT in the Vouchered status"
EMPTY = "This Batch cannot be exported because it does not contain any invoice."
QUEUED = "Specified batch exists in the Queued status."


def error_of(response, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return body["error"]


def test_the_seed_flow(client, database, envi):
    make_user(database, envi.tenant, "accountant")
    envi.world.invoice("250.00")
    envi.world.invoice("99.99")

    # token
    token = client.post("/oauth2/token", data={
        "grant_type": "password", "client_id": "acme", "username": "acme.accountant",
        "password": "correct horse battery"})
    assert token.status_code == 200
    grant = token.json()
    assert set(grant) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert grant["token_type"] == "Bearer" and grant["expires_in"] == 3600
    auth = {"Authorization": f"Bearer {grant['access_token']}", "api-version": "1.0"}

    # create a batch: 204, status Pending
    created = client.post("/odata/Batches", headers=auth,
                          json={"batchNo": "AP-MARCH", "reference": "March payables"})
    assert created.status_code == 204 and created.content == b""
    batch_url = created.headers["Location"]
    assert batch_url.startswith("http://testserver/odata/Batches(")

    # list: find it
    listed = client.get("/odata/Batches", headers=auth).json()
    assert listed["@odata.context"] == "http://testserver/odata/$metadata#Batches"
    assert listed["@odata.count"] == 1 and "@odata.nextLink" not in listed
    batch = listed["value"][0]
    assert (batch["batchNo"], batch["reference"], batch["batchStatus"], batch["batchStatusId"]) == \
        ("AP-MARCH", "March payables", "Pending", 1)
    assert (batch["batchTotal"], batch["invoiceCount"], batch["isScheduledExporting"]) == (0, 0, False)
    assert batch["createdByUserName"] == "acme.accountant"
    batch_id = batch["apBatchId"]
    assert batch_url.endswith(f"({batch_id})")

    # find the Vouchered invoices and add one: it becomes Batched
    vouchered = client.get("/odata/MatchedInvoices", headers=auth, params={
        "$filter": "matchedInvoiceStatus eq 'Vouchered'", "$orderby": "invoiceNo"}).json()["value"]
    assert [v["invoiceNo"] for v in vouchered] == ["INV-0001", "INV-0002"]
    first, second = vouchered
    added = client.post(f"/odata/Batches({batch_id})/Invoices", headers=auth,
                        json={"apMatchedInvoiceId": first["apMatchedInvoiceId"]})
    assert added.status_code == 204
    invoices = client.get(f"/odata/Batches({batch_id})/invoices", headers=auth).json()
    assert set(invoices) == {"items", "nextPageLink", "count"}
    assert invoices["count"] == 1 and invoices["nextPageLink"] is None
    assert invoices["items"][0]["matchedInvoiceStatus"] == "Batched"
    assert invoices["items"][0]["matchedInvoiceStatusId"] == 2
    assert invoices["items"][0]["apBatchNo"] == "AP-MARCH"
    batch = client.get(f"/odata/Batches({batch_id})", headers=auth).json()
    assert (batch["batchTotal"], batch["invoiceCount"]) == (250, 1)

    # a non-Vouchered invoice (already Batched) is refused with the seed's message
    again = client.post(f"/odata/Batches({batch_id})/Invoices", headers=auth,
                        json={"apMatchedInvoiceId": first["apMatchedInvoiceId"]})
    assert error_of(again)["message"] == NOT_VOUCHERED
    still = client.get(f"/odata/MatchedInvoices({second['apMatchedInvoiceId']})", headers=auth)
    assert still.json()["matchedInvoiceStatus"] == "Vouchered"

    # export: Exported, lastExportDate set, its invoices Exported
    exported = client.post(f"/odata/Batches({batch_id})/Export", headers=auth)
    assert exported.status_code == 204
    batch = client.get(f"/odata/Batches({batch_id})", headers=auth).json()
    assert (batch["batchStatus"], batch["batchStatusId"]) == ("Exported", 3)
    assert batch["lastExportDate"] is not None
    invoice = client.get(f"/odata/MatchedInvoices({first['apMatchedInvoiceId']})", headers=auth)
    assert invoice.json()["matchedInvoiceStatus"] == "Exported"

    # an empty batch cannot be exported
    client.post("/odata/Batches", headers=auth, json={"batchNo": "AP-EMPTY"})
    empty_id = client.get("/odata/Batches", headers=auth, params={
        "$filter": "batchNo eq 'AP-EMPTY'"}).json()["value"][0]["apBatchId"]
    assert error_of(client.post(f"/odata/Batches({empty_id})/Export", headers=auth))["message"] == EMPTY

    # SubmitToQueued twice: the second is the seed's 400
    for batch_key in (batch_id, empty_id):
        assert client.post(f"/odata/Batches({batch_key})/SubmitToQueued", headers=auth).status_code == 204
        twice = client.post(f"/odata/Batches({batch_key})/SubmitToQueued", headers=auth)
        assert error_of(twice)["message"] == QUEUED
    queued = client.get(f"/odata/Batches({batch_id})", headers=auth).json()
    assert (queued["batchStatus"], queued["isScheduledExporting"]) == ("Queued", True)

    # the queued (re-export) batch exports again
    assert client.post(f"/odata/Batches({batch_id})/Export", headers=auth).status_code == 204


def test_create_with_representation_and_array_of_invoices(client, envi):
    ids = [envi.world.invoice(amount)["id"] for amount in ("1.10", "2.20", "3.30")]
    created = envi.post("/odata/Batches", json={"batchNo": "B-REP"},
                        headers={"Prefer": "return=representation"})
    assert created.status_code == 201
    assert created.headers["Preference-Applied"] == "return=representation"
    body = created.json()
    assert body["@odata.context"] == "http://testserver/odata/$metadata#Batches/$entity"
    assert body["batchNo"] == "B-REP" and body["reference"] is None
    assert created.headers["Location"].endswith(f"({body['apBatchId']})")
    added = envi.post(f"/odata/Batches({body['apBatchId']})/Invoices", json=ids[:2])
    assert added.status_code == 204
    objects = envi.post(f"/odata/Batches({body['apBatchId']})/invoices",
                        json=[{"apMatchedInvoiceId": ids[2], "invoiceNo": "ignored"}])
    assert objects.status_code == 204
    batch = envi.get(f"/odata/Batches({body['apBatchId']})").json()
    assert (batch["batchTotal"], batch["invoiceCount"]) == (6.6, 3)
    numbered = envi.post("/odata/Batches", json={}, headers={"Prefer": "return=representation"})
    assert numbered.json()["batchNo"] == "AP000001"


def test_bad_bodies_are_400(envi):
    batch = envi.post("/odata/Batches", json={"batchNo": "B"}, headers={"Prefer": "return=representation"}).json()
    url = f"/odata/Batches({batch['apBatchId']})/Invoices"
    cases = [
        ("/odata/Batches", b"{not json", "MALFORMED_JSON"),
        ("/odata/Batches", b"[1]", "INVALID_BODY"),
        ("/odata/Batches", b'{"batchNo": 5}', "INVALID_VALUE"),
        ("/odata/Batches", b'{"colour": "red"}', "UNKNOWN_PROPERTY"),
        ("/odata/Batches", b'{"batchNo": "B"}', "ALREADY_EXISTS"),
        ("/odata/Batches", b'{"batchNo": "' + b"x" * 51 + b'"}', "VALIDATION_FAILED"),
        (url, b"", "MALFORMED_JSON"),
        (url, b"[]", "INVALID_BODY"),
        (url, b'{"apMatchedInvoiceId": 7}', "INVALID_BODY"),
        (url, b'{"apMatchedInvoiceId": "nope"}', "VALIDATION_FAILED"),
        (url, b'{"foo": 1}', "UNKNOWN_PROPERTY"),
    ]
    for path, raw, code in cases:
        response = envi.post(path, content=raw, headers={"Content-Type": "application/json"})
        assert error_of(response)["code"] == code, (path, raw, response.text)
    too_long = envi.post("/odata/Batches", content=b'{"batchNo": "' + b"x" * 51 + b'"}',
                         headers={"Content-Type": "application/json"})
    assert error_of(too_long)["details"][0]["target"] == "batchNo"
    unknown = envi.post(url, json={"apMatchedInvoiceId": "00000000-0000-0000-0000-000000000000"})
    assert error_of(unknown)["details"][0]["target"] == "apMatchedInvoiceId[0]"
