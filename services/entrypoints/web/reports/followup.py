"""Uppföljning (``/personal/uppfoljning?manad=YYYY-MM``): a month's follow-up as of the last
nightly build, read through reports' own use case (``read_report``: the ordering unit every
provider; a case worker only their own clients' rows, without the providers' totals). Per provider:
granted, performed and approved time and their shares; receipts (manual against the rest, lock or
NFC); deviations by kind; post-registrations and edits; personalkontinuitet. Per client (paged): the
times and shares. Each as an SVG chart drawn here with the same figures in a table beside it.

Every figure links to the visits behind it (``/personal/uppfoljning/besok``, ``visits.py``: from
reports' own client-months, each visit to its own page); a provider's or client's name to
``/personal/uppfoljning/underlag``, the report's rows (per client, provider and insats), whose
figures lead to the visits too."""
from __future__ import annotations

import urllib.parse
from typing import Any

from ....domain.calendar import stockholm_date
from ....domain.errors import NotFound
from ....reports.usecases.read import read_report
from ..formview import ErrorLink
from ..http import Context, Page
from ..months import MONTH_ERROR, asked_month, month_fields, month_of
from .charts import Group, bar_chart
from .common import follower, nav, page_title

PAGE = "/personal/uppfoljning"
ROWS_PAGE = "/personal/uppfoljning/underlag"
VISITS_PAGE = "/personal/uppfoljning/besok"
PER_PAGE = 50
DEVIATION_LABELS = {
    "manual_receipt": "Manuell kvittering", "post_registration": "Efterregistrering", "adjusted_time": "Ändrad tid",
    "over_granted_time": "Över beviljad tid", "over_granted_pending": "Över beviljad tid, ej beslutad",
    "without_decision": "Utan beslut", "rejected_open": "Avvisade händelser, öppna",
    "visit_on_absence_day": "Besök på frånvarodag",
}
INSATS = {"hemtjanst": "Hemtjänst", "personlig_omsorg": "Personlig omsorg", "service": "Serviceinsatser",
          "matdistribution": "Matdistribution", "inkop": "Inköp", "dusch": "Dusch", "ledsagning": "Ledsagning"}


def hours(minutes: int) -> str:
    return f"{minutes / 60:,.1f}".replace(",", "\u00a0").replace(".", ",") + " h"


def pct(part: int | float | None, whole: int | float | None) -> str:
    if part is None or not whole:
        return "–"
    return f"{100 * part / whole:.0f} %"


def _month(ctx: Context) -> tuple[str, dict[str, str]]:
    return asked_month(ctx, month_of(stockholm_date(ctx.now)))


def rows_url(ctx: Context, month: str, **params: Any) -> str:
    kept = {"manad": month, **{k: v for k, v in params.items() if v is not None}}
    return ctx.url(ROWS_PAGE) + "?" + urllib.parse.urlencode(kept)


def visits_url(ctx: Context, month: str, **params: Any) -> str:
    """The visits behind a figure: ``utforare``, ``brukare`` (a client's place in the build),
    ``avvikelse`` (a kind of figure), ``byggd`` (the build the link was made from)."""
    kept = {"manad": month, **{k: v for k, v in params.items() if v is not None}}
    return ctx.url(VISITS_PAGE) + "?" + urllib.parse.urlencode(kept)


def _clients(rows: list[dict]) -> list[dict]:
    """The report's rows per (client, provider): sums of the insats rows."""
    out: dict[tuple[int, str], dict] = {}
    for r in rows:
        key = (r["client_no"], r["provider_id"])
        c = out.get(key)
        if c is None:
            c = out[key] = {"client": r["client"], "client_no": r["client_no"], "provider_id": r["provider_id"],
                            "granted": 0, "performed": 0, "approved": 0, "visits": 0,
                            "deviations": sum(v for k, v in r.get("deviations", {}).items()
                                              if k != "over_granted_pending"),
                            "continuity_max": r["continuity_max"]}
        for k in ("granted", "performed", "approved", "visits"):
            c[k] += r[k]
    return list(out.values())


