"""The public indicator catalogue: what each indicator measures, why, and its known innocent explanations.

Public on purpose (SyRI ruling): anyone can see which data and which indicators are used, and where the
loaded analysis could not learn from the data and used a documented default instead (counts only, no
personal data).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from pandzicht.indicators.catalogue import load_catalogue
from pandzicht.privacy.models import User
from pandzicht.web.auth import current_user
from pandzicht.web.context import ctx
from pandzicht.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/indicatoren")
def catalogue_page(request: Request, user: User | None = Depends(current_user)) -> Response:
    store = ctx(request).analysis
    return render(request, "indicatoren.html", user, indicators=load_catalogue(),
                  terugvallen=store.fallbacks() if store else None,
                  typologie_model=store.typology_model() if store else None,
                  training=store.score_training() if store else [])
