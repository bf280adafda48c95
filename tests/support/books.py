"""A thin bookkeeping vocabulary over the /v1 API, so scenario tests read like accounting stories."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient


@dataclass
class Books:
    client: TestClient
    headers: dict[str, str]
    unit: str = "MAIN"
    customers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, client: TestClient, tenant, *, currency: str = "USD") -> Books:
        books = cls(client, tenant.headers())
        books.post("/v1/business-units", {"id": "MAIN", "name": "Main", "currency": currency})
        books.post("/v1/gl-accounts", {"code": "1010", "name": "Bank", "type": "asset"})
        books.post("/v1/tax-codes", {"code": "ST", "rate": "0.0825", "description": "State tax"})
        return books

    def post(self, path: str, body: dict[str, Any], expect: int | None = None) -> dict[str, Any]:
        response = self.client.post(path, headers=self.headers, json=body)
        if expect is None:
            assert response.status_code in (200, 201), response.text
        else:
            assert response.status_code == expect, response.text
        return response.json()

    def get(self, path: str, **params) -> dict[str, Any]:
        response = self.client.get(path, headers=self.headers, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def customer(self, name: str) -> str:
        if name not in self.customers:
            self.customers[name] = self.post("/v1/customers", {"name": name})["id"]
        return self.customers[name]

    def invoice(self, customer: str, day: str, *lines: tuple[str, str], tax: str | None = None,
                **extra) -> dict[str, Any]:
        return self.post("/v1/invoices", {
            "customer_id": self.customer(customer), "date": day,
            "lines": [{"quantity": q, "unit_price": p, "tax_code": tax} for q, p in lines],
            **extra})

    def _applied(self, kind: str, customer: str, day: str, amount: str,
                 applies: dict[str, str] | None = None, **extra) -> dict[str, Any]:
        return self.post(f"/v1/{kind}", {
            "customer_id": self.customer(customer), "date": day, "amount": amount,
            "allocations": [{"target_id": t, "amount": a} for t, a in (applies or {}).items()],
            **extra})

    def payment(self, customer: str, day: str, amount: str, applies=None, **extra):
        return self._applied("payments", customer, day, amount, applies, **extra)

    def refund(self, customer: str, day: str, amount: str, applies=None, **extra):
        return self._applied("refunds", customer, day, amount, applies, **extra)

    def write_off(self, customer: str, day: str, amount: str, applies=None, **extra):
        return self._applied("write-offs", customer, day, amount, applies, **extra)

    def credit(self, customer: str, day: str, amount: str, applies=None, **extra):
        return self._applied("credits", customer, day, amount, applies, **extra)

    def credit_memo(self, customer: str, day: str, unit_price: str, applies=None, **extra):
        return self.post("/v1/credit-memos", {
            "customer_id": self.customer(customer), "date": day,
            "lines": [{"unit_price": unit_price}],
            "allocations": [{"target_id": t, "amount": a} for t, a in (applies or {}).items()],
            **extra})

    def invoice_now(self, invoice_id: str) -> dict[str, Any]:
        return self.get(f"/v1/invoices/{invoice_id}")

    def batch(self, batch_id: str) -> dict[str, Any]:
        return self.get(f"/v1/batches/{batch_id}")

    def act(self, batch_id: str, action: str, body: dict | None = None, expect: int = 200):
        response = self.client.post(f"/v1/batches/{batch_id}/{action}", headers=self.headers,
                                    json=body if body is not None else None)
        assert response.status_code == expect, response.text
        return response.json()
