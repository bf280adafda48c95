"""Envi's token endpoint, api-version, roles, organization isolation and the OData error shape of
every failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from finbatch.app import create_app
from finbatch.kit.clock import clock
from finbatch.tenancy import service as tenancy
from tests.dialects.envi.conftest import PASSWORD, envi_for, login, make_users
from tests.dialects.envi.test_flow import error_of


def test_client_id_is_slug_or_numeric_id(client, database, tenant):
    make_users(database, tenant)
    by_slug = login(client, "acme.viewer", "acme")
    by_number = login(client, "acme.viewer", "2000")
    assert by_slug.status_code == by_number.status_code == 200
    assert by_slug.headers["cache-control"] == "no-store"
    headers = {"Authorization": f"Bearer {by_number.json()['access_token']}"}
    assert client.get("/odata/Batches", headers=headers).status_code == 200


def test_failed_logins_are_oauth_errors_and_count_towards_lockout(client, database, tenant,
                                                                  other_tenant):
    make_users(database, tenant)
    wrong = login(client, "acme.admin", "acme", password="wrong password")
    error = error_of(wrong)
    assert error["code"] == "invalid_grant" and error["message"] == "invalid username or password"
    assert wrong.headers["odata-version"] == "4.0"
    foreign = login(client, "acme.admin", "globex")
    unknown = login(client, "acme.admin", "no-such-org")
    huge = login(client, "acme.admin", "99999999999999999999")
    for response in (foreign, unknown, huge):
        assert error_of(response)["message"] == "the user is not a member of that organization"
    for _ in range(5):  # the logins above had the right password: the count started again
        login(client, "acme.admin", "acme", password="still wrong")
    locked = login(client, "acme.admin", "acme")  # the right password, but locked now
    assert error_of(locked)["message"] == "the account is locked after repeated failed logins"
    assert int(locked.headers["retry-after"]) > 0


def test_token_request_errors(client, database, tenant):
    make_users(database, tenant)
    form = {"grant_type": "password", "client_id": "acme", "username": "acme.admin"}
    missing = error_of(client.post("/oauth2/token", data=form))
    assert missing == {"code": "invalid_request", "message": "'password' is required",
                       "target": "password"}
    assert error_of(client.post("/oauth2/token", data={}))["code"] == "invalid_request"
    unsupported = error_of(client.post("/oauth2/token", data={"grant_type": "client_credentials"}))
    assert unsupported["code"] == "unsupported_grant_type"
    as_json = client.post("/oauth2/token", json=form | {"password": PASSWORD})
    assert error_of(as_json)["message"] == "the body must be application/x-www-form-urlencoded"
    too_long = client.post("/oauth2/token", data=form | {"password": "x" * 5000})
    assert error_of(too_long)["code"] == "VALIDATION_FAILED"


def test_refresh_tokens_are_single_use_and_keep_the_organization(client, database, tenant,
                                                                 other_tenant):
    make_users(database, tenant)
    first = login(client, "acme.clerk", "acme").json()
    refreshed = client.post("/oauth2/token", data={"grant_type": "refresh_token",
                                                   "refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200
    pair = refreshed.json()
    assert pair["access_token"] != first["access_token"]
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.post("/odata/Batches", headers=headers, json={"batchNo": "R1"}).status_code == 204
    reused = client.post("/oauth2/token", data={"grant_type": "refresh_token",
                                                "refresh_token": first["refresh_token"]})
    assert error_of(reused)["code"] == "invalid_grant"
    elsewhere = client.post("/oauth2/token", data={"grant_type": "refresh_token",
                                                   "refresh_token": pair["refresh_token"],
                                                   "client_id": "globex"})
    assert error_of(elsewhere)["message"] == "the refresh token belongs to another organization"
    same = client.post("/oauth2/token", data={"grant_type": "refresh_token", "client_id": "2000",
                                              "refresh_token": pair["refresh_token"]})
    assert same.status_code == 200  # the refused attempt above did not burn the token


def test_access_tokens_expire(client, database, tenant):
    make_users(database, tenant)
    token = login(client, "acme.viewer", "acme").json()["access_token"]
    with clock.freeze(datetime.now(UTC) + timedelta(hours=1, minutes=1)):
        expired = client.get("/odata/Batches", headers={"Authorization": f"Bearer {token}"})
    error = error_of(expired, 401)
    assert error["code"] == "TOKEN_EXPIRED"
    assert expired.headers["www-authenticate"].startswith("Bearer")


def test_api_version(envi):
    assert envi.get("/odata/Batches", headers={"api-version": "1.0"}).status_code == 200
    assert envi.get("/odata/Batches?api-version=1.0").status_code == 200
    wrong = envi.client.get("/odata/Batches", headers=envi.headers(**{"api-version": "2.0"}))
    error = error_of(wrong)
    assert error["code"] == "UNSUPPORTED_API_VERSION" and "'2.0'" in error["message"]
    assert wrong.headers["api-supported-versions"] == "1.0"
    # the version is checked before the token: a client learns it even without one
    assert error_of(envi.client.get("/odata/Batches?api-version=3"))["code"] == \
        "UNSUPPORTED_API_VERSION"


def test_roles_per_action(envi):
    invoice = envi.world.invoice("5.00")
    viewer = envi.post("/odata/Batches", role="viewer", json={"batchNo": "V"})
    error = error_of(viewer, 403)
    assert error["code"] == "ROLE_FORBIDDEN"
    assert envi.get("/odata/Batches", role="viewer").status_code == 200
    created = envi.post("/odata/Batches", role="clerk", json={"batchNo": "C"},
                        headers={"Prefer": "return=representation"})
    batch_id = created.json()["apBatchId"]
    assert envi.post(f"/odata/Batches({batch_id})/Invoices", role="viewer",
                     json={"apMatchedInvoiceId": invoice["id"]}).status_code == 403
    assert envi.post(f"/odata/Batches({batch_id})/Invoices", role="clerk",
                     json={"apMatchedInvoiceId": invoice["id"]}).status_code == 204
    for action in ("SubmitToQueued", "Export"):
        assert error_of(envi.post(f"/odata/Batches({batch_id})/{action}", role="clerk"), 403)
    assert envi.post(f"/odata/Batches({batch_id})/Export", role="accountant").status_code == 204


def test_another_organization_sees_nothing(client, database, envi, other_tenant):
    invoice = envi.world.invoice("12.00")
    batch = envi.post("/odata/Batches", json={"batchNo": "MINE"},
                      headers={"Prefer": "return=representation"}).json()
    theirs = envi_for(client, database, other_tenant)
    assert theirs.get("/odata/Batches").json()["value"] == []
    assert theirs.get("/odata/Batches").json()["@odata.count"] == 0
    assert [i["vendorName"] for i in theirs.get("/odata/MatchedInvoices").json()["value"]] == []
    for url in (f"/odata/Batches({batch['apBatchId']})",
                f"/odata/Batches({batch['apBatchId']})/invoices",
                f"/odata/MatchedInvoices({invoice['id']})"):
        missing = theirs.get(url)
        assert error_of(missing, 404)["message"] == "Specified ID is absent in the system."
        assert "MINE" not in missing.text
    for action in ("Export", "SubmitToQueued"):
        assert theirs.post(f"/odata/Batches({batch['apBatchId']})/{action}").status_code == 404
    own = theirs.post("/odata/Batches", json={"batchNo": "THEIRS"},
                      headers={"Prefer": "return=representation"}).json()
    stolen = theirs.post(f"/odata/Batches({own['apBatchId']})/Invoices",
                         json={"apMatchedInvoiceId": invoice["id"]})
    assert error_of(stolen)["code"] == "VALIDATION_FAILED"
    assert envi.get(f"/odata/MatchedInvoices({invoice['id']})").json()["matchedInvoiceStatus"] == "Vouchered"


def test_a_token_of_several_organizations_is_refused(client, database, tenant, other_tenant):
    with database.unit_of_work() as session:
        issued = tenancy.create_token(session, grants={tenant.id: ["admin"], other_tenant.id: ["admin"]},
                                      expires_in=timedelta(hours=1))
    response = client.get("/odata/Batches", headers={"Authorization": f"Bearer {issued.secret}"})
    assert error_of(response)["code"] == "ORGANIZATION_MISMATCH"


def test_every_failure_has_the_odata_shape(client, envi, settings, database):
    assert error_of(client.get("/odata/Batches"), 401)["code"] == "UNAUTHENTICATED"
    assert error_of(envi.get("/odata/Nowhere"), 404)["code"] == "NOT_FOUND"
    assert error_of(envi.get("/odata/Batches(not-a-guid)"))["code"] == "INVALID_KEY"
    assert error_of(envi.get("/odata/Batches(00000000-0000-0000-0000-000000000000)"), 404)
    method = envi.client.delete("/odata/Batches", headers=envi.headers())
    assert error_of(method, 405)["code"] == "METHOD_NOT_ALLOWED"
    assert error_of(envi.get("/odata/Batches?$top=abc"))["target"] == "$top"
    assert error_of(envi.get("/odata/Batches?$expand=invoices"))["code"] == "UNSUPPORTED_QUERY_OPTION"
    assert error_of(envi.get("/odata/Batches(00000000-0000-0000-0000-000000000000)?$filter=batchNo eq 'a'"))
    small = settings.model_copy(update={"max_body_bytes": 1024})
    with TestClient(create_app(small, database)) as limited:
        too_big = limited.post("/odata/Batches", headers=envi.headers(),
                               content=b'{"batchNo": "' + b"x" * 2000 + b'"}')
        assert error_of(too_big, 413)["code"] == "PAYLOAD_TOO_LARGE"
        token = limited.post("/oauth2/token", data={"grant_type": "password", "password": "x" * 3000})
        assert error_of(token, 413)["code"] == "PAYLOAD_TOO_LARGE"


def test_service_document_and_metadata_need_no_token(client):
    service = client.get("/odata")
    assert service.status_code == 200
    assert [s["name"] for s in service.json()["value"]] == ["Batches", "MatchedInvoices"]
    assert client.get("/odata/").json() == service.json()
    metadata = client.get("/odata/$metadata")
    assert metadata.status_code == 200 and metadata.headers["content-type"] == "application/xml"


def test_native_api_is_unaffected(client, tenant):
    problem = client.get("/v1/ap-batches/nope", headers=tenant.headers())
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"


def test_an_unexpected_failure_is_an_odata_500(app, envi, monkeypatch):
    from finbatch.payables import batches

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(batches, "export_batch", broken)
    batch = envi.post("/odata/Batches", json={"batchNo": "B"},
                      headers={"Prefer": "return=representation"}).json()
    with TestClient(app, raise_server_exceptions=False) as quiet:
        response = quiet.post(f"/odata/Batches({batch['apBatchId']})/Export", headers=envi.headers())
    error = error_of(response, 500)
    assert error == {"code": "INTERNAL_ERROR", "message": "an unexpected error occurred"}
    assert "disk on fire" not in response.text


def test_errors_are_documented_in_the_odata_shape(client):
    """Regression (API fuzzing): Envi's routes documented only FastAPI's 422 (a status Envi never
    answers, in a shape it never sends); a real 401 and 400 match the documented OData error."""
    from jsonschema import Draft202012Validator

    paths = client.get("/openapi.json").json()["paths"]
    envi = {path: ops for path, ops in paths.items() if path.startswith(("/odata", "/oauth2"))}
    assert envi and not [p for p, ops in envi.items() for op in ops.values() if "422" in op["responses"]]
    for response, path, method in ((client.get("/odata/Batches"), "/odata/Batches", "get"),
                                   (client.post("/oauth2/token", data={}), "/oauth2/token", "post")):
        documented = paths[path][method]["responses"][str(response.status_code)]
        schema = documented["content"]["application/json"]["schema"]
        assert not list(Draft202012Validator(schema).iter_errors(response.json())), response.text
