"""Case work: open a case with a purpose, triage, share with partners, choose interventions, record outcomes.

Every function checks what the acting user may do and writes the audit entry in
the same transaction as the change. A partner never learns that a case not
shared with their organisation exists: it is simply "not found".
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pandzicht.cases.catalogue import (
    BY_CODE,
    CASE_PURPOSES,
    CASE_STATUSES,
    REFERENCE_PATTERN,
    SUBJECT_KINDS,
    TRAFFIC_LIGHTS,
)
from pandzicht.cases.db import utcnow
from pandzicht.cases.models import (
    Case,
    CaseIntervention,
    CaseNote,
    CasePartner,
    CaseUnit,
    Organisation,
    Outcome,
    Reveal,
)
from pandzicht.contract.sources import FINDINGS, INSTRUMENTS
from pandzicht.errors import PandzichtError
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission, Role, can

_REFERENCE = re.compile(REFERENCE_PATTERN)
INTERVENTION_STATUSES = ("gepland", "lopend", "afgerond", "ingetrokken")
CASE_SORTS = ("geopend", "termijn", "status", "score")
MAX_SELECTION = 50  # addresses in one case opened from a selection on the overview


class NotAllowed(PandzichtError):
    """The user's role does not allow this action."""


class NotFound(PandzichtError):
    """No such case, or not one this user may see."""


def _require(user: User, permission: Permission) -> None:
    if not can(user.rol, permission):
        raise NotAllowed("u heeft geen recht op deze handeling")


def _is_bag_id(value: str) -> bool:
    return len(value) == 16 and value.isdigit()


def check_purpose(doel_code: str, kenmerk: str) -> tuple[str, str]:
    """The purpose code from the managed list and a well-formed reference number, or a Dutch error.

    A purpose is never free text: free text invites names, and the purpose bounds what may be revealed."""
    doel_code = doel_code.strip()
    if doel_code not in CASE_PURPOSES:
        raise PandzichtError("kies het doel van de zaak uit de lijst (doelbinding)")
    kenmerk = kenmerk.strip().upper()
    if not _REFERENCE.match(kenmerk):
        raise PandzichtError("geef het kenmerk van de opdracht, bijvoorbeeld RIEC-2024-0012 (doelbinding)")
    return doel_code, kenmerk


def open_case(session: Session, user: User, soort: str, onderwerp_id: str, titel: str, doel_code: str,
              kenmerk: str) -> Case:
    """A new case; the purpose (doelbinding, from the list, with the mandate's reference) is required because it
    bounds what may be looked at and revealed."""
    _require(user, Permission.ZAAK_OPENEN)
    if soort not in SUBJECT_KINDS:
        raise PandzichtError("onbekend onderwerp")
    onderwerp_id = onderwerp_id.strip()
    if not onderwerp_id or len(onderwerp_id) > 120:
        raise PandzichtError("onderwerp ontbreekt")
    doel_code, kenmerk = check_purpose(doel_code, kenmerk)
    titel = (titel.strip() or f"{soort} {onderwerp_id}")[:200]
    case = Case(onderwerp_soort=soort, onderwerp_id=onderwerp_id, titel=titel, doel=CASE_PURPOSES[doel_code],
                doel_code=doel_code, doel_kenmerk=kenmerk, status="open", aangemaakt_door=user.id)
    session.add(case)
    session.flush()
    audit.record(session, user, "zaak_geopend", soort, onderwerp_id, zaak_id=case.id, doel=doel_code)
    return case


def has_purpose(case: Case) -> bool:
    """A purpose from the managed list with a well-formed reference: what a reveal requires."""
    return case.doel_code in CASE_PURPOSES and bool(_REFERENCE.match(case.doel_kenmerk or ""))


def set_purpose(session: Session, user: User, case: Case, doel_code: str, kenmerk: str) -> None:
    """Give a case from before migration 0002b (no purpose code) its purpose, once.

    A purpose that is already set stays: changing it later would let a reveal be justified after the fact."""
    _require(user, Permission.ZAAK_BEHEREN)
    if has_purpose(case):
        raise PandzichtError("het doel van deze zaak ligt al vast (doelbinding)")
    doel_code, kenmerk = check_purpose(doel_code, kenmerk)
    case.doel, case.doel_code, case.doel_kenmerk = CASE_PURPOSES[doel_code], doel_code, kenmerk
    case.bijgewerkt_op = utcnow()
    audit.record(session, user, "zaak_doel_vastgelegd", "zaak", str(case.id), zaak_id=case.id, doel=doel_code)


def _visible(query, user: User):  # type: ignore[no-untyped-def]
    if can(user.rol, Permission.ALLE_ZAKEN):
        return query
    if user.rol == Role.PARTNER and user.organisatie:
        return query.where(Case.partners.any(CasePartner.organisatie == user.organisatie))
    return query.where(Case.id.is_(None))


