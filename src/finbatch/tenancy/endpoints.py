"""``/v1`` routes for tenants, users, API tokens and business units."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials
from starlette.responses import Response

from finbatch.api.concurrency import IfMatchHeader, etag
from finbatch.api.deps import (
    Administrator,
    ReadDb,
    Reader,
    SetupAdmin,
    WriteDb,
    authenticate,
    bearer_scheme,
)
from finbatch.api.idempotency import Idem, commit_response
from finbatch.api.paging import PageOf, Paging
from finbatch.api.responses import json_response
from finbatch.kit.errors import NotFound
from finbatch.tenancy import business_units as units_service
from finbatch.tenancy import repository as repo
from finbatch.tenancy import service
from finbatch.tenancy.auth import Principal
from finbatch.tenancy.models import ApiToken, ApiTokenGrant, Membership, User
from finbatch.tenancy.roles import Permission, Role, parse_roles
from finbatch.tenancy.schemas import (
    BusinessUnitCreate,
    BusinessUnitRead,
    BusinessUnitUpdate,
    TenantCreate,
    TenantRead,
    TenantUpdate,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)

router = APIRouter()

# --- tenants -------------------------------------------------------------------------------------


def _admin_of_path_tenant(
    request: Request,
    slug: Annotated[str, Path(max_length=63)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The caller acting in the tenant named in the path: 403 when that tenant is not granted."""
    principal = authenticate(request, credentials).in_tenant(slug=slug)
    principal.require(Permission.ADMINISTER)
    return principal


PathTenantAdmin = Annotated[Principal, Depends(_admin_of_path_tenant)]


def _tenant_read(tenant) -> dict:
    return TenantRead.model_validate(tenant).model_dump(mode="json")


@router.get("/tenants", response_model=PageOf[TenantRead], tags=["tenants"],
            summary="Tenants this token administers")
def list_tenants(db: ReadDb, principal: Administrator) -> Response:
    ids = [tid for tid, roles in principal.grants.items() if Role.ADMIN in roles]
    return json_response({"items": [_tenant_read(t) for t in repo.tenants_by_ids(db, ids)],
                          "next_cursor": None})


@router.post("/tenants", status_code=201, response_model=TenantRead, tags=["tenants"],
             summary="Create a tenant; the calling token and its user become its admins")
def create_tenant(body: TenantCreate, db: WriteDb, principal: Administrator, idem: Idem) -> Response:
    tenant = service.create_tenant_as(db, principal, **body.model_dump())
    return commit_response(db, idem, _tenant_read(tenant), status_code=201, version=tenant.version)


@router.get("/tenants/{slug}", response_model=TenantRead, tags=["tenants"])
def get_tenant(slug: str, db: ReadDb, principal: PathTenantAdmin) -> Response:
    tenant = repo.tenant_by_id(db, principal.tenant_id)
    return json_response(_tenant_read(tenant), headers={"ETag": etag(tenant.version)})


@router.patch("/tenants/{slug}", response_model=TenantRead, tags=["tenants"])
def update_tenant(slug: str, body: TenantUpdate, db: WriteDb, principal: PathTenantAdmin,
                  if_match: IfMatchHeader) -> Response:
    tenant = repo.tenant_by_id(db, principal.tenant_id)
    if_match.check(tenant.version)
    service.update_tenant(db, tenant, actor=principal.actor, **body.model_dump(exclude_unset=True))
    return commit_response(db, None, _tenant_read(tenant), version=tenant.version)


# --- users ---------------------------------------------------------------------------------------


def _user_read(user: User, membership: Membership) -> dict:
    return UserRead(id=user.id, username=user.username, display_name=user.display_name,
                    roles=sorted(parse_roles(membership.roles)), is_active=user.is_active,
                    created_at=user.created_at, last_login_at=user.last_login_at
                    ).model_dump(mode="json")


@router.get("/users", response_model=PageOf[UserRead], tags=["users"])
def list_users(db: ReadDb, principal: Administrator, paging: Paging) -> Response:
    page = repo.MembershipRepository(db, principal.tenant_id).page_users(
        cursor=paging.cursor, limit=paging.limit)
    return json_response({"items": [_user_read(u, m) for u, m in page.items],
                          "next_cursor": page.next_cursor})


@router.post("/users", status_code=201, response_model=UserRead, tags=["users"])
def create_user(body: UserCreate, db: WriteDb, principal: Administrator, idem: Idem) -> Response:
    user = service.create_user(db, tenant_id=principal.tenant_id, username=body.username,
                               password=body.password, display_name=body.display_name,
                               roles=[r.value for r in body.roles], actor=principal.actor)
    user_row, membership = repo.MembershipRepository(db, principal.tenant_id).user(user.id)
    return commit_response(db, idem, _user_read(user_row, membership), status_code=201,
                           version=user.version)


