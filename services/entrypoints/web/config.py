"""Settings of the web, read from the environment once: the citizens' section's (``web_config``);
a staff section derives its own from them (its base path, cookie, login)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

from ...settings import settings


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class WebConfig:
    base_path: str  # where the pages live behind the gateway (the app sees the path without /eservices)
    app_prefix: str  # the app's own base path behind the gateway
    public_base_url: str
    secure_cookies: bool
    idle_seconds: int
    absolute_seconds: int
    warn_seconds: int
    # OpenID Connect: the municipality's e-ID broker; locally the development issuer's pages.
    authorize_url: str
    token_url: str
    client_id: str
    client_secret: str
    revoke_url: str = ""  # RFC 7009: where a logout here ends the login at the identity service
    end_session_url: str = ""  # then the browser goes there, so the e-ID broker's session ends too
    # Each section has a cookie of its own, so a session of one section never reaches another's
    # pages (the citizens' and the case workers' are two sessions in one browser).
    cookie_local: str = "insats_session"
    cookie_secure: str = "__Host-insats"

    @property
    def cookie_name(self) -> str:
        # __Host- binds the cookie to this host, HTTPS and path /: only possible with Secure.
        return self.cookie_secure if self.secure_cookies else self.cookie_local

    @property
    def home(self) -> str:
        """The section's own start (public path)."""
        return self.url(self.base_path)

    @property
    def login_path(self) -> str:
        """The section's login page (inner path): where a page sends someone not logged in."""
        return f"{self.base_path}/logga-in"

    def url(self, inner: str = "") -> str:
        """The public path of a page (``inner`` as the app routes it, e.g. ``/web/mina-sidor``)."""
        return f"{self.app_prefix}{inner}"

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_base_url}{self.url(self.login_path + '/klar')}"


@cache
def web_config() -> WebConfig:
    s = settings()
    base = s.public_base_url.rstrip("/")
    return WebConfig(
        base_path="/web",
        app_prefix=_env("WEB_APP_PREFIX", "/eservices"),
        public_base_url=base,
        secure_cookies=not s.is_local,
        idle_seconds=int(_env("WEB_SESSION_IDLE_SECONDS", "1800")),
        absolute_seconds=int(_env("WEB_SESSION_ABSOLUTE_SECONDS", str(12 * 3600))),
        warn_seconds=int(_env("WEB_SESSION_WARN_SECONDS", "300")),
        # Insats' own authorization server (the identity app), which logs people in at the e-ID
        # broker; the OIDC_* settings are the broker's and the identity app's alone.
        authorize_url=_env("WEB_AUTHORIZE_URL", f"{base}/identity/authorize"),
        token_url=_env("WEB_TOKEN_URL", f"{base}/identity/token"),
        client_id=_env("WEB_CLIENT_ID", "insats-citizen-web"),
        client_secret=_env("WEB_CLIENT_SECRET", ""),
        revoke_url=_env("WEB_REVOKE_URL", f"{base}/identity/revoke"),
        end_session_url=_env("WEB_END_SESSION_URL", f"{base}/identity/logout"),
    )
