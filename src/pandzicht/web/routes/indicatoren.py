"""The public indicator catalogue: what each indicator measures, why, and its known innocent explanations.

Public on purpose (SyRI ruling): anyone can see which data and which indicators are used.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from pandzicht.indicators.catalogue import load_catalogue
from pandzicht.privacy.models import User
from pandzicht.web.auth import current_user
from pandzicht.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/indicatoren")
def catalogue_page(request: Request, user: User | None = Depends(current_user)) -> Response:
    return render(request, "indicatoren.html", user, indicators=load_catalogue())
