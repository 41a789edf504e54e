"""The audit log: who saw or did what, when, and for which purpose.

The privacy officer reads it to answer a data subject's access request ("who saw
my data?") and to check need-to-know. Entries name identifiers, never names.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pandzicht.privacy.models import AuditEntry, User

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
}


def record(
    session: Session,
    user: User | None,
    actie: str,
    object_soort: str = "",
    object_id: str = "",
    zaak_id: int | None = None,
    doel: str = "",
) -> AuditEntry:
    """Add one entry in the caller's transaction, so an action and its audit entry commit together."""
    entry = AuditEntry(
        gebruiker_id=user.id if user else None,
        gebruikersnaam=user.naam if user else "",
        rol=user.rol if user else "",
        actie=actie,
        object_soort=object_soort,
        object_id=object_id[:120],
        zaak_id=zaak_id,
        doel=doel,
    )
    session.add(entry)
    return entry


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
