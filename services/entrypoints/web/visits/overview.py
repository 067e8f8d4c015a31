"""Översikt (the provider lead's start page) and Månaden och fakturaunderlag, for the provider's
coordinators and manager (``visits.approve``), their own provider only.

Översikt: the chosen month's state at a glance — visits registered, approved, waiting and open;
unresolved exceptions by kind (each a link to "Att åtgärda" and to the visit list filtered); the
lock date with the working days left; what still blocks the month; and per client the time
performed so far against the granted, sortable. Every count is from the month's kept summaries
(``usecases.overview.month_overview``), never from reading the month's visits. Open visits are kept
per day: those of the days before today are shown as "Avfärd saknas", today's as under way.

Månaden och fakturaunderlag: per client granted, performed, approved, absence compensation and the
preliminary invoice basis as billing computes it (billing's own rules over visits' data), with the
totals and what the basis cannot know here."""
from __future__ import annotations

import urllib.parse
from datetime import date
from typing import Any, Callable

from ....domain.calendar import MONTHS_SV, month_of
from ....domain.errors import NotFound
from ....visits.domain.exceptions import KINDS, RED
from ....visits.usecases.overview import month_basis, month_overview
from ..filters import kr, personnummer_shown
from ..http import Context, Page
from .common import nav, page_title, provider_lead

PATH = "/personal/oversikt"
MONTH_PATH = "/personal/manaden"
VISITS_PATH = "/personal/besok"  # the visit list (filters fran, till, personal, klient, status, kvittering, avvikelse)
TODO_PATH = "/personal/att-atgarda"  # "Att åtgärda" (filter typ)
MONTHS_BACK = 12
SORTS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "klient": ("Klient", lambda r: r.client),
    "beviljad": ("Beviljad tid", lambda r: (r.granted is None, r.granted or 0)),
    "utford": ("Utförd tid", lambda r: r.performed),
    "andel": ("Andel av beviljad", lambda r: (r.share is None, r.share or 0)),
}
ORDERS = {"stigande": "ascending", "fallande": "descending"}


def hours(minutes: int | None) -> str:
    """``12 h 05 min``; ``–`` for nothing."""
    if minutes is None:
        return "–"
    sign, minutes = ("−" if minutes < 0 else ""), abs(minutes)
    h, m = divmod(minutes, 60)
    return f"{sign}{h} h {m:02d} min" if h else f"{sign}{m} min"


def month_name(year: int, month: int) -> str:
    return f"{MONTHS_SV[month - 1]} {year}"


def _chosen_month(ctx: Context) -> tuple[int, int, str | None]:
    """The month asked for (``manad=ÅÅÅÅ-MM``), the current one by the local clock by default."""
    raw = (ctx.query.get("manad") or "").strip()
    current = month_of(ctx.now)
    if not raw:
        return *current, None
    try:
        year, month = (int(p) for p in raw.split("-"))
        date(year, month, 1)
        if not 2000 <= year <= 2100 or len(raw) != 7:
            raise ValueError
    except ValueError:
        return *current, "Välj en månad i listan."
    return year, month, None


def _months(ctx: Context, chosen: tuple[int, int]) -> list[dict[str, Any]]:
    year, month = month_of(ctx.now)
    out = []
    for _ in range(MONTHS_BACK + 1):
        out.append({"value": f"{year:04d}-{month:02d}", "label": month_name(year, month),
                    "selected": (year, month) == chosen})
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    if not any(m["selected"] for m in out):
        out.append({"value": f"{chosen[0]:04d}-{chosen[1]:02d}", "label": month_name(*chosen), "selected": True})
    return out


def _month_days(year: int, month: int) -> tuple[str, str]:
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, 1).isoformat(), date.fromordinal(following.toordinal() - 1).isoformat()


def _visits_href(ctx: Context, year: int, month: int, **filters: str) -> str:
    first, last = _month_days(year, month)
    return ctx.url(VISITS_PATH) + "?" + urllib.parse.urlencode({"fran": first, "till": last, **filters})


def _working_days(n: int) -> str:
    return "1 arbetsdag" if n == 1 else f"{n} arbetsdagar"


def _lock_line(o: Any) -> str:
    head = f"Spärrdatum för {MONTHS_SV[o.month - 1]}: {o.lock_date.isoformat()}"
    if not o.month_open:
        return f"{head} (passerat – månaden är låst)"
    if o.today == o.lock_date:
        return f"{head} (i dag, till midnatt)"
    if o.working_days_left == 0:
        return f"{head} (nästa arbetsdag)"
    return f"{head} (om {_working_days(o.working_days_left)})"


def _sorted_rows(ctx: Context, rows: list[Any], params: dict[str, str]) -> tuple[list[Any], list[dict[str, Any]]]:
    key = ctx.query.get("sortera") if ctx.query.get("sortera") in SORTS else "klient"
    order = ctx.query.get("ordning") if ctx.query.get("ordning") in ORDERS else "stigande"
    ordered = sorted(rows, key=SORTS[key][1], reverse=order == "fallande")
    columns = []
    for name, (label, _) in SORTS.items():
        sort = ORDERS[order] if name == key else None
        flip = "fallande" if (name == key and order == "stigande") else "stigande"
        query = urllib.parse.urlencode({**params, "sortera": name, "ordning": flip})
        columns.append({"label": label, "sort": sort, "href": ctx.url(PATH) + "?" + query + "#per-klient"})
    return ordered, columns


