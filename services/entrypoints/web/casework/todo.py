"""Att göra, the case worker's start page: what waits, as counts with links to the inbox's view
of them (case work's use case ``todo_counts``)."""
from __future__ import annotations

import urllib.parse

from ....eservices.casework.usecases.todo import todo_counts
from ..http import Context, Page
from .common import case_worker, nav, page_title

VISITS_DEVIATIONS = "/visits/personal/avvikelser"  # the visits app's section behind the same gateway


def todo(ctx: Context) -> Page:
    counts = todo_counts(ctx.deps, case_worker(ctx))
    items = [{"label": i.label, "count": i.count, "hint": i.hint,
              "href": ctx.url("/personal/inkorg") + "?" + urllib.parse.urlencode(i.filter) if i.filter else None}
             for i in counts.items]
    return Page("todo.html", {"title": page_title("Att göra"), "nav": nav(ctx, "/personal/att-gora"),
                              "items": items, "not_here": counts.not_here,
                              # the visits app's page (e-services cannot read visits: a link, no count)
                              "deviations_url": VISITS_DEVIATIONS})
