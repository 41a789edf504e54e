"""Wat is er veranderd: what the newest delivery changed since the previous one, for the analyst who worked
last month's list and needs the difference rather than a new list of thousands.

Homes new on the shortlist, risen, fallen, off it, and with new signals (`adres_wijziging`, changes.py);
parties that are new on the party list, merged or split (`entiteit_historie`, link/stable_ids.py). Person
names are pseudonymised as on every screen, and the read is audited like the other list views: one row
with the number of homes and parties shown.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission
from pandzicht.web.analysis import AnalysisStore
from pandzicht.web.auth import db, require
from pandzicht.web.names import namer
from pandzicht.web.pages import render
from pandzicht.web.routes.common import analysis

router = APIRouter(include_in_schema=False)
NEW_PARTIES = 25
GROUPS = (("nieuw_op_lijst", "Nieuw op de lijst"), ("gestegen", "Duidelijk gestegen"),
          ("gedaald", "Duidelijk gedaald"), ("van_lijst", "Van de lijst af"),
          ("nieuwe_signalen", "Nieuwe signalen"))


def _previous_delivery(store: AnalysisStore, peildatum: Any) -> Any:
    if not store.has("adres_score_historie") or peildatum is None:
        return None
    row = store.one("SELECT max(levering) AS v FROM adres_score_historie WHERE levering < ?", [peildatum])
    return row["v"] if row else None


def _new_ranked_parties(store: AnalysisStore, ids: list[str]) -> list[dict[str, Any]]:
    """The new parties that are on the party list, best ranked first."""
    if not ids or not store.has("partij_score"):
        return []
    return store.rows("SELECT entiteit_id, rang, score, rol FROM partij_score WHERE entiteit_id IN (SELECT unnest(?)) "
                      "ORDER BY rang LIMIT ?", [ids, NEW_PARTIES])


@router.get("/veranderd")
def what_changed(request: Request, user: User = Depends(require(Permission.ANALYSE)),
                 session: Session = Depends(db)) -> Response:
    store = analysis(request)
    meta = store.meta()
    homes = store.shortlist_changes()
    groups = {code: [h for h in homes if code in h["redenen"]] for code, _ in GROUPS}
    history = store.entity_changes()
    merged: dict[str, list[str]] = defaultdict(list)
    split: dict[str, list[str]] = defaultdict(list)
    new_ids: list[str] = []
    gone = 0
    for h in history:
        if h["soort"] == "samengevoegd" and h["oud_id"] != h["nieuw_id"]:
            merged[h["nieuw_id"]].append(h["oud_id"])
        elif h["soort"] == "gesplitst" and h["oud_id"] != h["nieuw_id"]:
            split[h["oud_id"]].append(h["nieuw_id"])
        elif h["soort"] == "nieuw":
            new_ids.append(h["nieuw_id"])
        elif h["soort"] == "verdwenen":
            gone += 1
    new_parties = _new_ranked_parties(store, new_ids)
    shown = {*merged, *(i for ids in merged.values() for i in ids), *split,
             *(i for ids in split.values() for i in ids), *(p["entiteit_id"] for p in new_parties)}
    audit.record(session, user, "wijzigingen_bekeken", "wijzigingen", "web",
                 doel=f"adressen={len(homes)};partijen={len(shown)}", aantal=len(homes) + len(shown))
    session.commit()
    name_for = namer(request)
    refs = store.party_refs(sorted(shown))

    def label(entiteit_id: str) -> dict[str, Any]:
        ref = refs.get(entiteit_id)
        return {"id": entiteit_id, "weergave": name_for(ref) if ref else None, "bestaat": ref is not None}

    for p in new_parties:
        p.update(label(p["entiteit_id"]))
    return render(
        request, "veranderd.html", user, meta=meta, vorige=_previous_delivery(store, meta["peildatum"]),
        groups=[(code, title, groups[code]) for code, title in GROUPS], heeft_historie=store.has("adres_wijziging"),
        samengevoegd=[(label(k), [label(o) for o in v]) for k, v in sorted(merged.items())],
        gesplitst=[(label(k), [label(n) for n in v]) for k, v in sorted(split.items())],
        nieuwe_partijen=new_parties, aantal_nieuw=len(new_ids), aantal_verdwenen=gone,
    )
