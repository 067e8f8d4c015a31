"""Att åtgärda: the provider's month of visits with their unresolved exceptions, triaged red
("Måste åtgärdas": blocks approval) and grey ("Kvitteras"), filterable by severity, kind and
client, in pages; each exception with what to do and, where a reason resolves it, a form with the
reason codes (the data of ``reason_codes.json``) and a free text. The month's reasons are counted
below ("Orsaker denna månad"), the device codes per lock or tag. Every list and resolution is the
API's use case (``usecases/exceptions``); bad input stores nothing and comes back with an error
summary (422), a visit changed meanwhile is a 409 with the form kept."""
from __future__ import annotations

import urllib.parse
from typing import Any

from ....domain.calendar import local_clock, month_of, stockholm_date
from ....domain.errors import Conflict, Forbidden, NotFound, PeriodLocked, ValidationFailed
from ....domain.personnummer import InvalidPersonnummer, Personnummer
from ....visits.domain.exceptions import KINDS, TEXT_MAX, TEXT_MIN, codes_for, resolution_refusal
from ....visits.usecases.exceptions import (ExceptionRow, exceptions_of_month, exceptions_of_visit, reason_statistics,
                                            resolve)
from ....visits.usecases.guards import scoped
from ..http import Context, Page, Redirect
from .common import nav, page_title, provider_lead

PATH = "/personal/att-atgarda"
VISIT_PATH = "/personal/besok"  # the visit's own page (its events, insatser, timeline)
PAGE_SIZE = 50
SEVERITIES = {"red": "Måste åtgärdas", "grey": "Kvitteras"}
SEVERITY_FILTER = {"rod": "red", "gra": "grey"}  # the GET form's values (Swedish, ASCII)
FILTER_LABELS = {"rod": "Röda – måste åtgärdas", "gra": "Grå – kvitteras"}
STATUSES = {"open": "Pågår", "registered": "Registrerat", "approved": "Godkänt", "rejected_event": "Händelse utan ankomst"}
DEVICE_NAMES = {"lock_failed": "Lås", "tag_unreadable": "Tagg"}
FILTER_ERRORS = {"manad": "#f-manad", "allvarlighet": "#f-allvarlighet", "typ": "#f-typ", "klient": "#f-klient"}


def _month(value: str, ctx: Context) -> tuple[int, int] | None:
    if not value:
        return month_of(ctx.deps.clock())
    try:
        year, month = (int(x) for x in value.split("-"))
        if len(value) == 7 and 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return None


