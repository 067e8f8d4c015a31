"""What makes a staff section a section (case work, besöksuppföljning, uppföljning, ekonomi): its
settings derived from the web's (its own app prefix, base path ``/personal``, cookie and client at
Insats' authorization server in the identity app, unless ``STAFF_AUTHORIZE_URL`` /
``STAFF_TOKEN_URL`` name another), that staff act for nobody, and its page for a session that ended.
A section's ``section.py`` states only its facts. Light: no page cycle, no Jinja2, no OIDC."""
from __future__ import annotations

import os
import urllib.parse
from dataclasses import replace
from typing import Any, Callable

from ...auth.principal import Principal
from ...domain.errors import Forbidden
from ...domain.personnummer import Personnummer
from .config import WebConfig, web_config
from .http import Context, Page, safe_next
from .sessions import WebSession

BASE_PATH = "/personal"  # as each staff app routes its pages; /<app>/personal behind the gateway


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def staff_config(*, cookie: str, client_id: str, env: str, app_prefix: str | None = None) -> Callable[[], WebConfig]:
    """The section's settings: the web's (session lengths, public address, stage) with base path
    ``/personal``, the cookie ``insats_<cookie>`` (``__Host-insats-<cookie>`` when secure) and the
    client ``client_id``; ``<env>_CLIENT_ID`` / ``<env>_CLIENT_SECRET`` name another client, and
    ``<env>_WEB_APP_PREFIX`` another prefix than ``app_prefix`` (None: the web's own prefix)."""

    def config() -> WebConfig:
        base = web_config()
        root = base.public_base_url
        prefix = {} if app_prefix is None else {"app_prefix": _env(f"{env}_WEB_APP_PREFIX", app_prefix)}
        return replace(base, base_path=BASE_PATH, **prefix,
                       cookie_local=f"insats_{cookie}", cookie_secure=f"__Host-insats-{cookie}",
                       authorize_url=_env("STAFF_AUTHORIZE_URL", f"{root}/identity/authorize"),
                       token_url=_env("STAFF_TOKEN_URL", f"{root}/identity/token"),
                       client_id=_env(f"{env}_CLIENT_ID", client_id), client_secret=_env(f"{env}_CLIENT_SECRET", ""))

    return config


def titles(site: str) -> Callable[..., str]:
    """A section's page titles: what the page is, then the section's name; "Fel: " first on a page
    that shows errors (GOV.UK's pattern, so a screen reader hears it first)."""

    def page_title(*parts: str, error: bool = False) -> str:
        return ("Fel: " if error else "") + " – ".join([*parts, site])

    return page_title


def role_nav(ctx: Context, current: str, items: list[tuple[str, str, frozenset]]) -> list[dict[str, Any]]:
    """The side navigation: of ``items`` (label, inner path, the roles that see it) those the
    logged-in person's role sees, the current page marked."""
    principal = ctx.user.principal if ctx.user is not None else None
    role = principal.role if principal is not None else None
    return [{"href": ctx.url(inner), "label": label, "current": inner == current}
            for label, inner, roles in items if role in roles]


def acting(_deps: Any, who: Principal, acting_for: Personnummer | None) -> Principal:
    """Staff act as themselves; nobody acts for anyone here."""
    if acting_for is not None:
        raise Forbidden("staff act for nobody")
    return who


def session_ended_page(title: Callable[..., str], layout: str) -> Callable[[Context, WebSession, str], Page]:
    """The section's page for a session that ended (idle or at its absolute end): log in again. The
    toolkit's ``session_ended.html`` extends ``layout``, the section's layout."""

    def session_ended(ctx: Context, ended: WebSession, next_path: str) -> Page:
        ctx.sessions.delete(ended.session_id)
        ctx.ended_session = None
        return Page("session_ended.html", {"title": title("Du har loggats ut"), "layout": layout, "login_url": ctx.url(
            "/personal/logga-in") + "?" + urllib.parse.urlencode({"next": safe_next(ctx.config, next_path)})},
            status=200)

    return session_ended
