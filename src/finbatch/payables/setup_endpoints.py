"""``/v1`` AP master data: vendors and remit-to addresses, facilities and locations, AP codes.

Reading needs ``read``; changing needs ``setup`` (admins): vendor remit-to addresses decide where
money goes, so the people who enter invoices do not also edit them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator
from starlette.responses import Response

from finbatch.api.concurrency import IfMatchHeader, etag
from finbatch.api.deps import ReadDb, Reader, SetupAdmin, WriteDb
from finbatch.api.idempotency import Idem, commit_response
from finbatch.api.paging import PageOf, Paging
from finbatch.api.responses import json_response
from finbatch.kit.errors import NotFound
from finbatch.payables import reference
from finbatch.payables.repository import (
    ApCodeRepository,
    FacilityRepository,
    LocationRepository,
    RemitToRepository,
    VendorRepository,
)
from finbatch.payables.schemas import (
    ApCodeCreate,
    ApCodeRead,
    ApCodeUpdate,
    CodeKind,
    FacilityCreate,
    FacilityRead,
    LocationCreate,
    LocationRead,
    NameUpdate,
    RemitToCreate,
    RemitToRead,
    RemitToUpdate,
    VendorCreate,
    VendorRead,
    VendorUpdate,
)
from finbatch.payables.stamps import Actor

router = APIRouter()
RecordId = Annotated[str, Path(max_length=64), AfterValidator(str.lower)]


def _page(page, read) -> Response:
    return json_response({"items": [read(r) for r in page.items], "next_cursor": page.next_cursor})


# --- vendors -------------------------------------------------------------------------------------

@router.get("/vendors", response_model=PageOf[VendorRead], tags=["vendors"])
def list_vendors(db: ReadDb, principal: Reader, paging: Paging,
                 active: bool | None = None) -> Response:
    page = VendorRepository(db, principal.tenant_id).page(cursor=paging.cursor,
                                                         limit=paging.limit, active=active)
    return _page(page, reference.read_vendor)


@router.post("/vendors", status_code=201, response_model=VendorRead, tags=["vendors"])
def create_vendor(body: VendorCreate, db: WriteDb, principal: SetupAdmin, idem: Idem) -> Response:
    vendor = reference.create_vendor(db, tenant_id=principal.tenant_id,
                                     actor=Actor.of(principal), **body.model_dump())
    return commit_response(db, idem, reference.read_vendor(vendor), status_code=201,
                           version=vendor.version)


@router.get("/vendors/{vendor_id}", response_model=VendorRead, tags=["vendors"])
def get_vendor(vendor_id: RecordId, db: ReadDb, principal: Reader) -> Response:
    vendor = VendorRepository(db, principal.tenant_id).require(vendor_id)
    return json_response(reference.read_vendor(vendor), headers={"ETag": etag(vendor.version)})


@router.patch("/vendors/{vendor_id}", response_model=VendorRead, tags=["vendors"])
def update_vendor(vendor_id: RecordId, body: VendorUpdate, db: WriteDb, principal: SetupAdmin,
                  if_match: IfMatchHeader) -> Response:
    vendor = reference.update_vendor(db, tenant_id=principal.tenant_id, vendor_id=vendor_id,
                                     changes=body.model_dump(exclude_unset=True),
                                     check_version=if_match.check, actor=Actor.of(principal))
    return commit_response(db, None, reference.read_vendor(vendor), version=vendor.version)


@router.get("/vendors/{vendor_id}/remit-tos", response_model=PageOf[RemitToRead],
            tags=["vendors"], summary="A vendor's remit-to addresses")
def list_remit_tos(vendor_id: RecordId, db: ReadDb, principal: Reader,
                   paging: Paging) -> Response:
    VendorRepository(db, principal.tenant_id).require(vendor_id)
    page = RemitToRepository(db, principal.tenant_id).page(vendor_id=vendor_id,
                                                          cursor=paging.cursor, limit=paging.limit)
    return _page(page, reference.read_remit_to)


@router.post("/vendors/{vendor_id}/remit-tos", status_code=201, response_model=RemitToRead,
             tags=["vendors"])
def create_remit_to(vendor_id: RecordId, body: RemitToCreate, db: WriteDb, principal: SetupAdmin,
                    idem: Idem) -> Response:
    remit = reference.create_remit_to(db, tenant_id=principal.tenant_id, vendor_id=vendor_id,
                                      actor=Actor.of(principal), **body.model_dump())
    return commit_response(db, idem, reference.read_remit_to(remit), status_code=201,
                           version=remit.version)


def _remit_of(db, tenant_id: int, vendor_id: str, remit_to_id: str):
    remit = RemitToRepository(db, tenant_id).get(remit_to_id)
    if remit is None or remit.vendor_id != vendor_id:
        raise NotFound(f"remit-to address '{remit_to_id}' was not found")
    return remit


@router.get("/vendors/{vendor_id}/remit-tos/{remit_to_id}", response_model=RemitToRead,
            tags=["vendors"])
def get_remit_to(vendor_id: RecordId, remit_to_id: RecordId, db: ReadDb,
                 principal: Reader) -> Response:
    remit = _remit_of(db, principal.tenant_id, vendor_id, remit_to_id)
    return json_response(reference.read_remit_to(remit), headers={"ETag": etag(remit.version)})


@router.patch("/vendors/{vendor_id}/remit-tos/{remit_to_id}", response_model=RemitToRead,
              tags=["vendors"])
def update_remit_to(vendor_id: RecordId, remit_to_id: RecordId, body: RemitToUpdate,
                    db: WriteDb, principal: SetupAdmin, if_match: IfMatchHeader) -> Response:
    remit = reference.update_remit_to(db, tenant_id=principal.tenant_id, vendor_id=vendor_id,
                                      remit_to_id=remit_to_id,
                                      changes=body.model_dump(exclude_unset=True),
                                      check_version=if_match.check, actor=Actor.of(principal))
    return commit_response(db, None, reference.read_remit_to(remit), version=remit.version)


# --- facilities and locations --------------------------------------------------------------------

@router.get("/facilities", response_model=PageOf[FacilityRead], tags=["facilities"])
def list_facilities(db: ReadDb, principal: Reader, paging: Paging) -> Response:
    page = FacilityRepository(db, principal.tenant_id).page(cursor=paging.cursor,
                                                           limit=paging.limit)
    return _page(page, reference.read_facility)


@router.post("/facilities", status_code=201, response_model=FacilityRead, tags=["facilities"])
def create_facility(body: FacilityCreate, db: WriteDb, principal: SetupAdmin,
                    idem: Idem) -> Response:
    facility = reference.create_facility(db, tenant_id=principal.tenant_id,
                                         actor=Actor.of(principal), **body.model_dump())
    return commit_response(db, idem, reference.read_facility(facility), status_code=201,
                           version=facility.version)


@router.get("/facilities/{facility_id}", response_model=FacilityRead, tags=["facilities"])
def get_facility(facility_id: RecordId, db: ReadDb, principal: Reader) -> Response:
    facility = FacilityRepository(db, principal.tenant_id).require(facility_id)
    return json_response(reference.read_facility(facility),
                         headers={"ETag": etag(facility.version)})


@router.patch("/facilities/{facility_id}", response_model=FacilityRead, tags=["facilities"])
def update_facility(facility_id: RecordId, body: NameUpdate, db: WriteDb, principal: SetupAdmin,
                    if_match: IfMatchHeader) -> Response:
    facility = reference.update_facility(db, tenant_id=principal.tenant_id,
                                         facility_id=facility_id,
                                         changes=body.model_dump(exclude_unset=True),
                                         check_version=if_match.check, actor=Actor.of(principal))
    return commit_response(db, None, reference.read_facility(facility), version=facility.version)


@router.get("/facilities/{facility_id}/locations", response_model=PageOf[LocationRead],
            tags=["facilities"])
def list_locations(facility_id: RecordId, db: ReadDb, principal: Reader,
                   paging: Paging) -> Response:
    FacilityRepository(db, principal.tenant_id).require(facility_id)
    page = LocationRepository(db, principal.tenant_id).page(
        facility_id=facility_id, cursor=paging.cursor, limit=paging.limit)
    return _page(page, reference.read_location)


@router.post("/facilities/{facility_id}/locations", status_code=201, response_model=LocationRead,
             tags=["facilities"])
def create_location(facility_id: RecordId, body: LocationCreate, db: WriteDb,
                    principal: SetupAdmin, idem: Idem) -> Response:
    location = reference.create_location(db, tenant_id=principal.tenant_id,
                                         facility_id=facility_id, actor=Actor.of(principal),
                                         **body.model_dump())
    return commit_response(db, idem, reference.read_location(location), status_code=201,
                           version=location.version)


@router.get("/facilities/{facility_id}/locations/{location_id}", response_model=LocationRead,
            tags=["facilities"])
def get_location(facility_id: RecordId, location_id: RecordId, db: ReadDb,
                 principal: Reader) -> Response:
    location = LocationRepository(db, principal.tenant_id).get(location_id)
    if location is None or location.facility_id != facility_id:
        raise NotFound(f"location '{location_id}' was not found")
    return json_response(reference.read_location(location),
                         headers={"ETag": etag(location.version)})


@router.patch("/facilities/{facility_id}/locations/{location_id}", response_model=LocationRead,
              tags=["facilities"])
def update_location(facility_id: RecordId, location_id: RecordId, body: NameUpdate, db: WriteDb,
                    principal: SetupAdmin, if_match: IfMatchHeader) -> Response:
    location = reference.update_location(db, tenant_id=principal.tenant_id,
                                         facility_id=facility_id, location_id=location_id,
                                         changes=body.model_dump(exclude_unset=True),
                                         check_version=if_match.check, actor=Actor.of(principal))
    return commit_response(db, None, reference.read_location(location), version=location.version)


# --- AP codes ------------------------------------------------------------------------------------

@router.get("/ap-codes", response_model=PageOf[ApCodeRead], tags=["ap codes"],
            summary="CER numbers, purchasing cards and projects")
def list_codes(db: ReadDb, principal: Reader, paging: Paging,
               kind: Annotated[CodeKind | None, Query()] = None) -> Response:
    page = ApCodeRepository(db, principal.tenant_id).page(cursor=paging.cursor,
                                                         limit=paging.limit, kind=kind)
    return _page(page, reference.read_code)


@router.post("/ap-codes", status_code=201, response_model=ApCodeRead, tags=["ap codes"])
def create_code(body: ApCodeCreate, db: WriteDb, principal: SetupAdmin, idem: Idem) -> Response:
    code = reference.create_code(db, tenant_id=principal.tenant_id, actor=Actor.of(principal),
                                 **body.model_dump())
    return commit_response(db, idem, reference.read_code(code), status_code=201,
                           version=code.version)


@router.get("/ap-codes/{code_id}", response_model=ApCodeRead, tags=["ap codes"])
def get_code(code_id: RecordId, db: ReadDb, principal: Reader) -> Response:
    code = ApCodeRepository(db, principal.tenant_id).require(code_id)
    return json_response(reference.read_code(code), headers={"ETag": etag(code.version)})


@router.patch("/ap-codes/{code_id}", response_model=ApCodeRead, tags=["ap codes"])
def update_code(code_id: RecordId, body: ApCodeUpdate, db: WriteDb, principal: SetupAdmin,
                if_match: IfMatchHeader) -> Response:
    code = reference.update_code(db, tenant_id=principal.tenant_id, code_id=code_id,
                                 changes=body.model_dump(exclude_unset=True),
                                 check_version=if_match.check, actor=Actor.of(principal))
    return commit_response(db, None, reference.read_code(code), version=code.version)
