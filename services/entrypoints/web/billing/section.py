"""The billing section as the request cycle serves it: the billing deps (with its web sessions in
the billing table), its own pages, cookie and login (Insats' authorization server, client
``insats-billing``)."""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from ....auth.principal import Principal
from ....billing.bootstrap import deps
from ....domain.errors import Forbidden
from ....domain.personnummer import Personnummer
from ..config import WebConfig, web_config
from ..http import Section
from .ended import session_ended

BASE_PATH = "/personal"  # as the billing app routes it; /billing/personal behind the gateway
APP_PREFIX = "/billing"
CLIENT_ID = "insats-billing"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def billing_config() -> WebConfig:
    """The web's settings with the section's own prefix, base path, cookie and login: Insats'
    authorization server in the identity app, unless ``STAFF_AUTHORIZE_URL`` / ``STAFF_TOKEN_URL``
    name another."""
    base = web_config()
    root = base.public_base_url
    return replace(base, base_path=BASE_PATH, app_prefix=_env("BILLING_WEB_APP_PREFIX", APP_PREFIX),
                   cookie_local="insats_billing", cookie_secure="__Host-insats-billing",
                   authorize_url=_env("STAFF_AUTHORIZE_URL", f"{root}/identity/authorize"),
                   token_url=_env("STAFF_TOKEN_URL", f"{root}/identity/token"),
                   client_id=_env("BILLING_CLIENT_ID", CLIENT_ID), client_secret=_env("BILLING_CLIENT_SECRET", ""))


def acting(_deps: Any, who: Principal, acting_for: Personnummer | None) -> Principal:
    """Staff act as themselves; nobody acts for anyone here."""
    if acting_for is not None:
        raise Forbidden("staff act for nobody")
    return who


BILLING = Section(service="billing", deps=deps, templates=Path(__file__).resolve().parent / "templates",
                  acting=acting, session_ended=session_ended, name="billing", config=billing_config)
