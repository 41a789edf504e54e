"""Alembic environment: runs on the connection handed in by `pandzicht.cases.db.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from pandzicht.cases import models  # noqa: F401  (tables on the metadata)
from pandzicht.cases.db import Base
from pandzicht.privacy import models as privacy_models  # noqa: F401

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        url = context.config.get_main_option("sqlalchemy.url")
        with create_engine(url).connect() as con:
            context.configure(connection=con, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
