"""The staff entry (``/personal``) as the request cycle serves it: the identity service's deps (its
sessions are in the identity table), its own pages, its own cookie. Nobody acts for anyone here."""
from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from ....auth.principal import Principal
from ....identity.bootstrap import deps
from ..config import WebConfig, web_config
from ..http import Context, Redirect, Section


@cache
def personal_config() -> WebConfig:
    """The web's settings (session lengths, public address, stage) with the entry's own base path
    (the identity app behind ``/personal``, its pages at the app's root) and cookie."""
    return replace(web_config(), base_path="", app_prefix="/personal", cookie_local="insats_id",
                   cookie_secure="__Host-insats-id")


def acting(_deps: Any, who: Principal, _acting_for: Any) -> Principal:
    return who


def session_ended(ctx: Context, ended: Any, next_path: str) -> Redirect:
    ctx.sessions.delete(ended.session_id)
    ctx.ended_session = None
    return Redirect(ctx.url("/logga-in"))


PERSONAL = Section(service="identity", deps=deps, templates=Path(__file__).resolve().parent / "templates",
                   acting=acting, session_ended=session_ended, name="personal", config=personal_config)
