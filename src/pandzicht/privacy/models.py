"""Tables of the privacy package: users with roles, and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pandzicht.cases.db import Base, utcnow


class User(Base):
    """A person who logs in; the role decides what they may see."""

    __tablename__ = "gebruiker"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    naam: Mapped[str] = mapped_column(String(80), unique=True)
    wachtwoord_hash: Mapped[str] = mapped_column(String(200))
    rol: Mapped[str] = mapped_column(String(30))
    organisatie: Mapped[str] = mapped_column(String(120), default="")
    actief: Mapped[bool] = mapped_column(Boolean, default=True)
    aangemaakt_op: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """Who did what, when: every dossier view, name reveal, export and case change.

    Holds identifiers (unit, party, case), never names or free text of a dossier,
    so the log itself adds no personal data beyond who looked. Append-only and
    hash-chained: each row holds its predecessor's hash and the hash of its own
    content (see privacy.audit)."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tijd: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    gebruiker_id: Mapped[int | None] = mapped_column(ForeignKey("gebruiker.id"), nullable=True)
    gebruikersnaam: Mapped[str] = mapped_column(String(80), default="")
    rol: Mapped[str] = mapped_column(String(30), default="")
    actie: Mapped[str] = mapped_column(String(40), index=True)
    object_soort: Mapped[str] = mapped_column(String(20), default="")
    object_id: Mapped[str] = mapped_column(String(120), default="", index=True)
    zaak_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    doel: Mapped[str] = mapped_column(Text, default="")
    aantal: Mapped[int | None] = mapped_column(Integer, nullable=True)  # rows a list read returned
    vorige_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
