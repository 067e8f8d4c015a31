"""The request cycle of a page, for every section of the web: session cookie, login, CSRF,
security headers, error pages.

A section (the citizens' pages today, staff pages next) is a ``Section``: its deps, its templates,
how it resolves whom a logged-in person acts for, and its page for a session that ended mid-form.
A view is a function ``view(ctx, **path_params)`` returning a ``Page``, a ``Redirect`` or ``Json``;
the Chalice routes call ``serve(section, request, view, ...)``. Use cases are called with what the
session resolves once (``ctx.require_user``: who is logged in and whom they act for), as the API
resolves it from a token; this module knows no section and imports none.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from chalice import Response

from ...auth.policy import authorize
from ...auth.principal import Principal
from ...domain.errors import DomainError, Forbidden, NotFound, Unauthenticated
from ...domain.personnummer import Personnummer
from ...observability import audit_line, get_logger
from .config import WebConfig, web_config
from .sessions import WebSession, start


@dataclass
class Page:
    template: str
    context: dict[str, Any]
    status: int = 200
    personal: bool = True  # personal data on it: never cached


@dataclass
class Redirect:
    location: str
    status: int = 303


@dataclass
class Json:
    """For the page's own script (an upload ticket); never a page."""

    body: dict[str, Any]
    status: int = 200


@dataclass
class Download:
    """A file made for this answer (an export as CSV, a PDF): sent as an attachment with the
    session's security headers, never cached."""

    filename: str
    content_type: str
    body: bytes | str


@dataclass(frozen=True)
class Section:
    """One part of the web with views of its own (``services/entrypoints/web/<section>/``)."""

    service: str  # its logs' name
    deps: Callable[[], Any]  # the composition root's deps (with ``sessions`` and ``clock``)
    templates: Path  # its own pages; the toolkit's layout and components come after them
    # Whom a logged-in person acts for (``deps``, principal, chosen party or None), resolved once
    # per request; the section's use cases take what it returns.
    acting: Callable[[Any, Principal, Personnummer | None], Any]
    # The page for a session that ended while the person was on a page (context, ended, return path).
    session_ended: Callable[..., Any]
    # Its name (kept on each of its sessions: a session is read only by the section that began it)
    # and its settings: base path, cookie name, login.
    name: str = "citizen"
    config: Callable[[], WebConfig] = web_config


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class SessionEnded(Exception):
    def __init__(self, session: WebSession, next_path: str) -> None:
        self.session, self.next_path = session, next_path


class BadCsrf(Exception):
    pass


def parse_cookies(header: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name and name not in out:
            out[name] = value
    return out


@dataclass
class Form:
    """A posted form: ordered pairs, several values per name allowed."""

    pairs: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        return next((v for k, v in self.pairs if k == name), default)

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]

    def __contains__(self, name: str) -> bool:
        return any(k == name for k, _ in self.pairs)


def upload_origin() -> str:
    """Where the page's script sends message attachments: the documents bucket's S3 endpoint."""
    import os

    configured = os.environ.get("WEB_UPLOAD_ORIGIN") or os.environ.get("AWS_ENDPOINT_URL")
    if configured:
        parts = urllib.parse.urlsplit(configured)
        return f"{parts.scheme}://{parts.netloc}"
    return "https://*.amazonaws.com"


def csp(config: WebConfig) -> str:
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {upload_origin()}; form-action 'self' {upload_origin()}; "
            "frame-ancestors 'none'; base-uri 'none'")


def security_headers(config: WebConfig, personal: bool) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": csp(config),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cache-Control": "no-store" if personal else "no-cache",
    }
    if config.secure_cookies:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


