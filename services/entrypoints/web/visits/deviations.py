"""Avvikelser i besök: the deviations of the case worker's own clients' visits that wait for the
case worker (time beyond the granted, manual receipts), filterable by kind, client and date;
approved several at a time with one reason ("Godkänn markerade"), or one at a time (approved or
rejected) with a reason. Every decision is the API's use case ``decide_deviation``
(``visits.approve_deviation``); bad input stores nothing and comes back with an error summary."""
from __future__ import annotations

import urllib.parse
from datetime import date
from typing import Any

from ....domain.calendar import local_clock, stockholm_date
from ....domain.errors import Conflict, NotFound, PeriodLocked
from ....domain.personnummer import InvalidPersonnummer, Personnummer
from ....visits.usecases.deviations import PendingDeviation, decide_deviation, decide_pending, pending_for_case_worker
from ..http import Context, Page, Redirect
from .common import case_worker, nav, page_title

PATH = "/personal/avvikelser"
KINDS = {"over_granted_time": "Tid utöver beviljad", "manual_receipt": "Manuell kvittering"}
DECISIONS = {"approved": "Godkänn", "rejected": "Avslå"}
REASON_MIN, REASON_MAX = 3, 500


def _reason_error(reason: str) -> str | None:
    if len(reason) < REASON_MIN:
        return "Skriv en motivering till beslutet, minst 3 tecken."
    if len(reason) > REASON_MAX:
        return f"Motiveringen får vara högst {REASON_MAX} tecken."
    if any(ord(c) < 32 and c not in "\r\n\t" for c in reason):
        return "Motiveringen innehåller tecken som inte kan sparas."
    return None


def _filters(query: dict[str, str]) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The GET form's filters: (for the use case, as typed, errors by field)."""
    values = {k: (query.get(k) or "").strip() for k in ("typ", "klient", "fran", "till")}
    asked: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if values["typ"]:
        if values["typ"] in KINDS:
            asked["kind"] = values["typ"]
        else:
            errors["typ"] = "Välj en av avvikelsetyperna i listan."
    if values["klient"]:
        try:
            asked["client"] = str(Personnummer(values["klient"]))
        except (InvalidPersonnummer, ValueError):
            errors["klient"] = "Skriv klientens personnummer med 12 siffror, ÅÅÅÅMMDD-NNNN."
    for name, key in (("fran", "day_from"), ("till", "day_to")):
        if values[name]:
            try:
                asked[key] = date.fromisoformat(values[name])
            except ValueError:
                errors[name] = "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-11-03."
    if not errors and asked.get("day_from") and asked.get("day_to") and asked["day_from"] > asked["day_to"]:
        errors["till"] = "Till-datumet kan inte vara före från-datumet."
    return asked, values, errors


def _row(ctx: Context, p: PendingDeviation) -> dict[str, Any]:
    v = p.visit
    return {"key": p.key, "day": stockholm_date(v.started_at).isoformat(),
            "time": f"{local_clock(v.started_at)}–{local_clock(v.ended_at) if v.ended_at else ''}",
            "client": v.client.masked, "provider": v.provider_id, "staff": v.staff_id, "minutes": v.minutes,
            "kind": KINDS.get(p.deviation.code, p.deviation.code), "reason": p.deviation.reason,
            "href": ctx.url(f"{PATH}/{urllib.parse.quote(v.visit_id, safe='')}/{p.index}")}


ERROR_HREFS = {"typ": "#f-typ", "klient": "#f-klient", "fran": "#f-fran", "till": "#f-till",
               "valda": "#valda", "motivering": "#b-motivering"}


