"""Trend (``/personal/uppfoljning/trend?manad=YYYY-MM``): per provider, the twelve months up to the
month chosen, from each month's report as the nightly build left it (read, never rebuilt): granted,
performed and approved time and their shares, the share of visits receipted digitally,
post-registrations and edits, personalkontinuitet. One line chart of the shares per provider with
every figure in a table beside it; each figure leads to that month's visits behind it. A case
worker sees no provider's totals (they hold every client): the page says so."""
from __future__ import annotations

import re
import urllib.parse

from ....auth.principal import Role
from ....reports.usecases.follow_up import trend as read_trend
from ..http import Context, Page
from ..months import month_fields
from .charts import line_chart
from .common import follower, nav, page_title
from .followup import _month, _num, hours, pct
from .visits import visits_url

PAGE = "/personal/uppfoljning/trend"


def _share(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def month_row(ctx: Context, month: str, provider: str, p: dict | None) -> dict:
    if p is None:
        return {"month": month, "missing": True}
    dev = p.get("deviations", {})
    visits, manual = p.get("visits", 0), dev.get("manual_receipt", 0)
    link = visits_url(ctx, month, utforare=provider)
    return {"month": month, "missing": False, "link": link,
            "kind_link": {k: visits_url(ctx, month, utforare=provider, avvikelse=k)
                          for k in ("manual_receipt", "post_registration", "adjusted_time")},
            "granted": hours(p["granted_minutes"]), "performed": hours(p["performed_minutes"]),
            "approved": hours(p["approved_minutes"]),
            "share_performed": pct(p["performed_minutes"], p["granted_minutes"]),
            "share_approved": pct(p["approved_minutes"], p["performed_minutes"]),
            "visits": visits, "manual": manual, "share_digital": pct(max(0, visits - manual), visits),
            "post_registrations": dev.get("post_registration", 0), "edits": dev.get("adjusted_time", 0),
            "continuity": _num((p.get("continuity") or {}).get("median")),
            "v_performed": _share(p["performed_minutes"], p["granted_minutes"]),
            "v_approved": _share(p["approved_minutes"], p["performed_minutes"]),
            "v_digital": _share(max(0, visits - manual), visits)}


def trend(ctx: Context) -> Page:
    who = follower(ctx)
    month, errors = _month(ctx)
    base = {"nav": nav(ctx, PAGE), **month_fields(month, errors)}
    if errors:
        return Page("trend.html", {**base, "title": page_title("Trend", error=True), "providers": []}, status=422)
    found = read_trend(ctx.deps, who, month)
    providers = []
    for name, by_month in found["providers"].items():
        rows = [month_row(ctx, m, name, by_month.get(m)) for m in found["months"]]
        chart = line_chart(f"c-trend-{re.sub(r'[^A-Za-z0-9_-]', '-', name)}", f"Andelar per månad, {name}",
                           found["months"],
                           [("Utförd av beviljad tid", [r.get("v_performed") for r in rows]),
                            ("Godkänd av utförd tid", [r.get("v_approved") for r in rows]),
                            ("Digital kvittering av besöken", [r.get("v_digital") for r in rows])])
        providers.append({"id": name, "rows": rows, "chart": chart})
    return Page("trend.html", {
        **base, "title": page_title(f"Trend tolv månader till {month}"), "providers": providers,
        "first": found["months"][0], "missing": [m for m in found["months"] if m not in found["built"]],
        "own_clients_only": who.role == Role.CASE_WORKER,
        "followup": ctx.url("/personal/uppfoljning") + "?" + urllib.parse.urlencode({"manad": month}),
    })
