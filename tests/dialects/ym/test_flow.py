"""The whole YourMembership story through the dialect alone: authenticate, close and export a
batch, poll the export until COMPLETE, download ExportURI, and check the file adds up to the
batch. Both engines."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from finbatch.batches import stats as batch_stats
from finbatch.formats import jsv
from finbatch.tenancy import service as tenancy
from tests.support.posting import run_jobs

PASSWORD = "correct horse battery staple"


@pytest.fixture
def ym_user(database, tenant) -> str:
    with database.unit_of_work() as session:
        tenancy.create_user(session, tenant_id=tenant.id, username="ym.admin", password=PASSWORD,
                            roles=["admin"])
    return "ym.admin"


def _authenticate(client, client_id: int, username: str, password: str):
    return client.post("/Ams/Authenticate", json={"ClientID": client_id, "UserType": "Admin",
                                                 "Username": username, "Password": password})


def test_authenticate_close_export_poll_download(client, database, club_books, ym_user):
    cid = club_books.client_id
    login = _authenticate(client, cid, ym_user, PASSWORD)
    assert login.status_code == 200, login.text
    session = login.json()
    assert session["ClientID"] == cid and session["UserName"] == ym_user
    assert session["BearerToken"] and session["RefreshToken"] and session["SessionId"]
    headers = {"Authorization": f"Bearer {session['BearerToken']}", "Accept": "text/jsv",
               "Content-Type": "text/jsv"}

    posted = client.post(f"/Ams/{cid}/FinanceBatches", headers=headers,
                         content=b"{CommerceType:M,ClosingDate:2026-01-31,Unicode:True}")
    assert posted.status_code == 200, posted.text
    assert posted.headers["content-type"].startswith("text/jsv")
    result = jsv.loads(posted.content)
    assert result["ItemCount"] == "2" and result["CommerceType"] == "M"  # M1 and M2, echoed
    batch_id, export_id = result["BatchID"], result["ExportID"]
    assert [b["BatchID"] for b in result["FinanceBatchList"]] == [batch_id]

    status_url = f"/Ams/{cid}/Exports/{export_id}/Status"
    seen = []
    for _ in range(5):
        status = client.get(status_url, headers={"Authorization": headers["Authorization"]}).json()
        seen.append(status["Status"])
        if status["Status"] in (0, 1):
            assert "ExportURI" not in status  # only when complete
            run_jobs(database)
            continue
        break
    assert seen[0] == 1 and seen[-1] == 2 and status["StatusName"] == "COMPLETE"
    uri = status["ExportURI"]
    assert uri.startswith(f"http://testserver/Ams/{cid}/Exports/{export_id}/Download?")

    download = client.get(uri)  # signed: no token needed
    assert download.status_code == 200, download.text
    assert download.content.startswith(b"\xef\xbb\xbf")  # Unicode=True: UTF-8 with a BOM
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert {row["BatchID"] for row in rows} == {batch_id} and len(rows) == 3
    file_total = sum(Decimal(r["Amount"]) + Decimal(r["TaxAmount"]) for r in rows)
    with database.reading() as db:
        stats = batch_stats.of_batches(db, cid, [batch_id])[batch_id]
    assert file_total == Decimal(stats.amounts["invoice"]) / 100 == Decimal("176.60")

    tampered = client.get(uri.replace("signature=", "signature=x"))
    assert tampered.status_code == 403 and tampered.json()["ResponseStatus"]["ErrorCode"] == "Forbidden"


def test_posting_a_closed_batch_again_returns_the_same_export(client, database, club_books):
    cid, headers = club_books.client_id, club_books.headers
    first = client.post(f"/Ams/{cid}/FinanceBatches", headers=headers,
                        data={"CommerceType": "D"}).json()  # form-encoded, closing through today
    assert first["ItemCount"] == 1 and first["ExportID"]
    again = client.post(f"/Ams/{cid}/FinanceBatches", headers=headers,
                        json={"StartBatchID": first["BatchID"]}).json()
    assert again["BatchID"] == first["BatchID"] and again["ExportID"] == first["ExportID"]
    nothing = client.post(f"/Ams/{cid}/FinanceBatches", headers=headers,
                          json={"CommerceType": "D"}).json()
    assert nothing["ItemCount"] == 0 and "ExportID" not in nothing and "BatchID" not in nothing


def test_windows_1252_is_the_default_file_encoding(client, database, club_books):
    cid, headers = club_books.client_id, club_books.headers
    export_id = client.post(f"/Ams/{cid}/FinanceBatches", headers=headers,
                            json={"CommerceType": "D"}).json()["ExportID"]
    run_jobs(database)
    download = client.get(f"/Ams/{cid}/Exports/{export_id}/Download", headers=headers)
    assert download.status_code == 200
    assert "charset=windows-1252" in download.headers["content-type"]
    text = download.content.decode("cp1252")
    assert "Zoë ?ak" in text  # ë exists in Windows-1252, Ż does not


@pytest.mark.parametrize(("password", "client_id", "reason"), [
    ("wrong", None, "InvalidCredentials"),
    (PASSWORD, 3000, "InvalidClient"),
])
def test_failed_logins_say_why(client, club_books, ym_user, other_tenant, password, client_id, reason):
    response = _authenticate(client, client_id or club_books.client_id, ym_user, password)
    assert response.status_code == 401
    body = response.json()
    assert body["FailedLoginReason"] == reason and "BearerToken" not in body
    assert body["ResponseStatus"]["ErrorCode"] == "Unauthorized"


def test_a_locked_account_is_reported(client, club_books, ym_user):
    for _ in range(10):
        response = _authenticate(client, club_books.client_id, ym_user, "wrong")
        if response.json()["FailedLoginReason"] == "AccountLockedOut":
            break
    assert response.json()["FailedLoginReason"] == "AccountLockedOut"
    assert "Retry-After" in response.headers


def test_a_consumer_secret_is_an_api_token(client, club_books, tenant):
    response = client.post("/json/reply/Authenticate", json={
        "clientid": tenant.id, "ConsumerKey": "integration", "ConsumerSecret": tenant.tokens["admin"]})
    assert response.status_code == 200, response.text
    token = response.json()["BearerToken"]
    listed = client.get(f"/Ams/{tenant.id}/FinanceBatches", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