class Context:
    """One request: who (from the session), what was posted, and how to answer."""

    def __init__(self, request: Any, deps: Any, config: WebConfig, section: Section) -> None:
        self.deps, self.config, self.section = deps, config, section
        self.method = request.method
        self.path = request.context.get("resourcePath", "") if request.context else ""
        self.raw_path = self.path  # the route with its parameters filled in by serve()
        self.query: dict[str, str] = dict(request.query_params or {})
        self.headers = {k.lower(): v for k, v in dict(request.headers or {}).items()}
        body = request.raw_body or b""
        self.raw_body = body  # a page's own script posts JSON (the staff app's events)
        self.form = Form(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
                         if self.method == "POST" else [])
        self.cookie_id = parse_cookies(self.headers.get("cookie")).get(config.cookie_name)
        self.sessions = deps.sessions
        self.session: WebSession | None = None
        self.ended_session: WebSession | None = None
        self.set_cookie: str | None = None
        self.now = deps.clock()

    # -- the session ------------------------------------------------------------------
    def load_session(self) -> None:
        found = self.sessions.get(self.cookie_id)
        if found is None or found.section != self.section.name:
            return
        if found.ended(self.now):
            self.ended_session = found
            return
        if found.kind == "user" and found.refresh_token and found.renew_at and self.now >= found.renew_at:
            if not self._renew(found):  # a logout at the identity service, or an ended account
                self.sessions.delete(found.session_id)
                self.set_cookie = ""
                return
        self.session = found
        if found.kind == "user":  # each request moves the idle end
            found.idle_expires_at = self.now + timedelta(seconds=self.config.idle_seconds)
            self.save_session()

    def confirm_login(self) -> bool:
        """Asks the identity service now, not at the next renewal, whether the login still stands: for
        what must stop the moment an account ends (the staff app's events from a lost phone). False:
        the login is gone and so is the session."""
        found = self.session
        if found is None or found.kind != "user" or not found.refresh_token:
            return found is not None
        if self._renew(found):
            self.save_session()
            return True
        self.sessions.delete(found.session_id)
        self.session, self.set_cookie = None, ""
        return False

    def _renew(self, session: WebSession) -> bool:
        from .oidc import renew

        endpoint = getattr(self.deps, "token_endpoint", None)
        return renew(self.config, session, self.now, **({"token_endpoint": endpoint} if endpoint else {}))

    def save_session(self) -> None:
        assert self.session is not None
        self.sessions.put(self.session)

    def begin(self, kind: str, **fields: Any) -> WebSession:
        """A new session (a new id: never reuse one across a login)."""
        if self.session is not None:
            self.sessions.delete(self.session.session_id)
        self.session = start(kind, self.now, self.config.idle_seconds,  # type: ignore[arg-type]
                             self.config.absolute_seconds, section=self.section.name, **fields)
        self.save_session()
        self.set_cookie = self.session.session_id
        return self.session

    def end(self) -> None:
        if self.session is not None:
            self.sessions.delete(self.session.session_id)
        self.session = None
        self.set_cookie = ""

    @property
    def user(self) -> WebSession | None:
        return self.session if self.session is not None and self.session.kind == "user" else None

    def require_principal(self, action: str | None = None) -> Principal:
        """The logged-in person, allowed ``action``; LoginRequired (or SessionEnded) otherwise."""
        if self.user is None:
            if self.ended_session is not None and self.ended_session.kind == "user":
                raise SessionEnded(self.ended_session, self.return_path())
            raise LoginRequired(self.return_path())
        principal = self.user.principal
        assert principal is not None
        if action is not None:
            authorize(principal, action)
        return principal

    def require_user(self, action: str | None = None) -> Any:
        """The logged-in person and whom they act for, resolved once by the section."""
        principal = self.require_principal(action)
        assert self.user is not None
        acting_for = Personnummer(self.user.acting_for) if self.user.acting_for else None
        try:
            return self.section.acting(self.deps, principal, acting_for)
        except Forbidden:
            # The approval ended (or was withdrawn) during the session: back to acting for oneself.
            self.user.notice = (f"Du kan inte längre företräda {self.user.acting_for_name}. "
                                "Du agerar nu för dig själv.")
            self.user.acting_for = self.user.acting_for_name = None
            self.save_session()
            return self.section.acting(self.deps, principal, None)

    def return_path(self) -> str:
        """Where to come back to after logging in: this page (GET) or the page the form was on."""
        if self.method == "GET":
            query = urllib.parse.urlencode(self.query)
            return self.config.url(self.raw_path) + (f"?{query}" if query else "")
        return self.config.url(self.raw_path)

    def notice(self, text: str) -> None:
        if self.session is not None:
            self.session.notice = text
            self.save_session()

    def pop_notice(self) -> str | None:
        if self.session is None or not self.session.notice:
            return None
        text, self.session.notice = self.session.notice, None
        self.save_session()
        return text

    # -- CSRF -------------------------------------------------------------------------
    def check_csrf(self) -> None:
        token = self.form.get("csrf")
        session = self.session or self.ended_session
        if session is None or not session.csrf_ok(token):
            raise BadCsrf()

    def url(self, inner: str) -> str:
        return self.config.url(inner)


