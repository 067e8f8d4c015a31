"""Granted time (beviljad tid) of a month, from the decisions in force, day by day.

One rule for every consumer of decisions (reports, billing): each day of the month, the granted
monthly minutes of every decision in force that day (valid_from <= day <= valid_to, open-ended
when valid_to is None) add up per insats; the month's granted time of an insats is the sum over
the days of (minutes per month x 1 / days in the month), rounded once at the end. A decision that
changes mid-month therefore counts for its days only. Decisions on one case never overlap for the
same insats (case work refuses it), so adding up is what two cases granting the same insats mean.

Performed time is matched to granted time by insats: an insats counts against its own grant, else
against the umbrella home-care grant (``hemtjanst``, what a decision without per-insats time
grants), else it has no decision behind it.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from .periods import in_force

HOME_CARE = "hemtjanst"


@dataclass(frozen=True)
class Grant:
    insats: str
    minutes_per_month: int
    valid_from: date
    valid_to: date | None = None

    def in_force(self, day: date) -> bool:
        return in_force(self.valid_from, self.valid_to, day)


def month_days(year: int, month: int) -> list[date]:
    return [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]


def granted_minutes(grants: Iterable[Grant], year: int, month: int) -> dict[str, int]:
    """Granted minutes per insats for (year, month); insatser with no day in force are absent."""
    days = month_days(year, month)
    first, last = days[0], days[-1]
    total: dict[str, float] = {}
    for g in grants:
        start = max(first, g.valid_from)
        end = last if g.valid_to is None else min(last, g.valid_to)
        if end < start:
            continue
        n = (end - start).days + 1
        total[g.insats] = total.get(g.insats, 0.0) + g.minutes_per_month * n / len(days)
    return {k: round(v) for k, v in total.items()}


def matched_insats(insats: str, granted: Iterable[str]) -> str | None:
    """Which grant ``insats`` counts against, or None when no decision is behind it."""
    names = set(granted)
    if insats in names:
        return insats
    if HOME_CARE in names:
        return HOME_CARE
    return None


def days_in(first: date, last: date, start: date, end: date | None) -> set[date]:
    """The days of [start, end] (end None: open) inside [first, last]."""
    lo, hi = max(first, start), min(last, end) if end is not None else last
    return {lo + timedelta(days=i) for i in range((hi - lo).days + 1)} if lo <= hi else set()


def home_care_decisions(decisions: Iterable[dict]) -> list[dict]:
    """The granted home-care decisions among published ones (as the events carry them). A refusal
    revokes nothing: it is left out."""
    return [d for d in decisions if d.get("insats") == HOME_CARE and d.get("outcome") == "granted"]


def latest_home_care_minutes(decisions: Iterable[dict], year: int, month: int) -> int | None:
    """The home-care minutes a provider's visits are compared with for the month: those of the latest
    decided home-care decision in force on some day of the month (a new decision replaces the
    former). None when no decision grants home care then (nothing is compared)."""
    days = month_days(year, month)
    first, last = days[0].isoformat(), days[-1].isoformat()
    in_force = [d for d in home_care_decisions(decisions) if str(d["valid_from"]) <= last
                and (not d.get("valid_to") or str(d["valid_to"]) >= first)]
    if not in_force:
        return None
    latest = max(in_force, key=lambda d: (str(d.get("decided_at", "")), str(d["valid_from"]),
                                          str(d.get("decision_id", ""))))
    return int(latest.get("granted_minutes_per_month") or 0)
