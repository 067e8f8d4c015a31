"""Koppla ansökan (intake): filled in below."""
from __future__ import annotations

from ..http import Context, Page
from .common import case_worker, nav, page_title


def intake(ctx: Context, case_id: str) -> Page:
    case_worker(ctx)
    return Page("error.html", {"title": page_title("Koppla ansökan"), "nav": nav(ctx, ""), "text": "Kommer snart."})