# Characters a URL must never carry, even percent-encoded: C0/C1 controls, DEL, and the format
# characters (bidirectional overrides, zero-width) that make an address read as another.
def _unwritable(c: str) -> bool:
    import unicodedata

    return unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")


# What stays as it is when an address is percent-encoded: RFC 3986's reserved and unreserved
# characters, and "%" so that an address already encoded is not encoded twice.
_URL_SAFE = "/?#[]@!$&'()*+,;=:-._~%"


def safe_next(config: WebConfig, value: str | None) -> str:
    """Only our own pages: a path under the web's base, never another host, never a dot segment.
    Letters outside ASCII are percent-encoded (a ``Location`` header is ASCII); an address with a
    control or format character is not ours: home instead."""
    home = config.home
    if (not value or not (value == home or value.startswith((home + "/", home + "?"))) or "\\" in value
            or any(_unwritable(c) for c in value)):
        return home
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme or parsed.netloc or any(part in (".", "..") for part in parsed.path.split("/")):
        return home
    return urllib.parse.quote(value, safe=_URL_SAFE)


def header_location(location: str) -> str:
    """A ``Location`` the gateway can write: ASCII only (RFC 9110), anything else percent-encoded."""
    if location.isascii() and location.isprintable():
        return location
    return urllib.parse.quote(location, safe=_URL_SAFE)