def visible_cases(session: Session, user: User, status: str = "", toegewezen: int | None = None,
                  verlopen: bool = False, doel_code: str = "", sort: str = "geopend") -> list[Case]:
    """The cases this user may see, filtered; newest first, or by deadline (none last) or status.

    Sorting by score needs the analysis store, so the route does that on this list."""
    q = _visible(select(Case), user)
    if status:
        q = q.where(Case.status == status)
    if toegewezen is not None:
        q = q.where(Case.toegewezen_aan == toegewezen)
    if verlopen:
        q = q.where(Case.termijn < date.today(), Case.status != "gesloten")
    if doel_code:
        q = q.where(Case.doel_code == doel_code)
    q = q.options(selectinload(Case.partners), selectinload(Case.interventies), selectinload(Case.uitkomsten))
    if sort == "termijn":
        q = q.order_by(Case.termijn.is_(None), Case.termijn, Case.id.desc())
    elif sort == "status":
        q = q.order_by(Case.status, Case.id.desc())
    else:
        q = q.order_by(Case.id.desc())
    return list(session.scalars(q))


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


def share(session: Session, user: User, case: Case, organisatie_id: int) -> None:
    """Share with a managed partner organisation: its users then see this case (and only such cases)."""
    _require(user, Permission.ZAAK_BEHEREN)
    org = session.get(Organisation, organisatie_id)
    if org is None or not org.actief:
        raise PandzichtError("kies een partnerorganisatie uit de lijst")
    if any(p.organisatie == org.naam for p in case.partners):
        return
    case.partners.append(CasePartner(organisatie=org.naam))
    _touch(session, user, case, f"gedeeld met organisatie {org.id}")


def unshare(session: Session, user: User, case: Case, organisatie_id: int) -> None:
    _require(user, Permission.ZAAK_BEHEREN)
    org = session.get(Organisation, organisatie_id)
    if org is None:
        raise PandzichtError("onbekende organisatie")
    case.partners[:] = [p for p in case.partners if p.organisatie != org.naam]
    _touch(session, user, case, f"niet meer gedeeld met organisatie {org.id}")


def open_case_for_units(session: Session, user: User, vbos: list[str], titel: str, doel_code: str,
                        kenmerk: str) -> Case:
    """One case for a selection of addresses: the first is its subject, the others are kept in zaak_adres.

    One audit row per address, so the log shows every unit the case reaches."""
    vbos = list(dict.fromkeys(v.strip() for v in vbos if _is_bag_id(v.strip())))
    if not vbos:
        raise PandzichtError("kies ten minste één adres")
    if len(vbos) > MAX_SELECTION:
        raise PandzichtError(f"kies ten hoogste {MAX_SELECTION} adressen voor één zaak")
    titel = titel.strip() or (f"{len(vbos)} adressen" if len(vbos) > 1 else "")
    case = open_case(session, user, "adres", vbos[0], titel, doel_code, kenmerk)
    for v in vbos[1:]:
        case.adressen.append(CaseUnit(verblijfsobject_id=v))
        audit.record(session, user, "zaak_geopend", "adres", v, zaak_id=case.id, doel=case.doel_code)
    session.flush()
    return case


def set_intervention_status(session: Session, user: User, case: Case, interventie_id: int, status: str) -> None:
    """Gepland → lopend → afgerond, or ingetrokken; every change is audited with the new status."""
    _require(user, Permission.ZAAK_BEHEREN)
    if status not in INTERVENTION_STATUSES:
        raise PandzichtError("kies gepland, lopend, afgerond of ingetrokken")
    item = next((i for i in case.interventies if i.id == interventie_id), None)
    if item is None:
        raise PandzichtError("die interventie hoort niet bij deze zaak")
    if item.status == status:
        return
    item.status, item.status_op = status, utcnow()
    _touch(session, user, case, f"interventie {item.id} status {status}")


def add_note(session: Session, user: User, case: Case, tekst: str) -> CaseNote:
    """A working note. Its text stays in the case: the audit row names the note's id, never its words."""
    _require(user, Permission.ZAAK_BEHEREN)
    tekst = tekst.strip()
    if not tekst:
        raise PandzichtError("de notitie is leeg")
    if len(tekst) > 4000:
        raise PandzichtError("een notitie is ten hoogste 4000 tekens")
    note = CaseNote(tekst=tekst, door=user.id)
    case.notities.append(note)
    session.flush()
    _touch(session, user, case, f"notitie {note.id}")
    return note


def assignable_users(session: Session, user: User) -> list[User]:
    """Active users of the acting user's own organisation: a case is assigned within one organisation."""
    return list(session.scalars(select(User).where(User.organisatie == user.organisatie, User.actief.is_(True))
                                .order_by(User.naam)))


