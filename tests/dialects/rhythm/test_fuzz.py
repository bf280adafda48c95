"""Malformed and hostile input never gets a 5xx: every answer is a success or a Rhythm error."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finbatch.dialects.rhythm.wire import WRITABLE
from tests.dialects.rhythm.support import CORS, batch_body, encode, open_books

FIELDS = [*WRITABLE, "status", "id", "total", "statistics", "sys_version", "colour"]
SEARCH = ["business_unit_id", "count", "date", "fiscal_period", "fiscal_year_id", "id", "name",
          "recurring_batch_id", "status", "total", "type"]
scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.decimals(allow_nan=False, allow_infinity=False, places=None)
           | st.text(max_size=12) | st.sampled_from(["", "\x00", "2026-02-01", "MAIN", "FY2026",
                                                     "2026-02-01T00:00:00Z", "open", "USD"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
batches = st.one_of(
    values,
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=8),
    st.builds(lambda extra: {**batch_body(), **extra},
              st.dictionaries(st.sampled_from(FIELDS), values, max_size=3)),
)
pointers = st.one_of(st.sampled_from([f"/{name}" for name in FIELDS]), st.text(max_size=10),
                     st.sampled_from(["", "/", "/dependents/-", "/custom_field_values/0/x",
                                      "/name/0", "/statistics/payment_total", "/~2"]))
patch_ops = st.lists(st.one_of(values, st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "merge"]),
     "path": pointers},
    optional={"value": values, "from": pointers})), max_size=4)
searches = st.one_of(values, st.dictionaries(st.sampled_from(SEARCH), values, max_size=5))
bulks = st.one_of(values, st.builds(lambda ops: {"operations": ops}, st.lists(st.one_of(
    values, st.fixed_dictionaries({"operation": st.sampled_from(["create", "update", "patch",
                                                                 "delete", "x"])},
                                  optional={"id": st.one_of(values, st.just("<batch>")),
                                            "object": batches,
                                            "patch_directives": st.one_of(values, st.dictionaries(
                                                st.sampled_from(["0", "1", "2"]), values))})),
    max_size=4)))

FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _answer_is_sane(response) -> None:
    assert response.status_code < 500, response.text
    for name in CORS:
        assert name in response.headers
    if response.status_code >= 400:
        assert set(response.json()) == {"message", "errors"}, response.text


def _send(client, method, path, headers, body) -> None:
    response = client.request(method, path, content=encode(body),
                              headers={**headers, "Content-Type": "application/json"})
    _answer_is_sane(response)


def _target(client, books) -> str:
    return client.post("/batches/acme", headers=books.headers, json=batch_body()).json()["id"]


def _swap(body, batch_id):
    """Put a real batch id where a strategy asked for one."""
    if body == "<batch>":
        return batch_id
    if isinstance(body, dict):
        return {k: _swap(v, batch_id) for k, v in body.items()}
    if isinstance(body, list):
        return [_swap(v, batch_id) for v in body]
    return body


def test_create_and_put_bodies(client, tenant):
    books = open_books(client, tenant)
    batch_id = _target(client, books)

    @FUZZ
    @given(batches)
    def run(body):
        _send(client, "POST", "/batches/acme", books.headers, body)
        _send(client, "PUT", f"/batches/acme/{batch_id}", books.headers, body)

    run()


def test_patch_documents(client, tenant):
    books = open_books(client, tenant)
    batch_id = _target(client, books)

    @FUZZ
    @given(patch_ops)
    def run(body):
        _send(client, "PATCH", f"/batches/acme/{batch_id}", books.headers, body)

    run()


def test_search_and_bulk_bodies(client, tenant):
    books = open_books(client, tenant)
    batch_id = _target(client, books)

    @FUZZ
    @given(searches, bulks)
    def run(search, bulk):
        _send(client, "POST", "/batches/acme/search", books.headers, search)
        _send(client, "POST", "/batches/acme/batch", books.headers, _swap(bulk, batch_id))

    run()


def test_raw_bytes_and_parameters(client, tenant):
    books = open_books(client, tenant)

    @FUZZ
    @given(st.binary(max_size=64), st.text(max_size=20), st.text(max_size=20))
    def run(raw, text, other):
        response = client.post("/batches/acme", content=raw, headers=books.headers)
        _answer_is_sane(response)
        segment = quote(text, safe="") or "x"
        for method, path, params in (
                ("GET", "/batches/acme", {"exclusiveStartKey": text, "fields": other}),
                ("GET", "/batches/acme/dependents", {"ids": text}),
                ("GET", f"/batches/acme/fiscal_period/{segment}/2", {"fields": other}),
                ("GET", f"/batches/acme/status/open/{segment}", None),
                ("GET", f"/batches/acme/{segment}", {"consistentRead": other}),
                ("DELETE", f"/batches/acme/{segment}", None),
                ("GET", f"/batches/{segment}", None)):
            _answer_is_sane(client.request(method, path, params=params, headers=books.headers))

    run()


def test_amounts_in_ranges_of_any_size(client, tenant):
    books = open_books(client, tenant)

    @FUZZ
    @given(st.decimals(allow_nan=False, allow_infinity=False), st.integers())
    def run(amount, count):
        _send(client, "POST", "/batches/acme/search", books.headers,
              {"total": [amount, str(amount)], "count": [count, str(count)]})
        _send(client, "POST", "/batches/acme/search", books.headers,
              {"total": [Decimal(count), None]})

    run()


execution_bodies = st.one_of(values, st.fixed_dictionaries(
    {}, optional={"business_unit_id": st.one_of(values, st.sampled_from(["MAIN", "NOPE", ""])),
                  "batch_ids": st.one_of(values, st.lists(st.one_of(values, st.just("<batch>")),
                                                          max_size=3))}))
EXECUTION_ROUTES = ["/batchPosting/acme/batchPostingPreviewRequest",
                    "/batchPosting/acme/batchPostingRequest",
                    "/batchPosting/acme/batchUnpostingRequest", "/batchDownloading/acme"]


def test_posting_and_downloading_bodies_and_parameters(client, tenant):
    books = open_books(client, tenant)
    batch_id = _target(client, books)

    @FUZZ
    @given(execution_bodies, st.text(max_size=40), st.text(max_size=20))
    def run(body, text, other):
        for path in EXECUTION_ROUTES:
            _send(client, "POST", path, books.headers, _swap(body, batch_id))
        segment, second = quote(text, safe="") or "x", quote(other, safe="") or "x"
        for path in (f"/batchPosting/acme/executions/{segment}",
                     f"/batchPosting/acme/executions/{segment},{batch_id}",
                     f"/batchPosting/acme/subledgerEntry/{segment}/{second}",
                     f"/batchPosting/acme/subledgerEntry/{batch_id}/{segment}"):
            _answer_is_sane(client.get(path, headers=books.headers))

    run()