def _list_page(ctx: Context, *, field_errors: dict[str, str] | None = None, posted: dict[str, Any] | None = None,
               status: int = 200) -> Page:
    who = case_worker(ctx)
    asked, values, filter_errors = _filters(ctx.query)
    pending = pending_for_case_worker(ctx.deps, who, **asked) if not filter_errors else []
    errors = {**filter_errors, **(field_errors or {})}
    rows = [_row(ctx, p) for p in pending]
    if rows:  # the first checkbox carries the id the error summary links to
        rows[0]["first"] = True
    query = urllib.parse.urlencode({k: v for k, v in values.items() if v})
    return Page("deviations.html", {
        "title": page_title("Avvikelser i besök", error=bool(errors)), "nav": nav(ctx, PATH), "rows": rows,
        "kinds": KINDS, "values": values, "field_errors": errors,
        "errors": [{"text": t, "href": ERROR_HREFS.get(k, "#")} for k, t in errors.items()],
        "chosen": set((posted or {}).get("valda", [])), "reason": (posted or {}).get("motivering", ""),
        "action": ctx.url(PATH) + (f"?{query}" if query else ""),
        "filtered": any(values.values())}, status=status)


def deviations(ctx: Context) -> Page | Redirect:
    if ctx.method != "POST":
        return _list_page(ctx)
    who = case_worker(ctx)
    chosen = [k for k in ctx.form.getlist("valda") if k]
    reason = ctx.form.get("motivering").strip()
    errors: dict[str, str] = {}
    if not chosen:
        errors["valda"] = "Markera minst en avvikelse att godkänna."
    reason_error = _reason_error(reason)
    if reason_error:
        errors["motivering"] = reason_error
    posted = {"valda": chosen, "motivering": reason}
    if errors:
        return _list_page(ctx, field_errors=errors, posted=posted, status=422)
    try:
        decided = decide_pending(ctx.deps, who, chosen, "approved", reason)
    except (Conflict, PeriodLocked):
        return _list_page(ctx, field_errors={"valda": "Någon av de markerade avvikelserna väntar inte längre på "
                                                      "ditt beslut. Inget sparades. Markera igen."},
                          posted=posted, status=409)
    ctx.notice("1 avvikelse godkänd." if len(decided) == 1 else f"{len(decided)} avvikelser godkända.")
    query = urllib.parse.urlencode({k: v for k, v in _filters(ctx.query)[1].items() if v})
    return Redirect(ctx.url(PATH) + (f"?{query}" if query else ""), status=303)


def _one(ctx: Context, visit_id: str, index: str) -> PendingDeviation:
    who = case_worker(ctx)
    key = f"{visit_id}:{index}"
    found = next((p for p in pending_for_case_worker(ctx.deps, who) if p.key == key), None)
    if found is None:  # not one of theirs, or no longer waiting: the same answer
        raise NotFound("no such deviation waiting for you")
    return found


def deviation(ctx: Context, visit_id: str, index: str) -> Page | Redirect:
    found = _one(ctx, visit_id, index)
    values = {"beslut": "", "motivering": ""}
    errors: dict[str, str] = {}
    if ctx.method == "POST":
        values = {"beslut": ctx.form.get("beslut"), "motivering": ctx.form.get("motivering").strip()}
        if values["beslut"] not in DECISIONS:
            errors["beslut"] = "Välj om avvikelsen godkänns eller avslås."
        reason_error = _reason_error(values["motivering"])
        if reason_error:
            errors["motivering"] = reason_error
        if not errors:
            decide_deviation(ctx.deps, case_worker(ctx), found.visit.visit_id, found.index, values["beslut"],
                             values["motivering"])
            ctx.notice("Avvikelsen är godkänd." if values["beslut"] == "approved" else "Avvikelsen är avslagen.")
            return Redirect(ctx.url(PATH), status=303)
    return Page("deviation.html", {
        "title": page_title("Besluta om avvikelse", error=bool(errors)), "nav": nav(ctx, PATH),
        "row": _row(ctx, found), "visit": found.visit, "decisions": DECISIONS, "values": values,
        "field_errors": errors,
        "errors": [{"text": t, "href": {"beslut": "#d-beslut-approved", "motivering": "#d-motivering"}[k]}
                   for k, t in errors.items()],
        "back": ctx.url(PATH)}, status=422 if errors else 200)
