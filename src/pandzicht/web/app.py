"""The pandzicht web app: FastAPI with server-rendered Dutch pages, a JSON API and its own assets.

`create_app(settings)` opens the analysis store read-only, migrates the
operational database, and wires sessions, CSRF, security headers, error pages
(never a stack trace) and the routes of each screen.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from pandzicht.cases.db import make_engine, migrate, session_factory
from pandzicht.web import formatting
from pandzicht.web.analysis import AnalysisStore
from pandzicht.web.auth import LoginRequired
from pandzicht.web.config import Settings
from pandzicht.web.context import WebContext
from pandzicht.web.ratelimit import RateLimiter
from pandzicht.web.sessions import COOKIE, SessionCodec, new_session

log = logging.getLogger(__name__)

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
ERROR_TITLES = {400: "Ongeldig verzoek", 401: "Niet ingelogd", 403: "Geen toegang", 404: "Niet gevonden",
                405: "Niet toegestaan", 411: "Lengte ontbreekt", 413: "Te groot", 422: "Ongeldige invoer",
                429: "Te veel verzoeken", 500: "Interne fout", 503: "Niet beschikbaar"}


def package_dir(name: str) -> Path:
    return Path(str(resources.files("pandzicht.web") / name))


def create_app(settings: Settings) -> FastAPI:
    """The app for these settings; the operational database is migrated to the newest schema first."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    analysis = AnalysisStore(settings.analysis) if settings.analysis else None
    templates = Jinja2Templates(directory=str(package_dir("templates")))
    formatting.install(templates.env)
    context = WebContext(
        settings=settings, analysis=analysis, engine=engine, sessions=session_factory(engine), templates=templates,
        codec=SessionCodec(settings.secret, settings.session_hours * 3600),
        melding_limiter=RateLimiter(settings.melding_limit, settings.melding_window_s),
        login_limiter=RateLimiter(settings.login_limit, settings.login_window_s),
    )
    app = FastAPI(title="pandzicht", version="0.1.0", docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Inzicht in crimineel verhuurde woningen: uitgelegde scores, dossiers, netwerk, "
                              "meldingen en casustafel. Alle endpoints onder /api vereisen een ingelogde sessie.")
    app.state.ctx = context

    @app.middleware("http")
    async def session_and_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        if request.method in ("POST", "PUT", "PATCH"):
            length = request.headers.get("content-length")
            if length is None:
                return _error_response(request, 411, "geef de lengte van het verzoek op")
            if not length.isdigit() or int(length) > settings.max_body:
                return _error_response(request, 413, "verzoek is te groot")
        raw = request.cookies.get(COOKIE)
        sess = context.codec.loads(raw)
        request.state.session = sess if sess is not None else new_session(None)
        request.state.session_new = sess is None  # issued only when a page needs it (form token, login)
        request.state.session_dirty = sess is None and raw is not None  # drop a bad or expired cookie
        response: Response = await call_next(request)
        if request.state.session_dirty:
            response.set_cookie(COOKIE, context.codec.dumps(request.state.session), httponly=True,
                                secure=settings.cookie_secure, samesite="lax", path="/",
                                max_age=int(settings.session_hours * 3600))
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.url.path.startswith(("/adres", "/partij", "/zaken", "/api", "/audit", "/rapport")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        nxt = request.url.path
        return RedirectResponse(f"/inloggen?volgende={nxt}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return _error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors()})
            return JSONResponse({"detail": "ongeldige invoer", "velden": fields}, status_code=422)
        return _error_response(request, 422, "het formulier is niet volledig of ongeldig ingevuld")

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        # Only the kind of failure and the route template: the message may quote personal data.
        route = getattr(request.scope.get("route"), "path", "?")
        log.error("internal error %s on %s %s", type(exc).__name__, request.method, route)
        return _error_response(request, 500, "er ging iets mis; de beheerder kan dit in het log terugvinden")

    from pandzicht.web.routes import (
        api,
        audit_log,
        beheer,
        dossier_adres,
        dossier_partij,
        export,
        indicatoren,
        login,
        meldpunt,
        overzicht,
        rapport,
        zaken,
        zoek,
    )

    for module in (login, overzicht, dossier_adres, dossier_partij, meldpunt, zaken, rapport, audit_log, export,
                   indicatoren, beheer, zoek, api):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(package_dir("static"))), name="static")
    return app


def _error_response(request: Request, status: int, detail: str) -> Response:
    if request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"detail": detail}, status_code=status)
    title = ERROR_TITLES.get(status, "Fout")
    templates: Jinja2Templates = request.app.state.ctx.templates
    try:
        return templates.TemplateResponse(request, "fout.html", {"request": request, "titel": title,
                                                                 "detail": detail, "status": status, "nav": [],
                                                                 "user": None}, status_code=status)
    except Exception:  # the error page itself must never fail
        return HTMLResponse(f"<h1>{status} {title}</h1>", status_code=status)


__all__ = ["HTTPException", "create_app"]
