"""Alembic environment: runs migrations on the engine finbatch hands over (``finbatch db upgrade``,
the tests) or on ``sqlalchemy.url`` (plain ``alembic`` usage)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from finbatch.db import create_db_engine
from finbatch.schema import metadata

config = context.config


def run() -> None:
    engine: Engine | None = config.attributes.get("engine")
    owned = engine is None
    if engine is None:
        engine = create_db_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                transaction_per_migration=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
    finally:
        if owned:
            engine.dispose()


run()
