"""Tidiga varningar (``/personal/uppfoljning/varningar?manad=YYYY-MM``): the rules of
``services.reports.domain.warnings`` on the month chosen (a), (b), and on it and the month before (c):
clients under the granted time week after week, providers whose share of manual receipts or
post-registrations rises, lock dates with unapproved time. Each warning leads to the visits behind
it; the page states each rule with its thresholds. A case worker gets rule (a) for their own clients."""
from __future__ import annotations

import urllib.parse

from ....domain.calendar import stockholm_date
from ....reports.domain import warnings as rules
from ....reports.usecases.follow_up import early_warnings
from ..http import Context, Page
from ..months import month_fields
from .common import follower, nav, page_title
from .followup import _month, hours
from .visits import KIND_LABELS, visits_url

PAGE = "/personal/uppfoljning/varningar"
RULE_NAMES = {"jump": "Ett hopp", "rising": "Stadig ökning"}


def _pct(v: float) -> str:
    return f"{v:.1f}".replace(".", ",") + " %"


def warnings(ctx: Context) -> Page:
    who = follower(ctx)
    month, errors = _month(ctx)
    base = {"nav": nav(ctx, PAGE), **month_fields(month, errors), "rules": rules}
    if errors:
        return Page("warnings.html", {**base, "title": page_title("Tidiga varningar", error=True)}, status=422)
    found = early_warnings(ctx.deps, who, month, stockholm_date(ctx.now))
    under = [{**u, "link": visits_url(ctx, month, utforare=u["provider"], brukare=u["client_no"],
                                      byggd=found["built_at"]),
              "weeks": [{"label": f"v. {w.week}", "granted": hours(w.granted), "performed": hours(w.performed),
                         "share": f"{100 * w.share:.0f} %" if w.share is not None else "–"} for w in u["weeks"]]}
             for u in found["under"]]
    rising = [{"provider": r["provider"], "kind": KIND_LABELS[r["rise"].kind], "rule": RULE_NAMES[r["rise"].rule],
               "base": _pct(r["rise"].base) if r["rise"].base is not None else None,
               "shares": [(m, _pct(s), visits_url(ctx, m, utforare=r["provider"], avvikelse=r["rise"].kind))
                          for m, s in r["rise"].shares]}
              for r in found["rising"]]
    locks = [{"month": w.month, "provider": w.provider, "lock_date": w.lock_date.isoformat(), "passed": w.passed,
              "unapproved": hours(w.unapproved_minutes),
              "link": visits_url(ctx, w.month, utforare=w.provider, avvikelse="unapproved")} for w in found["locks"]]
    return Page("warnings.html", {
        **base, "title": page_title(f"Tidiga varningar {month}"), "built_at": found["built_at"],
        "under": under, "rising": rising, "locks": locks, "providers_shown": found["providers_shown"],
        "followup": ctx.url("/personal/uppfoljning") + "?" + urllib.parse.urlencode({"manad": month}),
    })