def _filters(ctx: Context) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The GET form: (for the use case, as typed, errors by field)."""
    values = {k: (ctx.query.get(k) or "").strip() for k in ("manad", "allvarlighet", "typ", "klient")}
    asked: dict[str, Any] = {}
    errors: dict[str, str] = {}
    month = _month(values["manad"], ctx)
    if month is None:
        errors["manad"] = "Skriv månaden som ÅÅÅÅ-MM, till exempel 2026-11."
    else:
        asked["month"] = month
        values["manad"] = f"{month[0]:04d}-{month[1]:02d}"
    if values["allvarlighet"]:
        if values["allvarlighet"] in SEVERITY_FILTER:
            asked["severity"] = SEVERITY_FILTER[values["allvarlighet"]]
        else:
            errors["allvarlighet"] = "Välj röda, grå eller alla."
    if values["typ"]:
        if values["typ"] in KINDS:
            asked["kind"] = values["typ"]
        else:
            errors["typ"] = "Välj en av undantagstyperna i listan."
    if values["klient"]:
        try:
            asked["client"] = str(Personnummer(values["klient"]))
        except (InvalidPersonnummer, ValueError):
            errors["klient"] = "Skriv kundens personnummer med 12 siffror, ÅÅÅÅMMDD-NNNN."
    return asked, values, errors


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _entry(ctx: Context, row: ExceptionRow, kind: str) -> dict[str, Any]:
    k = KINDS[kind]
    href = (ctx.url(f"{PATH}/{_quote(row.visit.visit_id)}/{kind}")
            if row.visit is not None and resolution_refusal(kind) is None else None)
    return {"kind": kind, "label": k.label, "severity": SEVERITIES[k.severity], "red": k.severity == "red",
            "what_to_do": k.what_to_do, "href": href, "action": "Åtgärda" if k.severity == "red" else "Kvittera"}


def _row(ctx: Context, row: ExceptionRow) -> dict[str, Any]:
    v, r = row.visit, row.rejected
    start, end = (v.started_at, v.ended_at) if v is not None else (row.at, None)
    return {"day": stockholm_date(start).isoformat(),
            "time": f"{local_clock(start)}–{local_clock(end) if end else ''}",
            "client": (v.client if v is not None else r.event.client).masked,  # type: ignore[union-attr]
            "staff": v.staff_id if v is not None else r.event.staff_id,  # type: ignore[union-attr]
            "status": STATUSES.get(v.status if v is not None else "rejected_event", ""),
            "visit_href": ctx.url(f"{VISIT_PATH}/{_quote(v.visit_id)}") if v is not None else None,
            "exceptions": [_entry(ctx, row, k) for k in row.kinds]}


def _address(ctx: Context, values: dict[str, str], **extra: str) -> str:
    query = urllib.parse.urlencode({**{k: v for k, v in values.items() if v}, **extra})
    return ctx.url(PATH) + (f"?{query}" if query else "")


def _statistics(ctx: Context, who: Any, year: int, month: int) -> list[dict[str, Any]]:
    rows = []
    for c in reason_statistics(ctx.deps, who, year, month):
        if not c.count:
            continue
        rows.append({"label": c.label, "count": c.count, "devices": [
            {"name": (f"{DEVICE_NAMES.get(c.code, 'Enhet')} {d.device_id}" if d.device_id
                      else f"Inget {DEVICE_NAMES.get(c.code, 'enhet').lower()} kopplat"),
             "client": d.client, "count": d.count} for d in c.devices]})
    return rows


def triage(ctx: Context) -> Page:
    who = provider_lead(ctx)
    asked, values, errors = _filters(ctx)
    cursor = (ctx.query.get("sida") or "").strip() or None
    rows: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    following = None
    stats: list[dict[str, Any]] = []
    month = asked.pop("month", None)
    if not errors and month is not None:
        try:
            found = exceptions_of_month(ctx.deps, who, *month, limit=PAGE_SIZE, cursor=cursor, **asked)
        except ValidationFailed:  # a cursor this list did not hand out: its first page
            found = exceptions_of_month(ctx.deps, who, *month, limit=PAGE_SIZE, **asked)
            cursor = None
        rows = [_row(ctx, r) for r in found.rows]
        counts = found.counts
        following = _address(ctx, values, sida=found.next_cursor) if found.next_cursor else None
        stats = _statistics(ctx, who, *month)
    shown = month or month_of(ctx.deps.clock())
    before = (shown[0] - 1, 12) if shown[1] == 1 else (shown[0], shown[1] - 1)
    after = (shown[0] + 1, 1) if shown[1] == 12 else (shown[0], shown[1] + 1)
    filtered = any(values[k] for k in ("allvarlighet", "typ", "klient"))
    return Page("triage.html", {
        "title": page_title("Att åtgärda", error=bool(errors)), "nav": nav(ctx, PATH), "rows": rows,
        "values": values, "field_errors": errors,
        "errors": [{"text": t, "href": FILTER_ERRORS[k]} for k, t in errors.items()],
        "kinds": {code: k.label for code, k in KINDS.items()}, "severities": FILTER_LABELS,
        "counts": [{"label": KINDS[k].label, "severity": SEVERITIES[KINDS[k].severity], "count": n}
                   for k, n in sorted(counts.items(), key=lambda kv: (KINDS[kv[0]].severity != "red",
                                                                      list(KINDS).index(kv[0])))],
        "month_label": f"{shown[0]:04d}-{shown[1]:02d}",
        "previous_month": _address(ctx, {**values, "manad": f"{before[0]:04d}-{before[1]:02d}"}),
        "next_month": _address(ctx, {**values, "manad": f"{after[0]:04d}-{after[1]:02d}"}),
        "paging": {"first": _address(ctx, values) if cursor else None, "previous": None, "next": following},
        "stats": stats, "filtered": filtered, "clear_url": _address(ctx, {"manad": values["manad"]}),
    }, status=200)


# --- one exception -----------------------------------------------------------------------------

def _text_error(code: Any, text: str) -> str | None:
    if code is not None and code.needs_text and len(text) < TEXT_MIN:
        return f"Beskriv orsaken, minst {TEXT_MIN} tecken."
    if len(text) > TEXT_MAX:
        return f"Beskrivningen får vara högst {TEXT_MAX} tecken."
    if any(ord(c) < 32 and c not in "\r\n\t" for c in text):
        return "Beskrivningen innehåller tecken som inte kan sparas."
    return None


def resolution(ctx: Context, visit_id: str, kind: str) -> Page | Redirect:
    who = provider_lead(ctx)
    visit = scoped(who, ctx.deps.days.get_visit(visit_id))
    if kind not in KINDS or resolution_refusal(kind) is not None:
        raise NotFound("no such exception to resolve")
    now = ctx.deps.clock()
    if ctx.method != "POST" and kind not in exceptions_of_visit(ctx.deps, visit, now):
        raise NotFound("no such exception to resolve")  # resolved already, or never there
    codes = {c.code: c for c in codes_for(kind)}
    values = {"orsak": "", "beskrivning": "", "version": str(visit.version)}
    errors: dict[str, str] = {}
    status = 200
    if ctx.method == "POST":
        values = {"orsak": ctx.form.get("orsak"), "beskrivning": ctx.form.get("beskrivning").strip(),
                  "version": ctx.form.get("version")}
        code = codes.get(values["orsak"])
        if code is None:
            errors["orsak"] = "Välj en orsak i listan."
        text_error = _text_error(code, values["beskrivning"])
        if text_error:
            errors["beskrivning"] = text_error
        version = int(values["version"]) if values["version"].isdigit() else -1
        status = 422 if errors else 200
        if not errors:
            try:
                resolve(ctx.deps, who, visit.visit_id, kind, values["orsak"], values["beskrivning"], version)
            except PeriodLocked:
                errors["orsak"] = "Månaden är låst efter spärrdatum. Inget sparades."
                status = 409
            except Conflict:
                errors["orsak"] = ("Besöket har ändrats sedan du öppnade sidan, eller undantaget är redan "
                                   "åtgärdat. Inget sparades. Läs in sidan igen.")
                status = 409
            except Forbidden:
                errors["orsak"] = ("Du kan inte åtgärda ett rött undantag i ett besök som du själv har utfört, "
                                   "registrerat eller ändrat. En annan samordnare eller verksamhetschefen gör det.")
                status = 403
            except ValidationFailed as exc:  # the use case's own check: the same rules as above
                field = "beskrivning" if exc.errors and exc.errors[0].field == "text" else "orsak"
                errors[field] = "Orsaken eller beskrivningen kan inte sparas för det här undantaget."
                status = 422
            else:
                ctx.notice(f"{KINDS[kind].label}: {'åtgärdat' if KINDS[kind].severity == 'red' else 'kvitterat'}.")
                return Redirect(ctx.url(PATH) + "?" + urllib.parse.urlencode(
                    {"manad": "%04d-%02d" % month_of(visit.started_at)}), status=303)
    first_code = next(iter(codes), "")
    k = KINDS[kind]
    return Page("triage_resolve.html", {
        "title": page_title(("Åtgärda" if k.severity == "red" else "Kvittera") + " undantag", error=bool(errors)),
        "nav": nav(ctx, PATH), "kind": {"label": k.label, "severity": SEVERITIES[k.severity],
                                         "red": k.severity == "red", "what_to_do": k.what_to_do},
        "visit": {"day": stockholm_date(visit.started_at).isoformat(),
                  "time": f"{local_clock(visit.started_at)}–"
                          f"{local_clock(visit.ended_at) if visit.ended_at else ''}",
                  "client": visit.client.masked, "staff": visit.staff_id, "minutes": visit.minutes,
                  "status": STATUSES.get(visit.status, visit.status),
                  "href": ctx.url(f"{VISIT_PATH}/{_quote(visit.visit_id)}")},
        "codes": [{"code": c.code, "label": c.label, "needs_text": c.needs_text} for c in codes.values()],
        "values": values, "field_errors": errors,
        "errors": [{"text": t, "href": {"orsak": f"#r-orsak-{first_code}", "beskrivning": "#r-beskrivning"}[f]}
                   for f, t in errors.items()],
        "action": ctx.url(f"{PATH}/{_quote(visit.visit_id)}/{kind}"),
        "back": ctx.url(PATH) + "?" + urllib.parse.urlencode({"manad": "%04d-%02d" % month_of(visit.started_at)}),
        "text_max": TEXT_MAX}, status=status)
