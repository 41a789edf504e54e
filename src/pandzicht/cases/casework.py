"""Case work: open a case with a purpose, triage, share with partners, choose interventions, record outcomes.

Every function checks what the acting user may do and writes the audit entry in
the same transaction as the change. A partner never learns that a case not
shared with their organisation exists: it is simply "not found".
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pandzicht.cases.catalogue import (
    BY_CODE,
    CASE_STATUSES,
    SUBJECT_KINDS,
    TRAFFIC_LIGHTS,
)
from pandzicht.cases.db import utcnow
from pandzicht.cases.models import Case, CaseIntervention, CasePartner, Outcome, Reveal
from pandzicht.contract.sources import FINDINGS, INSTRUMENTS
from pandzicht.errors import PandzichtError
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission, Role, can

MIN_PURPOSE = 10


class NotAllowed(PandzichtError):
    """The user's role does not allow this action."""


class NotFound(PandzichtError):
    """No such case, or not one this user may see."""


def _require(user: User, permission: Permission) -> None:
    if not can(user.rol, permission):
        raise NotAllowed("u heeft geen recht op deze handeling")


def _is_bag_id(value: str) -> bool:
    return len(value) == 16 and value.isdigit()


def open_case(session: Session, user: User, soort: str, onderwerp_id: str, titel: str, doel: str) -> Case:
    """A new case; the purpose (doelbinding) is required because it bounds what may be looked at and revealed."""
    _require(user, Permission.ZAAK_OPENEN)
    if soort not in SUBJECT_KINDS:
        raise PandzichtError("onbekend onderwerp")
    onderwerp_id = onderwerp_id.strip()
    if not onderwerp_id or len(onderwerp_id) > 120:
        raise PandzichtError("onderwerp ontbreekt")
    doel = doel.strip()
    if len(doel) < MIN_PURPOSE:
        raise PandzichtError(f"beschrijf het doel van de zaak (doelbinding, minstens {MIN_PURPOSE} tekens)")
    titel = (titel.strip() or f"{soort} {onderwerp_id}")[:200]
    case = Case(onderwerp_soort=soort, onderwerp_id=onderwerp_id, titel=titel, doel=doel, status="open",
                aangemaakt_door=user.id)
    session.add(case)
    session.flush()
    audit.record(session, user, "zaak_geopend", soort, onderwerp_id, zaak_id=case.id, doel=doel)
    return case


def _visible(query, user: User):  # type: ignore[no-untyped-def]
    if can(user.rol, Permission.ALLE_ZAKEN):
        return query
    if user.rol == Role.PARTNER and user.organisatie:
        return query.where(Case.partners.any(CasePartner.organisatie == user.organisatie))
    return query.where(Case.id.is_(None))


def visible_cases(session: Session, user: User, status: str = "") -> list[Case]:
    """The cases this user may see, newest first."""
    q = _visible(select(Case), user)
    if status:
        q = q.where(Case.status == status)
    q = q.options(selectinload(Case.partners), selectinload(Case.interventies), selectinload(Case.uitkomsten))
    return list(session.scalars(q.order_by(Case.id.desc())))


def cases_about(session: Session, user: User, soort: str, onderwerp_id: str) -> list[Case]:
    return list(session.scalars(_visible(select(Case), user).where(
        Case.onderwerp_soort == soort, Case.onderwerp_id == onderwerp_id).order_by(Case.id.desc())))


def get_case(session: Session, user: User, case_id: int) -> Case:
    """The case if this user may see it; NotFound otherwise (also when it exists but is not shared)."""
    case = session.scalar(_visible(select(Case), user).where(Case.id == case_id))
    if case is None:
        raise NotFound("zaak niet gevonden")
    return case


def _touch(session: Session, user: User, case: Case, what: str) -> None:
    case.bijgewerkt_op = utcnow()
    audit.record(session, user, "zaak_gewijzigd", "zaak", str(case.id), zaak_id=case.id, doel=what)


def triage(session: Session, user: User, case: Case, kleur: str, reden: str) -> None:
    """Set the traffic light; a reason is required so the choice can be reviewed later."""
    _require(user, Permission.ZAAK_BEHEREN)
    if kleur not in TRAFFIC_LIGHTS:
        raise PandzichtError("kies groen, oranje of rood")
    reden = reden.strip()
    if len(reden) < 5:
        raise PandzichtError("geef een reden voor de beoordeling")
    case.verkeerslicht, case.verkeerslicht_reden = kleur, reden
    if case.status == "open":
        case.status = "in_behandeling"
    _touch(session, user, case, f"verkeerslicht {kleur}")


