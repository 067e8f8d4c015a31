"""The billing section's page for a session that ended (idle or at its absolute end): log in again."""
from __future__ import annotations

import urllib.parse

from ..http import Context, Page, safe_next
from ..sessions import WebSession
from .common import page_title


def session_ended(ctx: Context, ended: WebSession, next_path: str) -> Page:
    ctx.sessions.delete(ended.session_id)
    ctx.ended_session = None
    return Page("session_ended.html", {"title": page_title("Du har loggats ut"), "login_url": ctx.url(
        "/personal/logga-in") + "?" + urllib.parse.urlencode({"next": safe_next(ctx.config, next_path)})}, status=200)
