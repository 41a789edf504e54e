"""Tables of case work: signals (meldingen), cases, partners, interventions, outcomes, name reveals."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pandzicht.cases.db import Base, utcnow


class Signal(Base):
    """A tip from the public form; the text is stored as plain text and always escaped when shown.

    No IP address or other identifier of the reporter is stored."""

    __tablename__ = "melding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kenmerk: Mapped[str] = mapped_column(String(20), unique=True)
    ontvangen_op: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    bron_type: Mapped[str] = mapped_column(String(30))
    categorieen: Mapped[str] = mapped_column(String(300))  # ';'-separated, contract enum values
    tekst: Mapped[str] = mapped_column(Text, default="")
    adres_tekst: Mapped[str] = mapped_column(String(200), default="")
    verblijfsobject_id: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    koppeling_zekerheid: Mapped[float] = mapped_column(Float, default=0.0)
    koppeling_methode: Mapped[str] = mapped_column(String(30), default="")
    score_bij_ontvangst: Mapped[float | None] = mapped_column(Float, nullable=True)
    rang_bij_ontvangst: Mapped[int | None] = mapped_column(Integer, nullable=True)
    gezien_op: Mapped[date | None] = mapped_column(Date, nullable=True)  # "wanneer zag u dit?", optional

    @property
    def categorie_lijst(self) -> list[str]:
        return [c for c in self.categorieen.split(";") if c]


class Case(Base):
    """A case about a unit, a party or a signal, always with a purpose (doelbinding)."""

    __tablename__ = "zaak"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    onderwerp_soort: Mapped[str] = mapped_column(String(10))  # adres, partij, melding
    onderwerp_id: Mapped[str] = mapped_column(String(120), index=True)
    titel: Mapped[str] = mapped_column(String(200))
    doel: Mapped[str] = mapped_column(Text)  # the purpose's label from the managed list (legacy: free text)
    doel_code: Mapped[str] = mapped_column(String(40), default="")  # key of catalogue.CASE_PURPOSES
    doel_kenmerk: Mapped[str] = mapped_column(String(40), default="")  # reference number of the mandate
    verkeerslicht: Mapped[str | None] = mapped_column(String(10), nullable=True)
    verkeerslicht_reden: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    aangemaakt_door: Mapped[int] = mapped_column(ForeignKey("gebruiker.id"))
    aangemaakt_op: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    bijgewerkt_op: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    toegewezen_aan: Mapped[int | None] = mapped_column(ForeignKey("gebruiker.id"), nullable=True, index=True)
    termijn: Mapped[date | None] = mapped_column(Date, nullable=True)  # deadline set by the case director

    partners: Mapped[list[CasePartner]] = relationship(
        back_populates="zaak", cascade="all, delete-orphan", order_by="CasePartner.organisatie")
    interventies: Mapped[list[CaseIntervention]] = relationship(
        back_populates="zaak", cascade="all, delete-orphan", order_by="CaseIntervention.id")
    uitkomsten: Mapped[list[Outcome]] = relationship(
        back_populates="zaak", cascade="all, delete-orphan", order_by="Outcome.id")
    notities: Mapped[list[CaseNote]] = relationship(
        back_populates="zaak", cascade="all, delete-orphan", order_by="CaseNote.id")
    adressen: Mapped[list[CaseUnit]] = relationship(
        back_populates="zaak", cascade="all, delete-orphan", order_by="CaseUnit.id")


class CasePartner(Base):
    """A partner organisation the case is shared with; its users see the case, nothing else."""

    __tablename__ = "zaak_partner"
    __table_args__ = (UniqueConstraint("zaak_id", "organisatie"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zaak_id: Mapped[int] = mapped_column(ForeignKey("zaak.id", ondelete="CASCADE"), index=True)
    organisatie: Mapped[str] = mapped_column(String(120))
    gedeeld_op: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, default=utcnow)  # null: before 0005k
    zaak: Mapped[Case] = relationship(back_populates="partners")


class Organisation(Base):
    """A partner organisation a case can be shared with; managed by the beheerder, never typed per case."""

    __tablename__ = "organisatie"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    naam: Mapped[str] = mapped_column(String(120), unique=True)
    actief: Mapped[bool] = mapped_column(Boolean, default=True)
    aangemaakt_op: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CaseIntervention(Base):
    """An instrument chosen from the catalogue for this case, with who carries it out."""

    __tablename__ = "zaak_interventie"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zaak_id: Mapped[int] = mapped_column(ForeignKey("zaak.id", ondelete="CASCADE"), index=True)
    instrument: Mapped[str] = mapped_column(String(40))  # code in cases.catalogue
    verantwoordelijke: Mapped[str] = mapped_column(String(120))
    toelichting: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="gepland")
    aangemaakt_op: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status_op: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # last status change
    zaak: Mapped[Case] = relationship(back_populates="interventies")


class CaseNote(Base):
    """Free text in a case (a working note). It stays here: the audit log records only that note's id."""

    __tablename__ = "zaak_notitie"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zaak_id: Mapped[int] = mapped_column(ForeignKey("zaak.id", ondelete="CASCADE"), index=True)
    tekst: Mapped[str] = mapped_column(Text)
    door: Mapped[int] = mapped_column(ForeignKey("gebruiker.id"))
    op: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    zaak: Mapped[Case] = relationship(back_populates="notities")