def assign(session: Session, user: User, case: Case, gebruiker_id: int | None) -> None:
    """Give the case to a colleague of the same organisation (or to nobody); audited by user id."""
    _require(user, Permission.ZAAK_BEHEREN)
    if gebruiker_id is not None and gebruiker_id not in {u.id for u in assignable_users(session, user)}:
        raise PandzichtError("kies een actieve gebruiker van uw eigen organisatie")
    case.toegewezen_aan = gebruiker_id
    _touch(session, user, case, f"toegewezen aan gebruiker {gebruiker_id}" if gebruiker_id else "toewijzing vervallen")


def set_deadline(session: Session, user: User, case: Case, termijn: date | None) -> None:
    _require(user, Permission.ZAAK_BEHEREN)
    case.termijn = termijn
    _touch(session, user, case, f"termijn {termijn.isoformat()}" if termijn else "termijn vervallen")


@dataclass(frozen=True)
class Moment:
    """One line of a case's timeline."""

    op: datetime
    soort: str  # geopend, gedeeld, interventie, uitkomst, notitie
    tekst: str
    door: int | None = None


def timeline(case: Case) -> list[Moment]:
    """What happened in the case, oldest first: opened, shared, interventions (and status changes), outcomes,
    notes. Labels are filled in by the page; here only codes and ids."""
    out = [Moment(case.aangemaakt_op, "geopend", "", case.aangemaakt_door)]
    out += [Moment(p.gedeeld_op, "gedeeld", p.organisatie) for p in case.partners if p.gedeeld_op]
    for i in case.interventies:
        out.append(Moment(i.aangemaakt_op, "interventie", i.instrument))
        if i.status_op:
            out.append(Moment(i.status_op, "interventie_status", f"{i.instrument}:{i.status}"))
    out += [Moment(o.vastgelegd_op, "uitkomst", o.bevinding, o.vastgelegd_door) for o in case.uitkomsten]
    out += [Moment(n.op, "notitie", n.tekst, n.door) for n in case.notities]
    return sorted(out, key=lambda m: m.op)


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
    case_units: Collection[str] = (),
) -> Outcome:
    """Record what was found at one of the case's units (`case_units`); `niets_gevonden` counts as much as a hit
    (it is a negative label). A case director's outcome is confirmed at once; a partner's waits for one."""
    _require(user, Permission.UITKOMST_VASTLEGGEN)
    verblijfsobject_id = verblijfsobject_id.strip()
    if not _is_bag_id(verblijfsobject_id):
        raise PandzichtError("verblijfsobject-id moet 16 cijfers zijn")
    if verblijfsobject_id not in case_units:
        raise PandzichtError("dit adres hoort niet bij het onderwerp van deze zaak")
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
    if can(user.rol, Permission.UITKOMST_BEVESTIGEN):
        outcome.bevestigd_door, outcome.bevestigd_op = user.id, utcnow()
    case.uitkomsten.append(outcome)
    session.flush()
    case.bijgewerkt_op = utcnow()
    audit.record(session, user, "uitkomst_vastgelegd", "adres", verblijfsobject_id, zaak_id=case.id,
                 doel=f"{instrument}: {bevinding}")
    return outcome


def confirm_outcome(session: Session, user: User, case: Case, outcome_id: int) -> Outcome:
    """A case director confirms a partner's outcome: only then does it count as a training label."""
    _require(user, Permission.UITKOMST_BEVESTIGEN)
    outcome = next((o for o in case.uitkomsten if o.id == outcome_id), None)
    if outcome is None:
        raise PandzichtError("die uitkomst hoort niet bij deze zaak")
    if outcome.bevestigd_door is None:
        outcome.bevestigd_door, outcome.bevestigd_op = user.id, utcnow()
        case.bijgewerkt_op = utcnow()
        audit.record(session, user, "uitkomst_bevestigd", "uitkomst", str(outcome.id), zaak_id=case.id)
    return outcome


def reveal(session: Session, user: User, case: Case, entiteit_id: str) -> None:
    """Record that this user sees a person's full name inside this case, for the case's purpose.

    Only roles with NAAM_ONTHULLEN (the case director), and only in a case whose purpose comes from the list
    with a reference number (cases from before that rule must be given one first)."""
    _require(user, Permission.NAAM_ONTHULLEN)
    if not has_purpose(case):
        raise NotAllowed("deze zaak heeft geen doel uit de lijst met kenmerk; onthullen kan niet")
    exists = session.scalar(select(Reveal).where(Reveal.zaak_id == case.id, Reveal.gebruiker_id == user.id,
                                                 Reveal.entiteit_id == entiteit_id))
    if exists is None:
        session.add(Reveal(zaak_id=case.id, gebruiker_id=user.id, entiteit_id=entiteit_id))
    audit.record(session, user, "naam_onthuld", "partij", entiteit_id, zaak_id=case.id, doel=case.doel_code)


def revealed_ids(session: Session, user: User, case: Case) -> set[str]:
    """The parties whose name this user revealed in this case."""
    return set(session.scalars(select(Reveal.entiteit_id).where(Reveal.zaak_id == case.id,
                                                                Reveal.gebruiker_id == user.id)))
