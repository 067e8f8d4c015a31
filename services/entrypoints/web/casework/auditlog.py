"""Loggkontroll: the auditors' log follow-up of case work (OSL, HSLF-FS 2016:40). A GET form
(every search has an address, no script needed) by client personnummer, staff member (user id,
role or both), case (number or id) and period; the records a page at a time, each saying when,
who, what in plain Swedish, read or change, whose data, why and which case or record, a person
with protected identity marked with the words "Skyddad identitet"; the search as CSV. Every
search and export is itself audited (``audit.search``). Only auditors reach these pages, and
they reach no other page of the section (``common.AUDIT_ACTION``)."""
from __future__ import annotations

import urllib.parse
from datetime import timedelta
from typing import Any

from ....domain.calendar import local_minute, stockholm_date
from ....domain.errors import ValidationFailed
from ..formview import ErrorLink
from ..http import Context, Download, Page
from .common import AUDIT_ACTION, page_title

PATH = "/personal/logg"
EXPORT = "/personal/logg/export"
FIELDS = ("person", "user", "role", "case", "from", "to")
NAV = [(PATH, "Loggkontroll")]
MESSAGES = {
    "person": "Skriv klientens personnummer som ÅÅÅÅMMDD-NNNN, med rätt kontrollsiffra.",
    "user": "Skriv personalens användar-id med bokstäver a–z, siffror och . _ @ -, högst 100 tecken.",
    "role": "Välj en roll i listan.",
    "case": "Skriv ärendenumret som ÅÅÅÅ-NNNNNN, till exempel 2026-000123, eller ärendets id.",
    "from": "Skriv från-datum som ÅÅÅÅ-MM-DD, till exempel 2026-11-01.",
    "to": "Skriv till-datum som ÅÅÅÅ-MM-DD, och inte före från-datum.",
    "period": "Sök högst 366 dagar åt gången.",
    "cursor": "Sidan finns inte längre. Börja från första sidan.",
}
LABELS = {"person": "Klientens personnummer", "user": "Personal (användar-id)", "role": "Roll",
          "case": "Ärende (ärendenummer eller id)", "from": "Från och med", "to": "Till och med"}
ROLES = {"case_worker": "Handläggare", "auditor": "Granskare", "ordering_unit": "Beställarenheten",
         "relative": "Närstående", "contact_person": "Kontaktperson", "citizen": "Privatperson",
         "provider_staff": "Omsorgspersonal", "provider_coordinator": "Samordnare",
         "provider_manager": "Verksamhetschef hos utförare"}
KINDS = {"read": "Läsning", "change": "Ändring"}
PAGE_SIZE = 50


def auditor(ctx: Context) -> Any:
    return ctx.require_principal(AUDIT_ACTION)


def nav(ctx: Context) -> list[dict[str, Any]]:
    return [{"href": ctx.url(path), "label": label, "current": True} for path, label in NAV]


def _defaults(ctx: Context) -> dict[str, str]:
    today = stockholm_date(ctx.now)
    return {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()}


def _query(ctx: Context, *, paged: bool = True) -> tuple[Any, dict[str, str]]:
    """The form's values as the use case's query, and a Swedish error per bad field."""
    from pydantic import ValidationError

    from ....eservices.casework.models.audit import LogQuery

    values: dict[str, Any] = {k: ctx.query.get(k, "").strip() for k in FIELDS}
    values = {k: v for k, v in values.items() if v}
    for required in ("from", "to"):
        values.setdefault(required, None)
    if paged:
        values["limit"] = PAGE_SIZE
        if ctx.query.get("cursor"):
            values["cursor"] = ctx.query["cursor"]
    try:
        query = LogQuery.model_validate(values)
    except ValidationError as exc:
        bad = {("from" if str(e["loc"][0]) == "from_" else str(e["loc"][0])) for e in exc.errors() if e["loc"]}
        return None, {f: MESSAGES.get(f, "Ogiltigt värde.") for f in FIELDS + ("cursor",) if f in bad}
    if (query.to - query.from_).days >= 366:
        return None, {"to": MESSAGES["period"]}
    return query, {}


def _address(ctx: Context, path: str, params: dict[str, str]) -> str:
    kept = {k: v for k, v in params.items() if v not in ("", None)}
    return ctx.url(path) + ("?" + urllib.parse.urlencode(kept) if kept else "")


def _row(r: Any) -> dict[str, Any]:
    rec = r.record
    return {
        "when": local_minute(rec.at), "when_iso": rec.at.isoformat(),
        "who": rec.actor_name or rec.actor, "actor": rec.actor, "role": ROLES.get(rec.actor_role, rec.actor_role),
        "what": r.action_label, "kind": KINDS.get(rec.kind, rec.kind), "change": rec.kind == "change",
        "whose": rec.subject, "acting_for": rec.acting_for, "protected": r.protected_identity,
        "why": rec.purpose, "resource": rec.resource, "case_id": r.case_id, "case_number": r.case_number,
    }


def log_page(ctx: Context) -> Page:
    from ....eservices.casework.usecases.audit import follow_up

    who = auditor(ctx)
    searched = any(k in ctx.query for k in FIELDS)
    # The form shows what was asked; the first visit, the last seven days (nothing is searched until asked).
    current = {k: ctx.query.get(k, "") if searched else _defaults(ctx).get(k, "") for k in FIELDS}
    query, errors = _query(ctx) if searched else (None, {})
    result = None
    if query is not None:
        try:
            result = follow_up(ctx.deps, who, query)
        except ValidationFailed:
            errors = {"cursor": MESSAGES["cursor"]}
    rows = [_row(r) for r in result.items] if result else []
    back = [c for c in ctx.query.get("back", "").split(",") if c][-20:]
    here = ctx.query.get("cursor", "")
    previous = None
    if back:
        previous = _address(ctx, PATH, {**current, "cursor": back[-1], "back": ",".join(back[:-1])})
    elif here:
        previous = _address(ctx, PATH, current)
    following = None
    if result and result.next_cursor:
        following = _address(ctx, PATH, {**current, "cursor": result.next_cursor,
                                         "back": ",".join([*back, here] if here else [])})
    links = [ErrorLink("#logg-cursor" if name == "cursor" else f"#filter-{name}", text)
             for name, text in errors.items()]
    return Page("audit_log.html", {
        "title": page_title("Loggkontroll", error=bool(errors)), "nav": nav(ctx), "nav_label": "Loggkontroll",
        "brand_path": PATH, "errors": links, "field_errors": errors, "current": current, "labels": LABELS,
        "roles": ROLES, "searched": searched and not errors, "rows": rows,
        "protected_count": sum(1 for r in rows if r["protected"]),
        "case_not_found": bool(result and not result.case_found),
        "paging": {"first": _address(ctx, PATH, current) if back else None, "previous": previous, "next": following},
        "export_url": _address(ctx, EXPORT, current), "clear_url": ctx.url(PATH),
    }, status=422 if errors else 200)


def export(ctx: Context) -> Page | Download:
    """The search as CSV (at most 5 000 records from the first); a bad search: the page with its errors."""
    from ....eservices.casework.usecases.audit import follow_up_csv

    who = auditor(ctx)
    query, errors = _query(ctx, paged=False)
    if query is None:
        return log_page(ctx)
    found = follow_up_csv(ctx.deps, who, query)
    body = found.body if isinstance(found.body, str) else found.body.decode()
    return Download(filename=found.filename, content_type=found.content_type, body="\ufeff" + body)
