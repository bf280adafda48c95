"""Builds AP master data through the native API, as an integrator would: GL accounts, a vendor
with a remit-to address, a facility and location, codes, purchase orders and matched invoices."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

#: The demo chart's AP accounts (code, name, type).
AP_ACCOUNTS = [("1200", "Inventory", "asset"), ("1500", "Capital Equipment", "asset"),
               ("2100", "Accounts Payable", "liability"), ("2200", "Sales Tax Payable", "liability"),
               ("6300", "Medical Supplies", "expense"), ("6400", "Facilities Maintenance", "expense"),
               ("6500", "Use Tax Expense", "expense")]


def ok(response, status: int = 201) -> dict:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


@dataclass
class ApWorld:
    """One tenant's AP master data and a factory for invoices."""

    client: object
    tenant: object
    vendor: dict
    remit_to: dict
    facility: dict
    location: dict
    orders: dict[str, dict]
    numbers: count = field(default_factory=lambda: count(1))

    def invoice(self, amount: str = "100.00", *, po_type: str = "Standard", role: str = "admin",
                **extra) -> dict:
        number = next(self.numbers)
        body = {"purchase_order_id": self.orders[po_type]["id"], "invoice_no": f"INV-{number:04d}",
                "vendor_remit_to_id": self.remit_to["id"], "invoice_date": "2026-03-01",
                "invoice_validation_total": amount,
                "lines": [{"description": "Gloves", "gl_code": "6300", "amount": amount}],
                "offset_gl_code": "2100"} | extra
        return ok(self.client.post("/v1/matched-invoices", headers=self.tenant.headers(role),
                                   json=body))


def build_world(client, tenant, *, vendor_name: str = "Medline Industries") -> ApWorld:
    headers = tenant.headers()
    for code, name, kind in AP_ACCOUNTS:
        ok(client.post("/v1/gl-accounts", headers=headers,
                       json={"code": code, "name": name, "type": kind}))
    vendor = ok(client.post("/v1/vendors", headers=headers,
                            json={"vendor_no": "MED-100", "name": vendor_name}))
    remit = ok(client.post(f"/v1/vendors/{vendor['id']}/remit-tos", headers=headers, json={
        "remit_to_no": "01", "description": "Lockbox", "address_line1": "PO Box 92301",
        "city": "Chicago", "region": "IL", "postal_code": "60675", "country": "US"}))
    facility = ok(client.post("/v1/facilities", headers=headers,
                              json={"facility_no": "GH", "name": "General Hospital"}))
    location = ok(client.post(f"/v1/facilities/{facility['id']}/locations", headers=headers,
                              json={"location_no": "OR-1", "name": "Operating Room 1"}))
    cer = ok(client.post("/v1/ap-codes", headers=headers,
                         json={"kind": "cer", "code": "CER-2026-001", "description": "MRI"}))
    orders = {}
    for po_type in ("Standard", "Return", "Capital"):
        orders[po_type] = ok(client.post("/v1/purchase-orders", headers=headers, json={
            "po_no": f"PO-{po_type[:3].upper()}-1", "po_type": po_type,
            "vendor_id": vendor["id"], "facility_id": facility["id"],
            "location_id": location["id"], "order_date": "2026-02-20",
            "cer_id": cer["id"] if po_type == "Capital" else None}))
    return ApWorld(client, tenant, vendor, remit, facility, location, orders)