def _provider_view(ctx: Context, month: str, p: dict) -> dict:
    dev = p.get("deviations", {})
    manual = dev.get("manual_receipt", 0)
    visits = p.get("visits", 0)
    cont = p.get("continuity") or {}
    link = rows_url(ctx, month, utforare=p["provider_id"])
    return {"id": p["provider_id"], "link": link, "clients": p.get("clients", 0),
            "visits_link": visits_url(ctx, month, utforare=p["provider_id"]),
            "digital_link": visits_url(ctx, month, utforare=p["provider_id"], avvikelse="digital_receipt"),
            "unapproved_link": visits_url(ctx, month, utforare=p["provider_id"], avvikelse="unapproved"),
            "granted": p["granted_minutes"], "performed": p["performed_minutes"], "approved": p["approved_minutes"],
            "share_performed": pct(p["performed_minutes"], p["granted_minutes"]),
            "share_approved": pct(p["approved_minutes"], p["performed_minutes"]),
            "visits": visits, "manual": manual, "digital": max(0, visits - manual),
            "share_digital": pct(max(0, visits - manual), visits), "share_manual": pct(manual, visits),
            "deviations": {k: dev.get(k, 0) for k in DEVIATION_LABELS},
            "deviation_links": {k: visits_url(ctx, month, utforare=p["provider_id"], avvikelse=k)
                                for k in DEVIATION_LABELS},
            "post_registrations": dev.get("post_registration", 0), "edits": dev.get("adjusted_time", 0),
            "continuity_median": cont.get("median"), "continuity_mean": cont.get("mean"),
            "continuity_counted": cont.get("clients_counted", 0), "continuity_over_20": cont.get("share_over_20")}


def _charts(providers: list[dict], municipality: dict | None) -> dict[str, str]:
    def g(label: str, values: tuple, texts: tuple) -> Group:
        return Group(label, values, texts)

    time = bar_chart("c-tid", "Beviljad, utförd och godkänd tid per utförare", ["Beviljad", "Utförd", "Godkänd"],
                     [g(p["id"], (p["granted"], p["performed"], p["approved"]),
                        (hours(p["granted"]), f'{hours(p["performed"])} ({p["share_performed"]})',
                         f'{hours(p["approved"])} ({p["share_approved"]})')) for p in providers])
    receipts = bar_chart("c-kvitto", "Kvittering av besök per utförare", ["Digitalt (lås eller NFC)", "Manuellt"],
                         [g(p["id"], (p["digital"], p["manual"]),
                            (f'{p["digital"]} ({p["share_digital"]})', f'{p["manual"]} ({p["share_manual"]})'))
                          for p in providers])
    totals = (municipality or {}).get("deviations") or {}
    deviations = bar_chart("c-avvikelser", "Avvikelser per orsak, alla utförare", ["Antal"],
                           [g(DEVIATION_LABELS[k], (totals.get(k, 0),), (str(totals.get(k, 0)),))
                            for k in DEVIATION_LABELS])
    edits = bar_chart("c-efter", "Efterregistreringar och ändrade besök per utförare",
                      ["Efterregistreringar", "Ändrad tid"],
                      [g(p["id"], (p["post_registrations"], p["edits"]),
                         (str(p["post_registrations"]), str(p["edits"]))) for p in providers])
    counted = [p for p in providers if p["continuity_median"] is not None]
    continuity = bar_chart("c-kont", "Personalkontinuitet per utförare (median, antal personal på 14 dagar)",
                           ["Median", "Medel"],
                           [g(p["id"], (p["continuity_median"], p["continuity_mean"] or 0),
                              (_num(p["continuity_median"]), _num(p["continuity_mean"]))) for p in counted])
    return {"time": time, "receipts": receipts, "deviations": deviations, "edits": edits, "continuity": continuity}


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


