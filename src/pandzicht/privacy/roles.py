"""Roles and what each may do (need to know).

An analyst looks at shortlists and dossiers; a case director runs cases and may
reveal names inside a case; a partner sees only the cases shared with their
organisation; the privacy officer reads the audit log; the administrator
manages accounts. Permissions are checked on the server for every request.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ANALIST = "analist"
    CASUSREGISSEUR = "casusregisseur"
    PARTNER = "partner"
    PRIVACY_OFFICER = "privacy-officer"
    BEHEERDER = "beheerder"


ROLE_LABELS = {
    Role.ANALIST: "analist",
    Role.CASUSREGISSEUR: "casusregisseur",
    Role.PARTNER: "partner",
    Role.PRIVACY_OFFICER: "privacy officer",
    Role.BEHEERDER: "beheerder",
}


class Permission(StrEnum):
    ANALYSE = "analyse"  # overview, dossiers, network, shortlist export
    ZAAK_OPENEN = "zaak_openen"
    ZAAK_BEHEREN = "zaak_beheren"  # triage, partners, interventions
    UITKOMST_VASTLEGGEN = "uitkomst_vastleggen"
    UITKOMST_BEVESTIGEN = "uitkomst_bevestigen"  # a partner's outcome becomes a label only when confirmed
    NAAM_ONTHULLEN = "naam_onthullen"
    ZAAK_EXPORT = "zaak_export"
    ALLE_ZAKEN = "alle_zaken"  # see every case, not only shared ones
    AUDIT_LEZEN = "audit_lezen"
    GEBRUIKERS_BEHEREN = "gebruikers_beheren"  # accounts and partner organisations


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Only the case director reveals names (docs/web.md, module docstring); an analyst works with pseudonyms.
    Role.ANALIST: frozenset({Permission.ANALYSE, Permission.ZAAK_OPENEN, Permission.ALLE_ZAKEN}),
    Role.CASUSREGISSEUR: frozenset({Permission.ANALYSE, Permission.ZAAK_OPENEN, Permission.ZAAK_BEHEREN,
                                    Permission.UITKOMST_VASTLEGGEN, Permission.UITKOMST_BEVESTIGEN,
                                    Permission.NAAM_ONTHULLEN,
                                    Permission.ZAAK_EXPORT, Permission.ALLE_ZAKEN}),
    Role.PARTNER: frozenset({Permission.UITKOMST_VASTLEGGEN}),
    Role.PRIVACY_OFFICER: frozenset({Permission.AUDIT_LEZEN}),
    Role.BEHEERDER: frozenset({Permission.GEBRUIKERS_BEHEREN}),
}


def parse_role(value: str) -> Role:
    """The role for a name as typed on the command line; ValueError names the valid ones."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ValueError(f"onbekende rol '{value}'; kies uit: {', '.join(r.value for r in Role)}") from None


def can(role: str, permission: Permission) -> bool:
    try:
        return permission in PERMISSIONS[Role(role)]
    except ValueError:
        return False
