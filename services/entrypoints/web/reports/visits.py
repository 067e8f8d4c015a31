"""Besöken bakom en siffra (``/personal/uppfoljning/besok?manad=&utforare=&brukare=&avvikelse=``)
and one visit (``/personal/uppfoljning/besok/{brukare}/{besok}?manad=``): what reports' own
client-months keep of the visits behind a figure of the month's follow-up (never the visits
service's table), through ``figure_visits`` and ``one_visit`` (the ordering unit and finance every
provider; a case worker their own clients only). A client is named by its place in the month's
build (``brukare``, as the report's rows name it), never by personnummer; ``byggd`` says which build
a link was made from, so a page can say the report was rebuilt since."""
from __future__ import annotations

import urllib.parse
from ....domain.errors import NotFound
from ....reports.domain.behind import NOT_VISITS
from ....reports.usecases.follow_up import figure_visits, one_visit
from ..formview import ErrorLink
from ..http import Context, Page
from ..months import MONTH_ERROR
from .common import follower, nav, page_title
from .followup import DEVIATION_LABELS, INSATS, PAGE, VISITS_PAGE, _month, hours, rows_url, visits_url

PER_PAGE = 50
KIND_LABELS = {**DEVIATION_LABELS, "unapproved": "Ej godkända", "double_staffed": "Dubbelbemannade",
               "digital_receipt": "Digital kvittering"}
RECEIPTS = {"digital_lock": "Lås", "nfc": "NFC", "manual": "Manuell", "post_registration": "Efterregistrering"}
DECISIONS = {"noted": "Noterad", "pending": "Väntar på beslut", "approved": "Godkänd", "rejected": "Avslagen"}
STATUSES = {"open": "Pågår", "registered": "Registrerad, ej godkänd", "approved": "Godkänd"}


def visit_url(ctx: Context, month: str, client_no: int, visit_id: str, built: str | None = None) -> str:
    query = {"manad": month, **({"byggd": built} if built else {})}
    return ctx.url(f"{VISITS_PAGE}/{client_no}/{urllib.parse.quote(visit_id, safe='')}") + "?" + \
        urllib.parse.urlencode(query)


def _bad_month(ctx: Context, month: str) -> Page:
    return Page("visits.html", {"nav": nav(ctx, PAGE), "title": page_title("Besök", error=True),
                                "errors": [ErrorLink("#manad", MONTH_ERROR)], "month": month, "visits": None},
                status=422)


def _client_no(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise NotFound("no such client")
    return int(raw)


def behind(ctx: Context) -> Page:
    who = follower(ctx)
    month, errors = _month(ctx)
    if errors:
        return _bad_month(ctx, month)
    provider = ctx.query.get("utforare") or None
    kind = ctx.query.get("avvikelse") or None
    client_no = _client_no(ctx.query.get("brukare"))
    found = figure_visits(ctx.deps, who, month, provider, client_no, kind)
    visits = found["visits"]
    rebuilt = ctx.query.get("byggd") not in (None, found["built_at"])
    try:
        page_no = max(1, int(ctx.query.get("sida", "1")))
    except ValueError:
        page_no = 1
    pages = max(1, -(-len(visits) // PER_PAGE))
    page_no = min(page_no, pages)
    here = {k: v for k, v in ctx.query.items() if k in ("manad", "utforare", "brukare", "byggd", "avvikelse")}

    def at(n: int) -> str:
        return ctx.url(VISITS_PAGE) + "?" + urllib.parse.urlencode({**here, "sida": n})

    paging = {"first": at(1) if page_no > 2 else None, "previous": at(page_no - 1) if page_no > 1 else None,
              "next": at(page_no + 1) if page_no < pages else None}
    shown = visits[(page_no - 1) * PER_PAGE: page_no * PER_PAGE]
    for v in shown:
        v["link"] = visit_url(ctx, month, v["client_no"], v["id"], found["built_at"])
    heading = ("Besök" + (f" – {provider}" if provider else "")
               + (f" – {KIND_LABELS[kind].lower()}" if kind else "")
               + (f" – brukare {found['client']}" if found["client"] else ""))
    return Page("visits.html", {
        "nav": nav(ctx, PAGE), "title": page_title(heading, month), "heading": heading, "month": month,
        "built_at": found["built_at"], "visits": shown, "count": len(visits), "page_no": page_no, "pages": pages,
        "paging": paging, "rebuilt": rebuilt, "kind": kind, "not_visits": kind in NOT_VISITS,
        "kinds": KIND_LABELS, "receipts": RECEIPTS, "decisions": DECISIONS, "statuses": STATUSES, "insats": INSATS,
        "back": ctx.url(PAGE) + "?" + urllib.parse.urlencode({"manad": month}),
        "rows_link": rows_url(ctx, month, utforare=provider, brukare=client_no,
                              byggd=found["built_at"] if client_no is not None else None,
                              avvikelse=kind if kind in DEVIATION_LABELS else None),
        "hours": hours,
    })


def one(ctx: Context, client_no: str, visit_id: str) -> Page:
    who = follower(ctx)
    month, errors = _month(ctx)
    if errors:
        return _bad_month(ctx, month)
    number = _client_no(client_no)
    found = one_visit(ctx.deps, who, month, number if number is not None else -1, visit_id)
    v = found["visit"]
    rebuilt = ctx.query.get("byggd") not in (None, found["built_at"])
    heading = f"Besök {v['start'].strftime('%Y-%m-%d %H:%M')}, brukare {found['client']}"
    return Page("visit.html", {
        "nav": nav(ctx, PAGE), "title": page_title(heading, month), "heading": heading, "month": month,
        "built_at": found["built_at"], "v": v, "client": found["client"], "rebuilt": rebuilt,
        "kinds": KIND_LABELS, "receipts": RECEIPTS, "decisions": DECISIONS, "statuses": STATUSES, "insats": INSATS,
        "client_visits": visits_url(ctx, month, utforare=v["provider"], brukare=found["client_no"],
                                    byggd=found["built_at"]),
        "back": ctx.url(PAGE) + "?" + urllib.parse.urlencode({"manad": month}), "hours": hours,
    })
