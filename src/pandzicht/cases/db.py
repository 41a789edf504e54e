"""The operational store: signals, cases, users and the audit log in one SQL database.

SQLite (a file) for a single machine, PostgreSQL for a team; the schema is
owned by the Alembic migrations in `pandzicht/cases/migrations`, which run at
startup so a new release upgrades the database it finds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Shared metadata of every operational table (cases and privacy)."""

    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    """Timestamps are stored in UTC without tz info, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def default_url(directory: Path | str = ".") -> str:
    return f"sqlite:///{Path(directory) / 'pandzicht-operationeel.sqlite'}"


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite gets foreign keys and a busy timeout so concurrent requests wait, not fail.

    SQLite transactions begin IMMEDIATE: a writer takes the write lock before it reads, so two workers appending
    to the audit chain queue behind each other instead of both reading the same last row (a fork) or failing
    on a stale snapshot. The database file is created owner-only (0600)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        database = engine.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            from pandzicht.privacy.files import private_file

            private_file(Path(database))

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_con, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_con.isolation_level = None  # transactions are begun below, not by the driver
            cur = dbapi_con.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn) -> None:  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def migrations_dir() -> Path:
    return Path(str(resources.files("pandzicht.cases") / "migrations"))


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (idempotent)."""
    # Import the models so their tables are on Base.metadata for the migration environment.
    from pandzicht.cases import models  # noqa: F401
    from pandzicht.privacy import models as privacy_models  # noqa: F401

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as con:
        cfg.attributes["connection"] = con
        command.upgrade(cfg, "heads")  # parallel branches of migrations may both be open


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
