"""Att göra, the case worker's start page: what waits, as counts with links to the inbox's view
of them (case work's use case ``todo_counts``), or to the page elsewhere where it is done."""
from __future__ import annotations

import urllib.parse

from ....eservices.casework.usecases.todo import todo_counts
from ..http import Context, Page
from .common import case_worker, nav, page_title

VISITS_DEVIATIONS = "/visits/personal/avvikelser"  # the visits app's section behind the same gateway
# What is done in another app behind the same gateway: its page's path there (not under this app's prefix).
ELSEWHERE = {"visit_deviations": VISITS_DEVIATIONS}


def href(ctx: Context, key: str, filter: dict[str, str]) -> str | None:
    if key in ELSEWHERE:
        return ELSEWHERE[key]
    return ctx.url("/personal/inkorg") + "?" + urllib.parse.urlencode(filter) if filter else None


def todo(ctx: Context) -> Page:
    counts = todo_counts(ctx.deps, case_worker(ctx))
    items = [{"label": i.label, "count": i.count, "hint": i.hint, "href": href(ctx, i.key, i.filter)}
             for i in counts.items]
    return Page("todo.html", {"title": page_title("Att göra"), "nav": nav(ctx, "/personal/att-gora"),
                              "items": items, "not_here": counts.not_here})
