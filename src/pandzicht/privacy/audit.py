"""The audit log: who saw or did what, when, and for which purpose.

The privacy officer reads it to answer a data subject's access request ("who saw
my data?") and to check need-to-know. Entries name identifiers, never names, and
never text a user typed: purposes are codes from a managed list.

The log is append-only and hash-chained: each row holds the hash of its
predecessor and the hash of its own content (which includes its id and that
predecessor hash), so deleting, editing or reordering a row breaks the chain at
that row (`verify`, `pandzicht audit controleer`). Triggers refuse UPDATE and
DELETE on the table (SQLite and PostgreSQL, migration 0002b). Appends are
serialised so two workers cannot fork the chain: an advisory transaction lock
on PostgreSQL, `BEGIN IMMEDIATE` transactions on SQLite (cases.db).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pandzicht.cases.db import utcnow
from pandzicht.privacy.models import AuditEntry, User

GENESIS = "0" * 64  # the predecessor hash of the first row
_CHAIN_LOCK = 7_302_614_117  # PostgreSQL advisory lock key of the audit chain
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_:.;=,/\- ]{0,200}$")

ACTION_LABELS = {
    "inloggen": "ingelogd",
    "inloggen_mislukt": "inloggen mislukt",
    "uitloggen": "uitgelogd",
    "adres_bekeken": "adresdossier bekeken",
    "partij_bekeken": "partijdossier bekeken",
    "netwerk_bekeken": "netwerk bekeken",
    "zaak_bekeken": "zaak bekeken",
    "zaak_geopend": "zaak geopend",
    "zaak_gewijzigd": "zaak gewijzigd",
    "uitkomst_vastgelegd": "uitkomst vastgelegd",
    "naam_onthuld": "naam onthuld",
    "export_shortlist": "shortlist geëxporteerd",
    "export_zaak": "zaak geëxporteerd (FollowTheMoney)",
    "rapport_bekeken": "wijkrapport bekeken",
    "audit_bekeken": "auditlog bekeken",
    "gebruiker_aangemaakt": "gebruiker aangemaakt",
    "adressen_gelijst": "adressenlijst opgevraagd",
    "partijen_gelijst": "partijenlijst opgevraagd",
    "overzicht_bekeken": "overzicht bekeken (lijsten, met aantal)",
    "zaak_doel_vastgelegd": "doel van een oude zaak vastgelegd",
    "uitkomst_bevestigd": "uitkomst bevestigd",
    "organisatie_aangemaakt": "organisatie aangemaakt",
    "organisatie_gewijzigd": "organisatie gewijzigd",
    "bewaartermijn_toegepast": "bewaartermijn toegepast (aantal verwijderd)",
    "inzage_opgesteld": "inzageverzoek beantwoord",
    "gezocht": "gezocht (soort zoekvraag, aantal resultaten)",
    "wijzigingen_bekeken": "wijzigingen sinds de vorige levering bekeken",
    "rapport_pdf": "wijkrapport als pdf opgehaald",
    "netwerk_opgeslagen": "netwerkweergave in een zaak bewaard",
    "inloggen_geblokkeerd": "inloggen geblokkeerd (te veel mislukte pogingen)",
    "overal_uitgelogd": "overal uitgelogd",
    "tweede_factor_gekoppeld": "tweede factor gekoppeld",
    "tweede_factor_hersteld": "tweede factor opnieuw ingesteld",
    "gebruiker_geactiveerd": "gebruiker geactiveerd",
    "gebruiker_gedeactiveerd": "gebruiker gedeactiveerd",
    "rol_gewijzigd": "rol gewijzigd",
    "wachtwoord_hersteld": "wachtwoord opnieuw ingesteld",
}


def _identifier(value: str, field: str) -> str:
    """Only identifiers and codes go into the log; anything else is a programming error, not user input."""
    if not _IDENTIFIER.match(value):
        raise ValueError(f"audit {field} must be an identifier or code, not free text")
    return value


def entry_hash(entry: Any) -> str:
    """SHA-256 of a row's content, its id and its predecessor's hash (canonical JSON)."""
    tijd = entry.tijd.replace(tzinfo=None).isoformat(timespec="microseconds") if entry.tijd else ""
    content = [entry.id, tijd, entry.gebruiker_id, entry.gebruikersnaam or "", entry.rol or "", entry.actie,
               entry.object_soort or "", entry.object_id or "", entry.zaak_id, entry.doel or "", entry.aantal,
               entry.vorige_hash]
    raw = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    """Serialise appends on PostgreSQL (held until the transaction ends); SQLite transactions are IMMEDIATE."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})


def record(
    session: Session,
    user: User | None,
    actie: str,
    object_soort: str = "",
    object_id: str = "",
    zaak_id: int | None = None,
    doel: str = "",
    aantal: int | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction, so an action and its audit entry commit together.

    `object_id` and `doel` take identifiers and codes only (ValueError otherwise); `aantal` is the number of
    rows a list read returned. The signature stays compatible for callers outside this package (login)."""
    _lock_chain(session)
    session.flush()  # entries added earlier in this transaction are part of the chain
    last = session.execute(select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    entry = AuditEntry(
        id=(last[0] + 1) if last else 1,
        tijd=utcnow(),
        gebruiker_id=user.id if user else None,
        gebruikersnaam=user.naam if user else "",
        rol=user.rol if user else "",
        actie=_identifier(actie, "actie"),
        object_soort=_identifier(object_soort, "object_soort"),
        object_id=_identifier(object_id[:120], "object_id"),
        zaak_id=zaak_id,
        doel=_identifier(doel, "doel"),
        aantal=aantal,
        vorige_hash=last[1] if last else GENESIS,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


def record_login_failure(session: Session, naam: str) -> AuditEntry:
    """A failed login, with the account it was for when that account exists.

    The typed name itself is never stored (people type passwords into the name field); an unknown name is
    recorded as 'onbekend'."""
    user = session.scalar(select(User).where(User.naam == naam.strip())) if naam.strip() else None
    if user is None:
        return record(session, None, "inloggen_mislukt", "gebruiker", "onbekend")
    return record(session, user, "inloggen_mislukt", "gebruiker", str(user.id))


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of `verify`: rows checked, and the first broken row with the reason (None when intact)."""

    rijen: int
    gebroken_id: int | None = None
    reden: str = ""

    @property
    def intact(self) -> bool:
        return self.gebroken_id is None


def _rows(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    after = 0
    while True:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id)
                                    .limit(batch)))
        if not rows:
            return
        yield from rows
        after = rows[-1].id
        session.expunge_all()


def verify(session: Session) -> ChainCheck:
    """Walk the chain in id order; the first row whose link or own hash does not match is where it broke."""
    previous, n = GENESIS, 0
    for row in _rows(session):
        n += 1
        if row.vorige_hash != previous:
            return ChainCheck(n, row.id, "verwijst niet naar de hash van de vorige rij")
        if row.hash != entry_hash(row):
            return ChainCheck(n, row.id, "inhoud past niet bij de eigen hash")
        previous = row.hash
    return ChainCheck(n)


def search(
    session: Session,
    gebruiker: str = "",
    actie: str = "",
    object_id: str = "",
    since: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """Entries newest first, filtered; also the total count for paging."""
    q = select(AuditEntry)
    if gebruiker:
        q = q.where(AuditEntry.gebruikersnaam == gebruiker)
    if actie:
        q = q.where(AuditEntry.actie == actie)
    if object_id:
        q = q.where(AuditEntry.object_id == object_id)
    if since:
        q = q.where(AuditEntry.tijd >= since)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(q.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(rows), int(total)
