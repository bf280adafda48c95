"""OData CSDL (EDMX 4.0 XML) and the JSON service document, generated from ``EntityType``s.

A standard OData client binds to a service by reading ``$metadata``; generating it from the same
allow-list that the query options use keeps the two from ever disagreeing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from finbatch.formats.odata import EntityType

EDMX_NS = "http://docs.oasis-open.org/odata/ns/edmx"
EDM_NS = "http://docs.oasis-open.org/odata/ns/edm"


@dataclass(frozen=True, slots=True)
class EntitySet:
    name: str
    entity: EntityType


@dataclass(frozen=True, slots=True)
class Navigation:
    """``source.name`` leads to ``target`` (a collection when ``many``); on ``source_set`` it
    binds to ``target_set``."""

    source: EntityType
    name: str
    target: EntityType
    many: bool
    source_set: str
    target_set: str


@dataclass(frozen=True, slots=True)
class BoundAction:
    """An action bound to one entity of ``binding`` (``POST …/Set(key)/Name``)."""

    name: str
    binding: EntityType


def _edm(tag: str) -> str:
    return f"{{{EDM_NS}}}{tag}"


def csdl_document(*, namespace: str, entity_sets: Sequence[EntitySet],
                  navigations: Sequence[Navigation] = (), actions: Sequence[BoundAction] = (),
                  container: str = "Container") -> bytes:
    """The EDMX document: one schema holding the entity types, the bound actions and the
    container of entity sets."""
    ET.register_namespace("edmx", EDMX_NS)
    ET.register_namespace("", EDM_NS)
    root = ET.Element(f"{{{EDMX_NS}}}Edmx", {"Version": "4.0"})
    services = ET.SubElement(root, f"{{{EDMX_NS}}}DataServices")
    schema = ET.SubElement(services, _edm("Schema"), {"Namespace": namespace})
    for entity_set in entity_sets:
        entity = entity_set.entity
        element = ET.SubElement(schema, _edm("EntityType"), {"Name": entity.name})
        key = ET.SubElement(element, _edm("Key"))
        ET.SubElement(key, _edm("PropertyRef"), {"Name": entity.key})
        for prop in entity.properties:
            attributes = {"Name": prop.name, "Type": prop.edm}
            if not prop.nullable:
                attributes["Nullable"] = "false"
            if prop.edm == "Edm.Decimal":
                attributes["Scale"] = "variable"
            ET.SubElement(element, _edm("Property"), attributes)
        for nav in navigations:
            if nav.source is entity:
                target = nav.target.qualified_name
                ET.SubElement(element, _edm("NavigationProperty"), {
                    "Name": nav.name, "Type": f"Collection({target})" if nav.many else target})
    for action in actions:
        element = ET.SubElement(schema, _edm("Action"), {"Name": action.name, "IsBound": "true"})
        ET.SubElement(element, _edm("Parameter"), {
            "Name": "bindingParameter", "Type": action.binding.qualified_name,
            "Nullable": "false"})
    holder = ET.SubElement(schema, _edm("EntityContainer"), {"Name": container})
    for entity_set in entity_sets:
        element = ET.SubElement(holder, _edm("EntitySet"), {
            "Name": entity_set.name, "EntityType": entity_set.entity.qualified_name})
        for nav in navigations:
            if nav.source_set == entity_set.name:
                ET.SubElement(element, _edm("NavigationPropertyBinding"),
                              {"Path": nav.name, "Target": nav.target_set})
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def service_document(service_root: str, entity_sets: Sequence[EntitySet]) -> dict[str, Any]:
    """The JSON service document served at the service root."""
    return {"@odata.context": f"{service_root}/$metadata",
            "value": [{"name": s.name, "kind": "EntitySet", "url": s.name} for s in entity_sets]}
