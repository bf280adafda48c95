"""Settings: one class, read from ``FINBATCH_*`` environment variables, safe embedded defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FINBATCH_", extra="ignore")

    #: ``sqlite:///./finbatch.db`` (embedded) or ``postgresql://user@host/db`` (scale-out).
    database_url: str = "sqlite:///./finbatch.db"
    host: str = "127.0.0.1"
    port: int = 8000
    #: Absolute base URL used in links and signed download URLs; derived from the request if unset.
    public_url: str | None = None
    #: Secret for signed download URLs; generated once and kept in the database when unset.
    signing_secret: str | None = None
    signed_url_ttl_seconds: int = Field(900, ge=10)
    #: Lifetime of API tokens created without an explicit expiry.
    token_ttl_days: int = Field(90, ge=1)
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    export_dir: Path = Path("./exports")
    #: ``s3://bucket/prefix`` to keep export files in an S3-compatible store instead of export_dir
    #: (``FINBATCH_S3_ENDPOINT_URL`` for non-AWS stores; credentials from the usual AWS variables).
    export_storage_url: str | None = None
    s3_endpoint_url: str | None = None
    #: Days an export file is kept before the export becomes ``expired``.
    export_retention_days: int = Field(30, ge=1)
    #: Worker threads started inside ``finbatch serve`` (0 = only separate ``finbatch worker``s).
    embedded_workers: int = Field(1, ge=0)
    #: Comma-separated origins allowed by CORS on the native API ("*" for any).
    cors_origins: str = ""
    #: Requests per minute per token before 429 (every API surface; see ``api/ratelimit.py``).
    rate_limit_per_minute: int = Field(6000, ge=1)
    #: Requests per minute per tenant, all its tokens together, before 429.
    tenant_rate_limit_per_minute: int = Field(30000, ge=1)
    #: Failed password logins before a user is locked, and for how long.
    login_max_failures: int = Field(5, ge=1)
    login_lockout_seconds: int = Field(900, ge=1)
    sqlite_busy_timeout_ms: int = Field(30000, ge=0)

    @field_validator("database_url")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "sqlite+", "postgresql:", "postgresql+", "postgres:")):
            raise ValueError("FINBATCH_DATABASE_URL must be sqlite:///… or postgresql://…")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