class CaseUnit(Base):
    """A further address of a case opened for a selection of addresses (the first is the case's subject)."""

    __tablename__ = "zaak_adres"
    __table_args__ = (UniqueConstraint("zaak_id", "verblijfsobject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zaak_id: Mapped[int] = mapped_column(ForeignKey("zaak.id", ondelete="CASCADE"), index=True)
    verblijfsobject_id: Mapped[str] = mapped_column(String(16), index=True)
    zaak: Mapped[Case] = relationship(back_populates="adressen")


class Outcome(Base):
    """What a check or intervention found; `niets_gevonden` is a result too. These become the labels."""

    __tablename__ = "uitkomst"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zaak_id: Mapped[int] = mapped_column(ForeignKey("zaak.id", ondelete="CASCADE"), index=True)
    interventie_id: Mapped[int | None] = mapped_column(ForeignKey("zaak_interventie.id"), nullable=True)
    verblijfsobject_id: Mapped[str] = mapped_column(String(16), index=True)
    datum: Mapped[date] = mapped_column(Date)
    instrument: Mapped[str] = mapped_column(String(40))  # contract enum of handhaving_uitkomst
    bevinding: Mapped[str] = mapped_column(String(30))  # contract enum
    toelichting: Mapped[str] = mapped_column(Text, default="")
    vastgelegd_door: Mapped[int] = mapped_column(ForeignKey("gebruiker.id"))
    vastgelegd_op: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A partner's outcome becomes a training label only once a case director confirms it.
    bevestigd_door: Mapped[int | None] = mapped_column(ForeignKey("gebruiker.id"), nullable=True)
    bevestigd_op: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    zaak: Mapped[Case] = relationship(back_populates="uitkomsten")

    @property
    def bevestigd(self) -> bool:
        return self.bevestigd_door is not None


class Reveal(Base):
    """A full name shown inside a case, for that case's purpose; also in the audit log."""

    __tablename__ = "onthulling"
    __table_args__ = (UniqueConstraint("zaak_id", "gebruiker_id", "entiteit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zaak_id: Mapped[int] = mapped_column(ForeignKey("zaak.id", ondelete="CASCADE"), index=True)
    gebruiker_id: Mapped[int] = mapped_column(ForeignKey("gebruiker.id"))
    entiteit_id: Mapped[str] = mapped_column(String(120))
    tijd: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class NetworkSnapshot(Base):
    """A link chart saved into a case: node ids and positions only (see web/saved_charts.py)."""

    __tablename__ = "netwerk_opname"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zaak_id: Mapped[int] = mapped_column(ForeignKey("zaak.id", ondelete="CASCADE"), index=True)
    kern: Mapped[str] = mapped_column(String(120))
    titel: Mapped[str] = mapped_column(String(120), default="")
    inhoud: Mapped[str] = mapped_column(Text)  # JSON of ChartState
    aangemaakt_door: Mapped[int] = mapped_column(ForeignKey("gebruiker.id"))
    aangemaakt_op: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
