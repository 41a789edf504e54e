"""Tables of the privacy package: users with roles, their sessions and failed logins, and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text
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
    # Second factor (TOTP, RFC 6238): the base32 secret once enrolled, and the last time step used (no replay).
    totp_geheim: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_laatste_stap: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    wachtwoord_gewijzigd_op: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Sessie(Base):
    """A login, held on the server so that logout, "overal uitloggen" and deactivation hold for every worker.

    The cookie carries a random token; only its SHA-256 is stored here. `volledig` is False while the
    second factor is still to come; `totp_nieuw` holds a secret being enrolled at first login."""

    __tablename__ = "sessie"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    gebruiker_id: Mapped[int] = mapped_column(ForeignKey("gebruiker.id", ondelete="CASCADE"), index=True)
    volledig: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_nieuw: Mapped[str | None] = mapped_column(String(64), nullable=True)
    aangemaakt_op: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    laatst_actief: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    verloopt_op: Mapped[datetime] = mapped_column(DateTime, index=True)
    beeindigd_op: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reden: Mapped[str] = mapped_column(String(30), default="")


class InlogFout(Base):
    """Failed logins per account name or per client address, keyed by an HMAC (no names or addresses stored)."""

    __tablename__ = "inlogfout"

    sleutel: Mapped[str] = mapped_column(String(64), primary_key=True)
    soort: Mapped[str] = mapped_column(String(10))  # "account" or "ip"
    aantal: Mapped[int] = mapped_column(Integer, default=0)
    laatste_op: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    geblokkeerd_tot: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


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
