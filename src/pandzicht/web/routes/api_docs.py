"""`GET /api/docs`: the interactive API description (Swagger UI), served from the package and working offline.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script, which the app's
CSP (`script-src 'self'`) blocks, so it stays switched off. This page uses the copy vendored from npm under
/static/vendor/swagger-ui-dist/ (pinned and checksummed in vendor-lock.json) and a static init script,
/static/api-docs.js, that points it at /api/openapi.json. Only logged-in users who may analyse see it; an
anonymous visitor is sent to the login page.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission, can
from pandzicht.web.auth import LoginRequired, current_user
from pandzicht.web.pages import render

router = APIRouter()
SWAGGER = "/static/vendor/swagger-ui-dist"


def docs_reader(user: User | None = Depends(current_user)) -> User:
    """An analyst or case director; anonymous visitors go to the login page (this is a page, not JSON)."""
    if user is None:
        raise LoginRequired()
    if not can(user.rol, Permission.ANALYSE):
        raise HTTPException(403, "u heeft geen toegang tot deze pagina")
    return user


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request, user: User = Depends(docs_reader)) -> Response:
    return render(request, "api_docs.html", user, swagger=SWAGGER, spec_url=request.app.openapi_url)