def set_status(session: Session, user: User, case: Case, status: str) -> None:
    _require(user, Permission.ZAAK_BEHEREN)
    if status not in CASE_STATUSES:
        raise PandzichtError("onbekende status")
    case.status = status
    _touch(session, user, case, f"status {status}")


def share(session: Session, user: User, case: Case, organisatie: str) -> None:
    """Share with a partner organisation: its users then see this case (and only such cases)."""
    _require(user, Permission.ZAAK_BEHEREN)
    organisatie = organisatie.strip()[:120]
    if not organisatie:
        raise PandzichtError("kies een partnerorganisatie")
    if any(p.organisatie == organisatie for p in case.partners):
        return
    case.partners.append(CasePartner(organisatie=organisatie))
    _touch(session, user, case, f"gedeeld met {organisatie}")


def unshare(session: Session, user: User, case: Case, organisatie: str) -> None:
    _require(user, Permission.ZAAK_BEHEREN)
    case.partners[:] = [p for p in case.partners if p.organisatie != organisatie]
    _touch(session, user, case, f"niet meer gedeeld met {organisatie}")


def add_intervention(
    session: Session, user: User, case: Case, instrument: str, verantwoordelijke: str, toelichting: str = ""
) -> CaseIntervention:
    """Choose an instrument from the catalogue; its legal basis comes with it."""
    _require(user, Permission.ZAAK_BEHEREN)
    if instrument not in BY_CODE:
        raise PandzichtError("kies een instrument uit de catalogus")
    verantwoordelijke = (verantwoordelijke.strip() or BY_CODE[instrument].wie)[:120]
    item = CaseIntervention(instrument=instrument, verantwoordelijke=verantwoordelijke,
                            toelichting=toelichting.strip()[:2000])
    case.interventies.append(item)
    session.flush()
    _touch(session, user, case, f"interventie {instrument}")
    return item


def record_outcome(
    session: Session,
    user: User,
    case: Case,
    verblijfsobject_id: str,
    datum: date,
    instrument: str,
    bevinding: str,
    interventie_id: int | None = None,
    toelichting: str = "",
) -> Outcome:
    """Record what was found at a unit; `niets_gevonden` counts as much as a hit (it is a negative label)."""
    _require(user, Permission.UITKOMST_VASTLEGGEN)
    verblijfsobject_id = verblijfsobject_id.strip()
    if not _is_bag_id(verblijfsobject_id):
        raise PandzichtError("verblijfsobject-id moet 16 cijfers zijn")
    if instrument not in INSTRUMENTS:
        raise PandzichtError("onbekend instrument")
    if bevinding not in FINDINGS:
        raise PandzichtError("onbekende bevinding")
    if datum > date.today():
        raise PandzichtError("de datum ligt in de toekomst")
    if interventie_id is not None:
        if not any(i.id == interventie_id for i in case.interventies):
            raise PandzichtError("die interventie hoort niet bij deze zaak")
        for i in case.interventies:
            if i.id == interventie_id:
                i.status = "uitgevoerd"
    outcome = Outcome(verblijfsobject_id=verblijfsobject_id, datum=datum, instrument=instrument,
                      bevinding=bevinding, interventie_id=interventie_id, toelichting=toelichting.strip()[:2000],
                      vastgelegd_door=user.id)
    case.uitkomsten.append(outcome)
    session.flush()
    case.bijgewerkt_op = utcnow()
    audit.record(session, user, "uitkomst_vastgelegd", "adres", verblijfsobject_id, zaak_id=case.id,
                 doel=f"{instrument}: {bevinding}")
    return outcome


def reveal(session: Session, user: User, case: Case, entiteit_id: str) -> None:
    """Record that this user sees a person's full name inside this case, for the case's purpose."""
    _require(user, Permission.NAAM_ONTHULLEN)
    exists = session.scalar(select(Reveal).where(Reveal.zaak_id == case.id, Reveal.gebruiker_id == user.id,
                                                 Reveal.entiteit_id == entiteit_id))
    if exists is None:
        session.add(Reveal(zaak_id=case.id, gebruiker_id=user.id, entiteit_id=entiteit_id))
    audit.record(session, user, "naam_onthuld", "partij", entiteit_id, zaak_id=case.id, doel=case.doel)


def revealed_ids(session: Session, user: User, case: Case) -> set[str]:
    """The parties whose name this user revealed in this case."""
    return set(session.scalars(select(Reveal.entiteit_id).where(Reveal.zaak_id == case.id,
                                                                Reveal.gebruiker_id == user.id)))
