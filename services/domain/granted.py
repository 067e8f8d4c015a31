"""Granted time (beviljad tid) of a month, from the decisions in force, day by day.

One rule for every consumer of decisions (visits, reports, billing): each day of the month, per
insats, the latest decided granting decision in force that day (valid_from <= day <= valid_to,
open-ended when valid_to is None) gives its monthly minutes; a later decision on the same insats
replaces the former for the days they share, so nothing counts twice. The month's granted time is
the sum over the days of those monthly minutes divided by the month's days, rounded half up once
at the end: a decision that changes mid-month counts for its days only.

Performed time is matched to granted time by insats: an insats counts against its own grant, else
against the umbrella home-care grant (``hemtjanst``, what a decision without per-insats time
grants), else it has no decision behind it.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Sequence

from .periods import in_force

HOME_CARE = "hemtjanst"


@dataclass(frozen=True)
class Grant:
    insats: str
    minutes_per_month: int
    valid_from: date
    valid_to: date | None = None
    decided: tuple[Any, ...] = ()  # which of two decisions is the later: (decided_at, decision id)

    def in_force(self, day: date) -> bool:
        return in_force(self.valid_from, self.valid_to, day)


def month_days(year: int, month: int) -> list[date]:
    return [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]


def divide_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, in integers."""
    if numerator < 0:
        return -divide_half_up(-numerator, denominator)
    return (2 * numerator + denominator) // (2 * denominator)


def minutes_on(grants: Sequence[Grant], day: date, insats: str) -> int | None:
    """The monthly minutes granted for ``insats`` on ``day`` (None: no decision in force)."""
    valid = [g for g in grants if g.insats == insats and g.in_force(day)]
    return max(valid, key=lambda g: g.decided).minutes_per_month if valid else None


def day_minutes(grants: Sequence[Grant], days: Iterable[date], insats: str) -> int | None:
    """The days' monthly minutes of ``insats`` added up (None: no day has a decision in force)."""
    found = [m for m in (minutes_on(grants, day, insats) for day in days) if m is not None]
    return sum(found) if found else None


def granted_minutes(grants: Iterable[Grant], year: int, month: int) -> dict[str, int]:
    """Granted minutes per insats for (year, month); insatser with no day in force are absent."""
    grants, days = list(grants), month_days(year, month)
    out: dict[str, int] = {}
    for insats in sorted({g.insats for g in grants}):
        total = day_minutes(grants, days, insats)
        if total is not None:
            out[insats] = divide_half_up(total, len(days))
    return out


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
    """The home-care minutes a provider's visits are compared with for the month (the rule above,
    for ``hemtjanst``). None when no decision grants home care then (nothing is compared)."""
    grants = [Grant(HOME_CARE, int(d.get("granted_minutes_per_month") or 0), _day(d["valid_from"]),
                    _day(d["valid_to"]) if d.get("valid_to") else None,
                    (str(d.get("decided_at", "")), str(d.get("decision_id", ""))))
              for d in home_care_decisions(decisions)]
    return granted_minutes(grants, year, month).get(HOME_CARE)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def duration_sv(minutes: int) -> str:
    """Granted time as a citizen reads it: "1 timme", "2 timmar 1 minut", "30 minuter"."""
    hours, rest = divmod(minutes, 60)
    parts = ([_count(hours, "timme", "timmar")] if hours else []) + ([_count(rest, "minut", "minuter")] if rest else [])
    return " ".join(parts or ["0 minuter"])
