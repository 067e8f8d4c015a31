"""The follow-up section as the request cycle serves it: the reports deps (with its web sessions in
the reports table), its own pages, cookie and login (Insats' authorization server, client
``insats-reports``)."""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from ....auth.principal import Principal
from ....domain.errors import Forbidden
from ....domain.personnummer import Personnummer
from ....reports.bootstrap import deps
from ..config import WebConfig, web_config
from ..http import Section
from .ended import session_ended

BASE_PATH = "/personal"  # as the reports app routes it; /reports/personal behind the gateway
APP_PREFIX = "/reports"
CLIENT_ID = "insats-reports"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def reports_config() -> WebConfig:
    """The web's settings with the section's own prefix, base path, cookie and login: Insats'
    authorization server in the identity app, unless ``STAFF_AUTHORIZE_URL`` / ``STAFF_TOKEN_URL``
    name another."""
    base = web_config()
    root = base.public_base_url
    return replace(base, base_path=BASE_PATH, app_prefix=_env("REPORTS_WEB_APP_PREFIX", APP_PREFIX),
                   cookie_local="insats_reports", cookie_secure="__Host-insats-reports",
                   authorize_url=_env("STAFF_AUTHORIZE_URL", f"{root}/identity/authorize"),
                   token_url=_env("STAFF_TOKEN_URL", f"{root}/identity/token"),
                   client_id=_env("REPORTS_CLIENT_ID", CLIENT_ID), client_secret=_env("REPORTS_CLIENT_SECRET", ""))


def acting(_deps: Any, who: Principal, acting_for: Personnummer | None) -> Principal:
    """Staff act as themselves; nobody acts for anyone here."""
    if acting_for is not None:
        raise Forbidden("staff act for nobody")
    return who


REPORTS = Section(service="reports", deps=deps, templates=Path(__file__).resolve().parent / "templates",
                  acting=acting, session_ended=session_ended, name="reports", config=reports_config)
