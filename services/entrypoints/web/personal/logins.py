"""Inloggningar och konton (``/personal/logg``): the identity service's own audit trail for auditors
— logins, refused logins with their reason, account and role changes — searched by staff member
(account id), what happened and period (at most 31 days), as a GET form that works without script.
Case work's trail (who read what about whom, and why) is Loggkontroll in the e-services app
(``/eservices/personal/logg``): a service never reads another's table, so these are two pages."""
from __future__ import annotations

import urllib.parse
from datetime import timedelta
from typing import Any

from ....domain.calendar import local_minute, stockholm_date
from ....domain.errors import ValidationFailed
from ....identity.usecases import directory
from ..formview import ErrorLink
from ..http import Context, Page
from .accounts import ACTION_LABELS, guarded, keeper, page_title
from .views import ROLE_LABELS

ACTION = "identity_audit.read"  # auditors
PATH = "/logg"
FIELDS = ("konto", "handelse", "from", "to")
PAGE_SIZE = 100
MESSAGES = {
    "konto": "Skriv kontots id med bokstäver a–z, siffror och . _ -, högst 100 tecken.",
    "handelse": "Välj en händelse i listan.",
    "from": "Skriv från-datum som ÅÅÅÅ-MM-DD, till exempel 2026-11-01.",
    "to": "Skriv till-datum som ÅÅÅÅ-MM-DD, och inte före från-datum.",
    "period": "Sök högst 31 dagar åt gången.",
}
REASONS = {"unknown_staff": "inget personalkonto", "not_yet_valid": "kontot gäller inte ännu",
           "account_ended": "kontot har upphört", "acr_too_low": "för svag e-legitimation"}


def nav(ctx: Context) -> list[dict[str, Any]]:
    return [{"href": ctx.url(PATH), "label": "Inloggningar och konton", "current": True},
            {"href": "/eservices/personal/logg", "label": "Loggkontroll i handläggningen", "current": False}]


def _query(ctx: Context) -> tuple[Any, dict[str, str]]:
    from pydantic import ValidationError

    from ....identity.schemas import AuditQuery

    values = {k: ctx.query.get(k, "").strip() for k in FIELDS}
    data = {"from": values["from"] or None, "to": values["to"] or None,
            "account_id": values["konto"] or None, "action": values["handelse"] or None}
    errors: dict[str, str] = {}
    if data["action"] is not None and data["action"] not in ACTION_LABELS:
        errors["handelse"] = MESSAGES["handelse"]
    try:
        query = AuditQuery.model_validate(data)
    except ValidationError as exc:
        names = {"from_date": "from", "to_date": "to", "account_id": "konto", "action": "handelse", "from": "from",
                 "to": "to"}
        for e in exc.errors():
            field = names.get(str(e["loc"][0]) if e["loc"] else "", "")
            if field:
                errors[field] = MESSAGES[field]
        return None, errors
    if errors:
        return None, errors
    if query.to_date < query.from_date:
        return None, {"to": MESSAGES["to"]}
    if (query.to_date - query.from_date).days >= directory.MAX_AUDIT_DAYS:
        return None, {"to": MESSAGES["period"]}
    return query, {}


def _address(ctx: Context, params: dict[str, str]) -> str:
    kept = {k: v for k, v in params.items() if v not in ("", None)}
    return ctx.url(PATH) + ("?" + urllib.parse.urlencode(kept) if kept else "")


def _details(details: dict[str, Any]) -> str | None:
    """Roles as their Swedish labels, the e-ID's level of assurance by its last part (loa3)."""
    parts: list[str] = []
    roles = details.get("roles")
    if isinstance(roles, list):
        parts.append("Roller: " + ", ".join(ROLE_LABELS.get(r, r) for r in roles))  # type: ignore[call-overload]
    if isinstance(details.get("role"), str):
        parts.append("Roll: " + ROLE_LABELS.get(details["role"], details["role"]))  # type: ignore[call-overload]
    if isinstance(details.get("acr"), str):
        parts.append("E-legitimation: " + details["acr"].rstrip("/").rsplit("/", 1)[-1])
    return "; ".join(parts) or None


def _row(e: Any) -> dict[str, Any]:
    return {"when": local_minute(e.at), "when_iso": e.at.isoformat(), "what": ACTION_LABELS.get(e.action, e.action),
            "refused": e.action == "login_refused", "reason": REASONS.get(e.reason or "", e.reason),
            "actor": "personen själv, vid inloggningen" if e.actor == "login" else e.actor,
            "account": e.account_id, "organisation": e.organisation_id,
            "personnummer": str(e.personnummer) if e.personnummer else None, "details": _details(e.details or {})}


@guarded
def logins(ctx: Context) -> Page:
    who = keeper(ctx, ACTION)
    today = stockholm_date(ctx.now)
    defaults = {"konto": "", "handelse": "", "from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()}
    searched = any(k in ctx.query for k in FIELDS)
    current = {k: ctx.query.get(k, "") if searched else defaults[k] for k in FIELDS}
    query, errors = _query(ctx) if searched else (None, {})
    entries: list[Any] = []
    if query is not None:
        try:
            entries = directory.read_audit(ctx.deps, who, query)
        except ValidationFailed:
            errors = {"to": MESSAGES["period"]}
    try:
        number = max(1, int(ctx.query.get("sida", "1")))
    except ValueError:
        number = 1
    shown = entries[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
    paging = {"first": _address(ctx, current) if number > 2 else None,
              "previous": _address(ctx, {**current, "sida": str(number - 1)}) if number > 1 else None,
              "next": _address(ctx, {**current, "sida": str(number + 1)}) if len(entries) > number * PAGE_SIZE
              else None}
    return Page("logins.html", {
        "title": page_title("Inloggningar och konton", error=bool(errors)), "nav": nav(ctx),
        "errors": [ErrorLink(f"#filter-{k}", v) for k, v in errors.items()], "field_errors": errors,
        "current": current, "actions": ACTION_LABELS, "searched": searched and not errors,
        "rows": [_row(e) for e in shown], "total": len(entries), "paging": paging, "clear_url": ctx.url(PATH),
    }, status=422 if errors else 200)