def followup(ctx: Context) -> Page:
    who = follower(ctx)
    month, errors = _month(ctx)
    base = {"nav": nav(ctx, PAGE), **month_fields(month, errors), "report": None}
    if errors:
        return Page("followup.html", {**base, "title": page_title("Uppföljning", error=True)}, status=422)
    try:
        report = read_report(ctx.deps, who, month)
    except NotFound:
        return Page("followup.html", {**base, "title": page_title(f"Uppföljning {month}")})
    providers = [_provider_view(ctx, month, p) for p in report["providers"]]
    clients = _clients(report["rows"])
    try:
        page_no = max(1, int(ctx.query.get("sida", "1")))
    except ValueError:
        page_no = 1
    pages = max(1, -(-len(clients) // PER_PAGE))
    page_no = min(page_no, pages)
    shown = clients[(page_no - 1) * PER_PAGE: page_no * PER_PAGE]
    for c in shown:
        c["link"] = rows_url(ctx, month, utforare=c["provider_id"], brukare=c["client_no"], byggd=report["built_at"])
        c["visits_link"] = visits_url(ctx, month, utforare=c["provider_id"], brukare=c["client_no"],
                                      byggd=report["built_at"])
        c["share_performed"] = pct(c["performed"], c["granted"])
        c["share_approved"] = pct(c["approved"], c["performed"])

    def at(n: int) -> str:
        return ctx.url(PAGE) + "?" + urllib.parse.urlencode({"manad": month, "sida": n}) + "#brukare"

    paging = {"first": at(1) if page_no > 2 else None, "previous": at(page_no - 1) if page_no > 1 else None,
              "next": at(page_no + 1) if page_no < pages else None}
    return Page("followup.html", {
        **base, "title": page_title(f"Uppföljning {month}"), "report": report, "providers": providers,
        "municipality": report["municipality"],
        "charts": _charts(providers, report["municipality"]) if providers else {},
        "clients": shown, "client_count": len(clients), "page_no": page_no, "pages": pages, "paging": paging,
        "own_clients_only": report["municipality"] is None and not providers, "labels": DEVIATION_LABELS,
        "continuity_counted": any(p["continuity_median"] is not None for p in providers),
        "hours": hours, "num": _num,
    })


def behind(ctx: Context) -> Page:
    """The report's rows behind a figure: one provider's (all, or those with a kind of deviation),
    or one client's at one provider (``brukare``: the client's place in the build named by ``byggd``)."""
    who = follower(ctx)
    month, errors = _month(ctx)
    if errors:
        return Page("behind.html", {"nav": nav(ctx, PAGE), "title": page_title("Underlag", error=True),
                                    "errors": [ErrorLink("#manad", MONTH_ERROR)], "month": month, "rows": None},
                    status=422)
    provider = ctx.query.get("utforare") or None
    kind = ctx.query.get("avvikelse") or None
    if kind is not None and kind not in DEVIATION_LABELS:
        raise NotFound("no such deviation kind")
    report = read_report(ctx.deps, who, month)
    rows = report["rows"]
    if provider is not None:
        rows = [r for r in rows if r["provider_id"] == provider]
    client_no = ctx.query.get("brukare")
    rebuilt = False
    if client_no is not None:
        if not client_no.isdigit():
            raise NotFound("no such client")
        rebuilt = ctx.query.get("byggd") not in (None, report["built_at"])
        rows = [r for r in rows if r["client_no"] == int(client_no)]
    if kind is not None:
        rows = [r for r in rows if r.get("deviations", {}).get(kind)]
    if not rows and (provider is not None or client_no is not None) and not rebuilt:
        raise NotFound("nothing of the report behind it")  # another's, or none: never an empty list by accident
    try:
        page_no = max(1, int(ctx.query.get("sida", "1")))
    except ValueError:
        page_no = 1
    pages = max(1, -(-len(rows) // PER_PAGE))
    page_no = min(page_no, pages)
    here = {k: v for k, v in ctx.query.items() if k in ("manad", "utforare", "brukare", "byggd", "avvikelse")}

    def at(n: int) -> str:
        return ctx.url(ROWS_PAGE) + "?" + urllib.parse.urlencode({**here, "sida": n})

    paging = {"first": at(1) if page_no > 2 else None, "previous": at(page_no - 1) if page_no > 1 else None,
              "next": at(page_no + 1) if page_no < pages else None}
    heading = ("Underlag" + (f" – {provider}" if provider else "")
               + (f" – {DEVIATION_LABELS[kind].lower()}" if kind else "")
               + (f" – brukare {rows[0]['client']}" if client_no is not None and rows else ""))
    return Page("behind.html", {
        "nav": nav(ctx, PAGE), "title": page_title(heading, month), "heading": heading, "month": month,
        "report": report, "rows": rows[(page_no - 1) * PER_PAGE: page_no * PER_PAGE], "count": len(rows),
        "paging": paging, "rebuilt": rebuilt, "kind": kind, "labels": DEVIATION_LABELS, "insats": INSATS,
        "back": ctx.url(PAGE) + "?" + urllib.parse.urlencode({"manad": month}), "hours": hours, "pct": pct,
        "rows_url": lambda **kw: rows_url(ctx, month, **kw),
        "visits_url": lambda **kw: visits_url(ctx, month, **kw),
    })
