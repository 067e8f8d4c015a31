"""What the case workers' pages share: the page title, the side navigation, the logged-in case
worker, and the case workers one may pick as Handläggare."""
from __future__ import annotations

import json
import os
from typing import Any

from ....auth.principal import Principal
from ....auth.policy import authorize
from ....domain.errors import Forbidden
from ..http import Context
from ..staff_section import titles

ACTION = "inbox.read"  # what every page of the section asks of the policy: a case worker

SITE = "Insats handläggning"


page_title = titles(SITE)


# The side navigation: (inner path, label). The next pages (the case, decisions, messages,
# relatives) add their entry here.
NAV: list[tuple[str, str]] = [
    ("/personal/att-gora", "Att göra"),
    ("/personal/inkorg", "Inkorg"),
    ("/personal/meddelanden", "Meddelanden"),
    ("/personal/narstaende", "Godkänna närstående"),
]


AUDIT_ACTION = "audit.search"  # the auditors' log pages (``auditlog.py``): auditors, and only those pages


def case_workers_only(principal: Principal) -> None:
    """Who may log in to the section (``oidc.finish_login``'s ``admit``): a case worker, or an
    auditor (who reaches the log pages only: every other page asks ``ACTION``)."""
    try:
        authorize(principal, ACTION)
    except Forbidden:
        authorize(principal, AUDIT_ACTION)


def case_worker(ctx: Context) -> Principal:
    """The logged-in case worker (a login page for nobody, 403 for anyone else)."""
    return ctx.require_principal(ACTION)


def me_id(who: Principal) -> str:
    return who.user_id or who.subject


def nav(ctx: Context, current: str) -> list[dict[str, Any]]:
    return [{"href": ctx.url(path), "label": label, "current": path == current} for path, label in NAV]


def case_workers(ctx: Context, who: Principal) -> list[dict[str, str]]:
    """Whom a case can be given to: the logged-in case worker first, then the directory's.

    Until the identity app's staff directory answers (``GET /identity/staff-accounts``), the
    others come from ``STAFF_CASE_WORKERS`` (JSON: ``[{"id": …, "name": …}]``); this is the one
    place to swap for the directory."""
    mine = {"id": me_id(who), "name": who.name or me_id(who)}
    try:
        others = json.loads(os.environ.get("STAFF_CASE_WORKERS") or "[]")
    except ValueError:
        others = []
    found = [mine] + [{"id": str(o["id"]), "name": str(o.get("name") or o["id"])} for o in others
                      if isinstance(o, dict) and o.get("id") and str(o["id"]) != mine["id"]]
    return found