def overview(ctx: Context) -> Page:
    who = provider_lead(ctx)
    year, month, error = _chosen_month(ctx)
    o = month_overview(ctx.deps, who, year, month)
    params = {"manad": f"{year:04d}-{month:02d}"} if ctx.query.get("manad") and not error else {}
    rows, columns = _sorted_rows(ctx, o.clients, params)
    first, last = _month_days(year, month)
    exceptions = [{"label": KINDS[k].label if k in KINDS else k, "count": n, "red": k in RED,
                   "todo": ctx.url(TODO_PATH) + "?" + urllib.parse.urlencode({"typ": k}),
                   "visits": _visits_href(ctx, year, month, avvikelse=k)} for k, n in o.exceptions.items()]
    blockers = []
    if o.unapproved:
        blockers.append({"text": f"{o.unapproved} besök är inte {'godkänt' if o.unapproved == 1 else 'godkända'}",
                         "href": _visits_href(ctx, year, month, status="registered")})
    if o.red:
        blockers.append({"text": "1 röd avvikelse måste åtgärdas" if o.red == 1
                         else f"{o.red} röda avvikelser måste åtgärdas", "href": ctx.url(TODO_PATH)})
    if o.pending_decisions:
        blockers.append({"text": f"{o.pending_decisions} besök väntar på handläggarens beslut",
                         "href": ctx.url(TODO_PATH) + "?typ=waiting_for_case_worker"})
    errors = [{"text": error, "href": "#f-manad"}] if error else []
    return Page("overview.html", {
        "title": page_title(f"Översikt {month_name(year, month)}", error=bool(error)), "nav": nav(ctx, PATH),
        "errors": errors, "field_errors": {"manad": error} if error else {}, "months": _months(ctx, (year, month)),
        "month_label": month_name(year, month), "o": o, "lock_line": _lock_line(o), "blockers": blockers,
        "exceptions": exceptions, "hours": hours, "columns": columns,
        "rows": [{"client": personnummer_shown(r.client), "granted": hours(r.granted), "performed": hours(r.performed),
                  "share": "–" if r.share is None else f"{r.share} %", "over": r.share is not None and r.share > 100,
                  "href": _visits_href(ctx, year, month, klient=r.client)} for r in rows],
        "links": {"all": _visits_href(ctx, year, month), "approved": _visits_href(ctx, year, month, status="approved"),
                  "waiting": _visits_href(ctx, year, month, status="registered"),
                  "open": _visits_href(ctx, year, month, status="open"),
                  "month": ctx.url(MONTH_PATH) + "?" + urllib.parse.urlencode({"manad": f"{year:04d}-{month:02d}"})},
        "first": first, "last": last}, status=422 if error else 200)


NOT_KNOWN_SV = {"area": "glesbygds- och skärgårdstillägg (ekonomi klassar kundens område)",
                "social_psychiatry": "referenskod för socialpsykiatri (ekonomi klassar)",
                "mismanaged_terminations": "avdrag när ekonomi funnit att ett avslut skötts fel"}


def month(ctx: Context) -> Page:
    who = provider_lead(ctx)
    year, mm, error = _chosen_month(ctx)
    try:
        m = month_basis(ctx.deps, who, year, mm)
    except NotFound:  # no compensation rules for the month
        m = None
    t = m.totals if m else None
    return Page("month.html", {
        "title": page_title(f"Månaden och fakturaunderlag {month_name(year, mm)}", error=bool(error)),
        "nav": nav(ctx, MONTH_PATH), "errors": [{"text": error, "href": "#f-manad"}] if error else [],
        "field_errors": {"manad": error} if error else {}, "months": _months(ctx, (year, mm)),
        "month_label": month_name(year, mm), "m": m, "hours": hours, "kronor": kr,
        "rows": [{"client": personnummer_shown(r.client), "granted": hours(r.granted), "performed": hours(r.performed),
                  "approved": hours(r.approved), "absence": hours(r.absence_minutes),
                  "billable": hours(r.billable_minutes), "unverified": hours(r.unverified_minutes),
                  "amount": kr(r.amount_ore)} for r in (m.rows if m else [])],
        "totals": {"granted": hours(t.granted_minutes), "performed": hours(sum(r.performed for r in m.rows)),
                   "approved": hours(sum(r.approved for r in m.rows)), "absence": hours(t.absence_minutes),
                   "billable": hours(t.billable_minutes),
                   "unverified": hours(t.unapproved_minutes + t.awaiting_decision_minutes),
                   "amount": kr(t.amount_ore)} if m else None,
        "not_known": [NOT_KNOWN_SV[k] for k in (m.not_known if m else ())],
        "lock": m.lock_date.isoformat() if m else "", "month_open": m.month_open if m else False,
        "pack": m.pack_label if m else "", "preliminary": m.basis.preliminary_amounts if m else [],
        "overview": ctx.url(PATH) + "?" + urllib.parse.urlencode({"manad": f"{year:04d}-{mm:02d}"})},
        status=422 if error else 200)
