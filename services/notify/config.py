"""Notify's settings, from the environment (each app's ``.chalice/config.json`` on AWS)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import time
from functools import cache


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _hours(spec: str) -> tuple[time, time]:
    """``"21-08"`` or ``"21:00-08:00"`` → (start, end); start == end means no quiet hours."""
    start, end = (part.strip() for part in spec.split("-", 1))
    parse = lambda p: time(int(p.split(":")[0]), int(p.split(":")[1]) if ":" in p else 0)  # noqa: E731
    return parse(start), parse(end)


# The pages the e-mails link to, in the citizen web (the e-services app's ``/web`` routes).
MINA_SIDOR_PATH = "/web/mina-sidor"
STAFF_PATH = "/personal"  # the staff entry (the identity app): at the site's root, not under /eservices


def _site_url() -> str:
    return _env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def _base_url() -> str:
    """The public address of the citizen web: the site (PUBLIC_BASE_URL) and the e-services app's
    base path (WEB_APP_PREFIX), as the web itself reads them (``entrypoints/web/config.py``)."""
    return _env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/") + _env("WEB_APP_PREFIX", "/eservices")


@dataclass(frozen=True)
class NotifyConfig:
    municipality: str = field(default_factory=lambda: _env("MUNICIPALITY_NAME", "Insats kommun"))
    # Where people log in; never with an identifier in it. The site's address is configuration
    # (PUBLIC_BASE_URL, the same as the citizen web's), the paths are the pages' own; each can be
    # overridden whole. Staff have no web of their own yet: their page says where the work is done.
    login_url: str = field(default_factory=lambda: _env("LOGIN_URL", _base_url() + MINA_SIDOR_PATH))
    staff_login_url: str = field(default_factory=lambda: _env("STAFF_LOGIN_URL", _site_url() + STAFF_PATH))
    provider_login_url: str = field(default_factory=lambda: _env("PROVIDER_LOGIN_URL", _site_url() + STAFF_PATH))
    # SMS waits outside these hours (Europe/Stockholm); e-mail goes at once.
    sms_quiet_hours: tuple[time, time] = field(default_factory=lambda: _hours(_env("SMS_QUIET_HOURS", "21-08")))
    # Functional mailboxes by name: organisational addresses, not a person's.
    mailboxes: dict[str, str] = field(default_factory=lambda: json.loads(_env(
        "NOTIFY_MAILBOXES", '{"casework": "handlaggning@insats.example"}')))
    sms_sender_id: str = field(default_factory=lambda: _env("SMS_SENDER_ID", "Insats"))
    mail_configuration_set: str = field(default_factory=lambda: _env("MAIL_CONFIGURATION_SET", ""))
    # A claimed send not finished by then is taken over (a crash between claim and send).
    lease_seconds: int = field(default_factory=lambda: int(_env("NOTIFY_LEASE_SECONDS", "120")))
    # Preferences changed with the request: wait for them this many receives, then use what is known.
    wait_for_preferences_receives: int = 3


@cache
def config() -> NotifyConfig:
    return NotifyConfig()
