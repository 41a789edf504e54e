"""How a party's name is shown: companies by name (public registers), persons pseudonymised unless revealed.

A reveal only exists inside a case (see cases.casework.reveal), so outside a
case every person is a pseudonym.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from fastapi import Request

from pandzicht.privacy.pseudonym import pseudonym
from pandzicht.web.analysis import PartyRef
from pandzicht.web.context import ctx


def namer(request: Request, revealed: Iterable[str] = ()) -> Callable[[PartyRef], str]:
    secret = ctx(request).settings.secret
    shown = set(revealed)

    def name_for(ref: PartyRef) -> str:
        if ref.soort == "bedrijf" or ref.entiteit_id in shown:
            return ref.naam
        return pseudonym(secret, ref.entiteit_id or ref.naam, ref.naam)

    return name_for