@router.get("/users/{user_id}", response_model=UserRead, tags=["users"])
def get_user(user_id: Annotated[str, Path(max_length=64)], db: ReadDb,
             principal: Administrator) -> Response:
    found = repo.MembershipRepository(db, principal.tenant_id).user(user_id)
    if found is None:
        raise NotFound(f"user '{user_id}' was not found")
    return json_response(_user_read(*found))


@router.patch("/users/{user_id}", response_model=UserRead, tags=["users"],
              summary="Change a user's roles in this tenant")
def update_user(user_id: Annotated[str, Path(max_length=64)], body: UserUpdate, db: WriteDb,
                principal: Administrator) -> Response:
    found = repo.MembershipRepository(db, principal.tenant_id).user(user_id)
    if found is None:
        raise NotFound(f"user '{user_id}' was not found")
    service.set_user_roles(db, tenant_id=principal.tenant_id, user_id=user_id,
                           roles=[r.value for r in body.roles], actor=principal.actor)
    return commit_response(db, None, _user_read(*found))


# --- tokens --------------------------------------------------------------------------------------


def _token_read(token: ApiToken, grant: ApiTokenGrant) -> dict:
    return TokenRead(id=token.id, name=token.name, roles=sorted(parse_roles(grant.roles)),
                     user_id=token.user_id, created_at=token.created_at,
                     expires_at=token.expires_at, revoked_at=token.revoked_at
                     ).model_dump(mode="json")


@router.get("/tokens", response_model=PageOf[TokenRead], tags=["tokens"])
def list_tokens(db: ReadDb, principal: Administrator, paging: Paging) -> Response:
    page = repo.TokenGrantRepository(db, principal.tenant_id).page_tokens(
        cursor=paging.cursor, limit=paging.limit)
    return json_response({"items": [_token_read(t, g) for t, g in page.items],
                          "next_cursor": page.next_cursor})


@router.post("/tokens", status_code=201, response_model=TokenCreated, tags=["tokens"],
             summary="Create an API token (the secret is shown once)")
def create_token(request: Request, body: TokenCreate, db: WriteDb, principal: Administrator,
                 idem: Idem) -> Response:
    days = body.expires_in_days or request.app.state.settings.token_ttl_days
    issued = service.create_token_as(db, principal, roles=[r.value for r in body.roles],
                                     name=body.name, expires_in=timedelta(days=days))
    token, grant = repo.TokenGrantRepository(db, principal.tenant_id).token(issued.token.id)
    content = {**_token_read(token, grant), "token": issued.secret}
    return commit_response(db, idem, content, status_code=201)


@router.delete("/tokens/{token_id}", status_code=204, tags=["tokens"], response_class=Response,
               summary="Revoke a token")
def revoke_token(token_id: Annotated[str, Path(max_length=64)], db: WriteDb,
                 principal: Administrator) -> Response:
    service.revoke_token(db, tenant_id=principal.tenant_id, token_id=token_id,
                         actor=principal.actor)
    db.commit()
    return Response(status_code=204)


# --- business units ------------------------------------------------------------------------------


@router.get("/business-units", response_model=PageOf[BusinessUnitRead], tags=["business units"])
def list_business_units(db: ReadDb, principal: Reader, paging: Paging,
                        active: bool | None = None) -> Response:
    page = repo.BusinessUnitRepository(db, principal.tenant_id).page(
        cursor=paging.cursor, limit=paging.limit, active=active)
    return json_response({"items": [units_service.read(u) for u in page.items],
                          "next_cursor": page.next_cursor})


@router.post("/business-units", status_code=201, response_model=BusinessUnitRead,
             tags=["business units"])
def create_business_unit(body: BusinessUnitCreate, db: WriteDb, principal: SetupAdmin,
                         idem: Idem) -> Response:
    unit = units_service.create_business_unit(db, tenant_id=principal.tenant_id,
                                              actor=principal.actor, **body.model_dump())
    return commit_response(db, idem, units_service.read(unit), status_code=201,
                           version=unit.version)


@router.get("/business-units/{unit_id}", response_model=BusinessUnitRead, tags=["business units"])
def get_business_unit(unit_id: Annotated[str, Path(max_length=64)], db: ReadDb,
                      principal: Reader) -> Response:
    unit = repo.BusinessUnitRepository(db, principal.tenant_id).require(unit_id)
    return json_response(units_service.read(unit), headers={"ETag": etag(unit.version)})


@router.patch("/business-units/{unit_id}", response_model=BusinessUnitRead,
              tags=["business units"])
def update_business_unit(unit_id: Annotated[str, Path(max_length=64)], body: BusinessUnitUpdate,
                         db: WriteDb, principal: SetupAdmin, if_match: IfMatchHeader) -> Response:
    unit = units_service.update_business_unit(
        db, tenant_id=principal.tenant_id, id=unit_id, changes=body.model_dump(exclude_unset=True),
        check_version=if_match.check, actor=principal.actor)
    return commit_response(db, None, units_service.read(unit), version=unit.version)
