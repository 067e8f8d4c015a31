"""The case workers' section as the request cycle serves it: the e-services' deps, its own pages,
its own session cookie and login (Insats' authorization server, client ``insats-casework``), and
who may use it: a case worker (``common.case_workers_only``: ``inbox.read`` in ``services/auth/policy.py``)."""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from ....auth.principal import Principal
from ....domain.errors import Forbidden
from ....domain.personnummer import Personnummer
from ....eservices.bootstrap import deps
from ..config import WebConfig, web_config
from ..http import Section
from .ended import session_ended

BASE_PATH = "/personal"  # as the e-services app routes it; /eservices/personal behind the gateway
CLIENT_ID = "insats-casework"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def staff_config() -> WebConfig:
    """The citizens' settings (session lengths, public address, stage) with the section's own base
    path, cookie and login: Insats' authorization server in the identity app, unless
    ``STAFF_AUTHORIZE_URL`` / ``STAFF_TOKEN_URL`` name another."""
    base = web_config()
    root = base.public_base_url
    return replace(base, base_path=BASE_PATH, cookie_local="insats_personal", cookie_secure="__Host-insats-personal",
                   authorize_url=_env("STAFF_AUTHORIZE_URL", f"{root}/identity/authorize"),
                   token_url=_env("STAFF_TOKEN_URL", f"{root}/identity/token"),
                   client_id=_env("STAFF_CLIENT_ID", CLIENT_ID), client_secret=_env("STAFF_CLIENT_SECRET", ""))


def acting(_deps: Any, who: Principal, acting_for: Personnummer | None) -> Principal:
    """A case worker acts as themselves; nobody acts for anyone here."""
    if acting_for is not None:
        raise Forbidden("case workers act for nobody")
    return who


CASEWORK = Section(service="eservices", deps=deps, templates=Path(__file__).resolve().parent / "templates",
                   acting=acting, session_ended=session_ended, name="casework", config=staff_config)
