"""Inkorg: every e-application ("Alla handläggare ser alla ansökningar"), with the seed's columns,
filters as a GET form (every view has an address), the order by submit time, paging and a search
by personnummer, case number or name. The list is case work's ``search_inbox``, which pages
through the inbox's index; a person with protected identity is shown as "Skyddad identitet"."""
from __future__ import annotations

import urllib.parse
from typing import Any

from ....eservices.domain.cases import STAFF_LABELS_SV
from ..formview import ErrorLink
from ..http import Context, Page
from .common import case_worker, case_workers, me_id, nav, page_title

FILTERS = ("q", "status", "kind", "category", "from", "to", "case_worker", "mine", "order")
KINDS = {"applications": "Ansökningar", "reports": "Rapporter från kontaktpersoner"}
# What a bad filter value says, per field (Swedish, beside the field and in the error summary).
MESSAGES = {
    "from": "Skriv från-datum som ÅÅÅÅ-MM-DD, till exempel 2026-11-01.",
    "to": "Skriv till-datum som ÅÅÅÅ-MM-DD, och inte före från-datum.",
    "status": "Välj en status i listan.",
    "kind": "Välj typ i listan.",
    "category": "Insatskategorin kan vara högst 200 tecken.",
    "case_worker": "Välj handläggare i listan.",
    "q": "Sök med personnummer, ärendenummer (ÅÅÅÅ-NNNNNN) eller namn, högst 100 tecken.",
    "order": "Välj ordning i listan.",
    "cursor": "Sidan finns inte längre. Börja från första sidan.",
    "mine": "Välj om du bara vill se dina ärenden.",
}
ORDER_LABELS = {"newest": "nyast först", "oldest": "äldst först", "status": "efter status, Ny först",
                "status_desc": "efter status, Avslutad först"}
BADGES = {"new": "new", "received": "info", "in_progress": "info", "decided": "done", "closed": "done"}


def _query(ctx: Context) -> tuple[Any, dict[str, str]]:
    """The filter form's values as case work's query, and a Swedish error per bad field."""
    from pydantic import ValidationError

    from ....eservices.casework.models.inbox import StaffInboxQuery

    values = {k: v for k, v in ctx.query.items() if k in (*FILTERS, "cursor", "limit") and v != ""}
    if "mine" in values:
        values["mine"] = values["mine"] in ("1", "on", "true", "ja")
    try:
        return StaffInboxQuery.model_validate(values), {}
    except ValidationError as exc:
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        errors = {("from" if f == "from_" else f): MESSAGES.get("from" if f == "from_" else f, "Ogiltigt värde.")
                  for f in bad}
        return None, errors


def _address(ctx: Context, params: dict[str, str]) -> str:
    kept = {k: v for k, v in params.items() if v not in ("", None)}
    return ctx.url("/personal/inkorg") + ("?" + urllib.parse.urlencode(kept) if kept else "")


def inbox(ctx: Context) -> Page:
    from ....eservices.casework.usecases.inbox import search_inbox

    who = case_worker(ctx)
    query, errors = _query(ctx)
    current = {k: ctx.query.get(k, "") for k in (*FILTERS, "limit")}
    result = search_inbox(ctx.deps, who, query) if query is not None else None
    order = query.order if query is not None else "newest"
    rows = []
    for r in (result.items if result else []):
        rows.append({**r.model_dump(), "badge": BADGES.get(r.status, "info"),
                     "intake_url": ctx.url(f"/personal/ansokningar/{r.case_id}/koppla") if r.status == "new" else None})
    by_date = order in ("newest", "oldest")
    sort_by_date = {"label": "Inskickat den",
                    "sort": ("descending" if order == "newest" else "ascending") if by_date else None,
                    "href": _address(ctx, {**current, "order": "oldest" if order == "newest" else "newest"})}
    sort_by_status = {"label": "Status",
                      "sort": {"status": "ascending", "status_desc": "descending"}.get(order),
                      "href": _address(ctx, {**current, "order": "status_desc" if order == "status" else "status"})}
    # Back without a store: the cursors of the pages before this one travel in the address (``back``).
    back = [c for c in ctx.query.get("back", "").split(",") if c][-20:]
    here = ctx.query.get("cursor", "")
    previous = None
    if back:
        previous = _address(ctx, {**current, "cursor": back[-1], "back": ",".join(back[:-1])})
    elif here:
        previous = _address(ctx, current)
    following = None
    if result and result.next_cursor:
        following = _address(ctx, {**current, "cursor": result.next_cursor, "back": ",".join([*back, here] if here else [])})
    paging = {"first": _address(ctx, current) if back else None, "previous": previous, "next": following}
    links = [ErrorLink(f"#filter-{name}", text) for name, text in errors.items()]
    return Page("inbox.html", {
        "title": page_title("Inkorg", error=bool(errors)), "nav": nav(ctx, "/personal/inkorg"), "rows": rows,
        "errors": links, "field_errors": errors, "current": current, "sort_by_date": sort_by_date, "sort_by_status": sort_by_status,
        "order_label": ORDER_LABELS[order],
        "paging": paging, "statuses": STAFF_LABELS_SV, "kinds": KINDS,
        "case_workers": case_workers(ctx, who), "me": me_id(who),
        "filtered": any(current[k] for k in FILTERS if k != "order"), "clear_url": ctx.url("/personal/inkorg"),
    })
