"""The pandzicht web app: FastAPI with server-rendered Dutch pages, a JSON API and its own assets.

`create_app(settings)` opens the analysis store read-only, migrates the
operational database, and wires sessions, CSRF, security headers, error pages
(never a stack trace) and the routes of each screen.

Security wiring: only the configured host names are answered (a foreign Host
header gets a 400, never a redirect to it); every response except the static
assets carries `Cache-Control: no-store`; HSTS when served over TLS; integer ids
in a path beyond what the database holds are 404 for every route; an unhandled
error is logged as its type and route template only, never a traceback or the
message. FastAPI's own API docs are switched off (they load scripts from a CDN
and start them inline); /api/docs is served by routes/api_docs.py from the
vendored Swagger UI instead, for analysts; the OpenAPI description stays at
/api/openapi.json.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
HSTS = "max-age=31536000"
CRASH_DETAIL = "er ging iets mis; de beheerder kan dit in het log terugvinden"


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
    )
    app = FastAPI(title="pandzicht", version="0.1.0", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", dependencies=[Depends(ids_in_range)],
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
        if not request.url.path.startswith("/static/"):
            # Pages, exports and API answers may all hold personal data (or a form token): never cached.
            response.headers["Cache-Control"] = "no-store"
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", HSTS)
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
    async def _crash(request: Request, exc: Exception) -> Response:  # only reached if CrashGuard itself fails
        log.error("internal error %s on %s %s", type(exc).__name__, request.method, _route_of(request.scope))
        return _error_response(request, 500, CRASH_DETAIL)

    from pandzicht.web.routes import (
        api,
        api_docs,
        audit_log,
        beheer,
        dossier_adres,
        dossier_partij,
        export,
        indicatoren,
        kaart,
        login,
        meldpunt,
        overzicht,
        rapport,
        veranderd,
        zaken,
        zoek,
    )

    for module in (login, overzicht, dossier_adres, dossier_partij, meldpunt, zaken, rapport, audit_log, export,
                   indicatoren, beheer, zoek, api, api_docs, kaart, veranderd):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(package_dir("static"))), name="static")
    # Middleware added later runs outside: the host check first, then sessions and headers, then the crash guard.
    app.add_middleware(CrashGuard)
    app.user_middleware.append(app.user_middleware.pop(0))  # the guard innermost, inside session_and_headers
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.host_names), www_redirect=False)
    return app


def ids_in_range(request: Request) -> None:
    """For every route: an integer path id beyond 64 bits names nothing in the database, so it is 404."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    for param in getattr(dependant, "path_params", ()):
        if param.field_info.annotation is not int:
            continue
        raw = str(request.path_params.get(param.name, "")).strip()
        digits = raw[1:] if raw[:1] in "+-" else raw
        if digits.isdigit() and not INT64_MIN <= int(raw) <= INT64_MAX:
            raise HTTPException(404, "niet gevonden")


def _route_of(scope: Scope) -> str:
    return getattr(scope.get("route"), "path", "?")


class CrashGuard:
    """Turns an unhandled error into the 500 page and one log line: exception type and route template.

    Starlette's own last-resort handler re-raises after answering, so the server would log the whole
    traceback with the message (which may quote personal data); this middleware stops the error here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            log.error("internal error %s on %s %s", type(exc).__name__, scope.get("method", "?"), _route_of(scope))
            if not started:
                await _error_response(Request(scope), 500, CRASH_DETAIL)(scope, receive, send)


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