def cookie_header(config: WebConfig, value: str) -> str:
    parts = [f"{config.cookie_name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if config.secure_cookies:
        parts.append("Secure")
    if not value:
        parts.append("Max-Age=0")
    return "; ".join(parts)


ERROR_PAGES = {
    400: ("Något blev fel", "Det du skickade gick inte att använda. Gå tillbaka och försök igen."),
    401: ("Du behöver logga in", "Logga in med e-legitimation för att fortsätta."),
    403: ("Du har inte behörighet", "Du kan inte göra det här med den inloggning du har."),
    404: ("Sidan finns inte", "Kontrollera adressen, eller gå till Mina sidor."),
    409: ("Uppgifterna har ändrats", "Någon annan ändring gjordes samtidigt. Ladda om sidan och försök igen."),
    422: ("Uppgifterna är inte fullständiga", "Gå tillbaka och kontrollera dina svar."),
    500: ("Något gick fel hos oss", "Försök igen om en stund."),
    503: ("Tjänsten är inte tillgänglig just nu", "Försök igen om en stund."),
}


def error_page(status: int) -> Page:
    title, text = ERROR_PAGES.get(status, ERROR_PAGES[400])
    return Page("error.html", {"title": title, "text": text}, status=status)


def serve_view(package: str, section: str, request: Any, view: str, **params: str) -> Response:
    """A route's request to ``view`` ("module.function" in ``package``, the section's views) within
    ``section`` (the name of the package's ``section`` module's Section): the routes modules name
    views as text, so neither the page cycle nor a view loads before the first page."""
    import importlib

    module, name = view.split(".")
    cycle = getattr(importlib.import_module(f"{package}.section"), section)
    return serve(cycle, request, getattr(importlib.import_module(f"{package}.{module}"), name), **params)


def serve(section: Section, request: Any, view: Callable[..., Page | Redirect | Json | Download], *,
          csrf: bool = True, **params: str) -> Response:
    log = get_logger(section.service)
    config = section.config()
    ctx = Context(request, section.deps(), config, section)
    ctx.raw_path = ctx.path.format(**params) if params else ctx.path
    try:
        ctx.load_session()
        if ctx.method == "POST" and csrf:
            ctx.check_csrf()
        result = view(ctx, **params)
    except LoginRequired as exc:
        result = Redirect(ctx.url(config.login_path) + "?" + urllib.parse.urlencode({"next": exc.next_path}))
    except SessionEnded as exc:
        result = section.session_ended(ctx, exc.session, exc.next_path)
    except BadCsrf:
        audit_line(log, "web_csrf_refused", path=ctx.path)
        result = error_page(400)
        result.context["text"] = ("Sidan var för gammal eller kom inte från oss. Gå tillbaka, ladda om sidan och "
                                  "försök igen.")
    except Unauthenticated:
        audit_line(log, "web_login_refused", path=ctx.path)
        result = error_page(401)
    except (Forbidden, NotFound) as exc:
        audit_line(log, "web_request_refused", path=ctx.path, status=exc.status, problem=exc.slug)
        result = error_page(exc.status)
    except DomainError as exc:
        result = error_page(exc.status if exc.status in ERROR_PAGES else 400)
    except Exception:  # noqa: BLE001 - the person gets a page, the log the trace
        log.exception("web page failed", extra={"path": ctx.path})
        result = error_page(500)
    try:
        return respond(ctx, result)
    except Exception:  # noqa: BLE001 - a template that fails still answers with a page
        log.exception("web page failed to render", extra={"path": ctx.path})
        return respond(ctx, error_page(500))


def respond(ctx: Context, result: Page | Redirect | Json | Download) -> Response:
    config = ctx.config
    if isinstance(result, Json):
        import json

        headers = {**security_headers(config, True), "Content-Type": "application/json"}
        body = json.dumps(result.body, ensure_ascii=False)
        status = result.status
    elif isinstance(result, Download):
        headers = {**security_headers(config, True), "Content-Type": result.content_type,
                   "Content-Disposition": f'attachment; filename="{result.filename}"'}
        # Chalice sends bytes only as a binary type (base64); text goes as text
        text = isinstance(result.body, bytes) and result.content_type.startswith("text/")
        body, status = (result.body.decode("utf-8") if text else result.body), 200
    elif isinstance(result, Redirect):
        headers = {**security_headers(config, True), "Location": header_location(result.location)}
        body = ""
        status = result.status
    else:
        from .render import render

        headers = {**security_headers(config, result.personal or ctx.user is not None),
                   "Content-Type": "text/html; charset=utf-8"}
        body = render(ctx.section.templates, result.template, base_context(ctx, result))
        status = result.status
    if ctx.set_cookie is not None:
        headers["Set-Cookie"] = cookie_header(config, ctx.set_cookie)
    return Response(body=body, status_code=status, headers=headers)


def base_context(ctx: Context, page: Page) -> dict[str, Any]:
    user = ctx.user
    session = ctx.session
    return {
        **page.context,
        "url": ctx.url,
        "home": ctx.config.home,  # the section's start; its session keep-alive is home + "/session"
        "csrf": session.csrf if session else "",
        "user": user,
        "person_name": (user.principal.name if user and user.principal else None),
        "acting_for_name": user.acting_for_name if user else None,
        "session_ends": _local_time(user.ends_at()) if user else None,
        # Seconds left, not an instant: the page's timer must not depend on the device's clock.
        "session_remaining": int((user.ends_at() - ctx.now).total_seconds()) if user else None,
        "session_warn_seconds": ctx.config.warn_seconds,
        "notice": page.context.get("notice") or ctx.pop_notice(),
    }


def _local_time(instant: datetime) -> str:
    from ...domain.calendar import local_clock

    return local_clock(instant)


def static_response(name: str) -> Response:
    """The toolkit's stylesheet, script or icon (``static/``), for any app's ``/web/static/{name}``."""
    from .render import static_file

    found = static_file(name)
    if found is None:
        return Response(body="", status_code=404, headers={"Cache-Control": "no-cache"})
    return Response(body=found[0].decode(), status_code=200, headers={
        "Content-Type": found[1], "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})
