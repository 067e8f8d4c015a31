"""Kept month summaries: per provider, month and client, the counts the coordinator's start page
shows (visits registered, open, approved; minutes performed and approved; unresolved exceptions per
kind), kept up to date by each client-day write and never recounted from the month's visits.

The rule (pure, here): a client-day's counts (``day_counts``) are a function of the day's visits
alone. Each write of a client-day adds to its month's summary the difference between the day's new
counts and the counts it added before (``delta``), which the day item keeps beside its content
(``ClientDay.counted``) — so the summary changes exactly once per written version of a day, a write
refused on its version adds nothing, and a redelivered or reordered event (which rebuilds the same
day) leaves the summary equal to a recount (``recount``).

The exception kind ``missing_departure`` depends on the time of reading (an open visit started
more than 12 hours ago), so it cannot be kept: the open visits are kept instead, counted per day of
the month (``open_<dd>``), and the page shows the open visits of the days before today as "Avfärd
saknas" and today's as under way (``OpenVisits``).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Iterable, Mapping

from .exceptions import KINDS, RED, visit_exceptions

if TYPE_CHECKING:
    from .days import ClientDay
    from .model import Visit

UNKEPT = frozenset({"missing_departure"})  # depends on the time it is read
TOTALS = ("registered", "open", "approved", "minutes", "approved_minutes")
EXCEPTION_PREFIX = "x_"
OPEN_PREFIX = "open_"
# A fixed instant for the kept counts: ``visit_exceptions`` takes a time, and only the kind left
# out above depends on it
_NO_TIME = datetime(1970, 1, 1, tzinfo=timezone.utc)


def visit_counts(visit: "Visit", day: date) -> Counter[str]:
    c: Counter[str] = Counter(registered=1, minutes=visit.minutes)
    if visit.status == "open":
        c["open"] += 1
        c[f"{OPEN_PREFIX}{day.day:02d}"] += 1
    if visit.status == "approved":
        c["approved"] += 1
        c["approved_minutes"] += visit.minutes
    for kind in visit_exceptions(visit, _NO_TIME):
        if kind not in UNKEPT:
            c[EXCEPTION_PREFIX + kind] += 1
    return c


def day_counts(day: "ClientDay") -> dict[str, int]:
    """What a client-day adds to its month's summary (no zero counts)."""
    total: Counter[str] = Counter()
    for v in day.visits.values():
        total.update(visit_counts(v, day.key.day))
    return {k: n for k, n in total.items() if n}


def delta(new: Mapping[str, int], counted: Mapping[str, int]) -> dict[str, int]:
    """What a write adds to the summary: the new counts less those added before (no zeros)."""
    return {k: d for k in sorted({*new, *counted}) if (d := new.get(k, 0) - counted.get(k, 0))}


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def recount(days: Iterable["ClientDay"]) -> dict[str, dict[str, int]]:
    """The summaries counted afresh from the days (client -> counts): what the kept ones must equal."""
    out: dict[str, Counter[str]] = {}
    for d in days:
        out.setdefault(d.key.client, Counter()).update(day_counts(d))
    return {c: {k: n for k, n in counts.items() if n} for c, counts in out.items()}


@dataclass(frozen=True)
class ClientMonthSummary:
    """One client's kept counts of a month at a provider."""

    client: str
    counts: Mapping[str, int] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return int(self.counts.get(name, 0))

    @property
    def waiting(self) -> int:
        """Ended visits not yet approved."""
        return self["registered"] - self["open"] - self["approved"]

    @property
    def exceptions(self) -> dict[str, int]:
        return {k[len(EXCEPTION_PREFIX):]: int(n) for k, n in self.counts.items()
                if k.startswith(EXCEPTION_PREFIX) and n}

    def open_on(self, day: int) -> int:
        return self[f"{OPEN_PREFIX}{day:02d}"]


@dataclass(frozen=True)
class OpenVisits:
    """The month's open visits as the page shows them: those of the days before ``today`` have
    lost their departure (the red ``missing_departure``), today's may be under way."""

    missing_departure: int
    under_way: int


def open_visits(summaries: Iterable[ClientMonthSummary], year: int, month: int, today: date) -> OpenVisits:
    missing = under_way = 0
    for s in summaries:
        for k, n in s.counts.items():
            if not k.startswith(OPEN_PREFIX) or not n:
                continue
            day = date(year, month, int(k[len(OPEN_PREFIX):]))
            if day < today:
                missing += int(n)
            else:
                under_way += int(n)
    return OpenVisits(missing, under_way)


def red_kinds() -> frozenset[str]:
    return RED


def ordered_kinds(kinds: Iterable[str]) -> list[str]:
    """Red first, in the order of ``KINDS``."""
    order = list(KINDS)
    return sorted(set(kinds), key=lambda k: (KINDS[k].severity != "red" if k in KINDS else True,
                                             order.index(k) if k in order else len(order), k))
