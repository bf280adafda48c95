"""DynamoDB-style paging: walking exclusiveStartKey returns every batch exactly once."""

from __future__ import annotations

from tests.dialects.rhythm.support import batch_body, create_many, open_books

PAGE = 100


def _walk_scan(client, headers, fields="id"):
    seen, key, pages = [], None, 0
    while True:
        params = {"fields": fields} | ({"exclusiveStartKey": key} if key else {})
        response = client.get("/batches/acme", headers=headers, params=params)
        assert response.status_code == 200, response.text
        items = response.json()
        assert isinstance(items, list) and len(items) <= PAGE
        seen += [item["id"] for item in items]
        pages += 1
        key = response.headers.get("X-Last-Evaluated-Key")
        if key is None:
            return seen, pages
        assert len(items) == PAGE


def test_walking_the_scan_over_1050_batches_returns_each_once(client, tenant):
    books = open_books(client, tenant)
    created = create_many(client, tenant, 1050)
    seen, pages = _walk_scan(client, books.headers)
    assert pages == 11
    assert len(seen) == len(set(seen)) == 1050
    assert seen == created  # creation order


def test_the_query_routes_page_the_same_way(client, tenant):
    books = open_books(client, tenant)
    created = set(create_many(client, tenant, 230))
    for path, method, body in (("/batches/acme/fiscal_period/FY2026/2", "GET", None),
                               ("/batches/acme/status/open/MAIN", "GET", None),
                               ("/batches/acme/search", "POST", {"fiscal_period": 2})):
        seen, key = [], None
        while True:
            params = {"fields" if method == "GET" else "fieldsToReturn": "id"}
            if key:
                params["exclusiveStartKey"] = key
            response = client.request(method, path, headers=books.headers, params=params,
                                      json=body)
            assert response.status_code == 200, response.text
            page = response.json()
            assert len(page["Items"]) <= PAGE
            if method == "GET":
                assert page["Count"] == len(page["Items"])
            seen += [item["id"] for item in page["Items"]]
            key = page.get("LastEvaluatedKey")
            if key is None:
                break
            assert isinstance(key, str)
        assert len(seen) == len(set(seen)) == 230 and set(seen) == created, path


def test_batches_added_and_removed_during_a_walk_do_not_disturb_it(client, tenant):
    books = open_books(client, tenant)
    created = create_many(client, tenant, 250)
    seen, key, deleted, added = [], None, None, []
    while True:
        params = {"fields": "id"} | ({"exclusiveStartKey": key} if key else {})
        response = client.get("/batches/acme", headers=books.headers, params=params)
        seen += [item["id"] for item in response.json()]
        key = response.headers.get("X-Last-Evaluated-Key")
        if deleted is None:
            # one not yet visited disappears; a new one appears (after every existing id)
            deleted = created[-1]
            assert client.delete(f"/batches/acme/{deleted}", headers=books.headers).status_code == 200
            added.append(client.post("/batches/acme", headers=books.headers,
                                     json=batch_body("Late")).json()["id"])
        if key is None:
            break
    assert len(seen) == len(set(seen))
    assert set(seen) == (set(created) - {deleted}) | set(added)


def test_a_start_key_not_from_this_server_is_a_400(client, tenant):
    books = open_books(client, tenant)
    for key in ("string", "c1.WyJ4Il0", "c1.WzFd", "c1." + "A" * 3000):
        response = client.get("/batches/acme", headers=books.headers,
                              params={"exclusiveStartKey": key})
        assert response.status_code == 400, (key, response.text)
        assert set(response.json()) == {"message", "errors"}
