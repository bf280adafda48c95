"""``$metadata`` is a CSDL (EDMX 4.0) document a standard OData client can bind to, and it lists
every property of the seed's lists, in the seed's order."""

from __future__ import annotations

import re
from pathlib import Path

from defusedxml import ElementTree

EDMX = "{http://docs.oasis-open.org/odata/ns/edmx}"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
PRIMITIVES = {"Edm.String", "Edm.Int32", "Edm.Int64", "Edm.Boolean", "Edm.Guid", "Edm.Decimal",
              "Edm.DateTimeOffset", "Edm.Date"}
SEED = Path(__file__).with_name("seed_003.txt")


def seed_property_lists() -> list[list[str]]:
    """Each "Properties" table of the seed (vendor text, kept verbatim beside this test)."""
    lists, current = [], None
    for line in SEED.read_text().splitlines():
        if line.strip() == "Properties":
            current = []
            lists.append(current)
        elif line.startswith("Response example"):
            current = None
        elif current is not None:
            match = re.match(r"^(\w+): (string|integer|number|boolean)", line)
            if match:
                current.append(match.group(1))
    return lists


def test_metadata_is_edmx_4(client):
    response = client.get("/odata/$metadata")
    assert response.status_code == 200 and response.headers["content-type"] == "application/xml"
    assert response.headers["odata-version"] == "4.0"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{EDMX}Edmx" and root.get("Version") == "4.0"
    services = root.findall(f"{EDMX}DataServices")
    assert len(services) == 1
    schemas = services[0].findall(f"{EDM}Schema")
    assert [s.get("Namespace") for s in schemas] == ["Envi"]
    schema = schemas[0]
    types = {t.get("Name"): t for t in schema.findall(f"{EDM}EntityType")}
    assert set(types) == {"ApBatch", "ApMatchedInvoice"}
    for entity in types.values():
        keys = [ref.get("Name") for ref in entity.findall(f"{EDM}Key/{EDM}PropertyRef")]
        names = [p.get("Name") for p in entity.findall(f"{EDM}Property")]
        assert len(keys) == 1 and keys[0] in names
        assert len(names) == len(set(names))
        key_property = entity.find(f"{EDM}Property[@Name='{keys[0]}']")
        assert key_property.get("Type") == "Edm.Guid" and key_property.get("Nullable") == "false"
        for prop in entity.findall(f"{EDM}Property"):
            assert prop.get("Type") in PRIMITIVES
            assert prop.get("Nullable", "true") in ("true", "false")
    navigation = types["ApBatch"].find(f"{EDM}NavigationProperty")
    assert (navigation.get("Name"), navigation.get("Type")) == \
        ("invoices", "Collection(Envi.ApMatchedInvoice)")
    actions = {a.get("Name"): a for a in schema.findall(f"{EDM}Action")}
    assert set(actions) == {"Export", "SubmitToQueued"}
    for action in actions.values():
        assert action.get("IsBound") == "true"
        assert action.find(f"{EDM}Parameter").get("Type") == "Envi.ApBatch"
    containers = schema.findall(f"{EDM}EntityContainer")
    assert len(containers) == 1
    sets = {s.get("Name"): s for s in containers[0].findall(f"{EDM}EntitySet")}
    assert {name: s.get("EntityType") for name, s in sets.items()} == {
        "Batches": "Envi.ApBatch", "MatchedInvoices": "Envi.ApMatchedInvoice"}
    binding = sets["Batches"].find(f"{EDM}NavigationPropertyBinding")
    assert (binding.get("Path"), binding.get("Target")) == ("invoices", "MatchedInvoices")


def test_metadata_lists_every_seed_property_in_order(client):
    batch_list, batch_again, invoice_list = seed_property_lists()
    assert batch_list == batch_again and len(batch_list) == 15 and len(invoice_list) == 58
    root = ElementTree.fromstring(client.get("/odata/$metadata").content)
    types = {t.get("Name"): [p.get("Name") for p in t.findall(f"{EDM}Property")]
             for t in root.iter(f"{EDM}EntityType")}
    assert types["ApBatch"] == batch_list
    assert types["ApMatchedInvoice"] == invoice_list


def test_money_is_decimal_and_dates_are_date_times(client):
    root = ElementTree.fromstring(client.get("/odata/$metadata").content)
    props = {p.get("Name"): p for p in root.iter(f"{EDM}Property")}
    assert props["batchTotal"].get("Type") == "Edm.Decimal"
    assert props["batchTotal"].get("Scale") == "variable"
    assert props["invoiceDate"].get("Type") == "Edm.DateTimeOffset"
    assert props["invoiceCount"].get("Type") == "Edm.Int32"
    assert props["isScheduledExporting"].get("Type") == "Edm.Boolean"


def test_responses_carry_every_seed_property(envi):
    batch_list, _again, invoice_list = seed_property_lists()
    invoice = envi.world.invoice("3.00")
    envi.post("/odata/Batches", json={"batchNo": "B"})
    batch = envi.get("/odata/Batches").json()["value"][0]
    assert list(batch) == batch_list
    envi.post(f"/odata/Batches({batch['apBatchId']})/Invoices", json=[invoice["id"]])
    items = envi.get(f"/odata/Batches({batch['apBatchId']})/invoices").json()["items"]
    assert list(items[0]) == invoice_list
