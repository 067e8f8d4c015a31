"""A client-day: one client's visits at one provider on one Europe/Stockholm date, with the events
they are built from and the events held back or refused. Pure: the unit of consistency of visits
(one versioned record), written whole, so nothing is lost when events, approvals and edits meet."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from ...domain.calendar import STOCKHOLM, stockholm_date
from .model import RejectedEvent, StoredEvent, Visit, VisitEvent

class DayKey(NamedTuple):
    """Which client-day: a client at a provider on a Europe/Stockholm date. Ordered and hashable (a
    tuple underneath), so batches sort and group days by it."""

    provider: str
    client: str
    day: date

    def same_client(self, other: "DayKey") -> bool:
        return (self.provider, self.client) == (other.provider, other.client)

    def shifted(self, days: int) -> "DayKey":
        """The same client's day ``days`` later (earlier when negative)."""
        return DayKey(self.provider, self.client, self.day + timedelta(days=days))


def day_of(instant: datetime) -> date:
    return stockholm_date(instant)


def noon(day: date) -> datetime:
    """An instant of a Stockholm date (for month and lock-date rules on dates)."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=STOCKHOLM)


def day_key_of(e: VisitEvent) -> DayKey:
    return DayKey(e.provider_id, str(e.client), day_of(e.device_time))


def visit_day(v: Visit) -> DayKey:
    return DayKey(v.provider_id, str(v.client), day_of(v.started_at))


@dataclass
class ClientDay:
    """What a client-day holds. ``version`` 0: never written. ``listed``: the provider's month
    list knows the day (set once it held a visit). ``ref``: an opaque name of the day, chosen at
    random when it is first written, that begins the ids of its visits (a visit is found by its id
    alone, with no personal data in the id). ``counted``: what the stored version added to its
    month's summary (``domain.summaries``), so the next write adds only the difference."""

    key: DayKey
    version: int = 0
    events: dict[str, StoredEvent] = field(default_factory=dict)
    visits: dict[str, Visit] = field(default_factory=dict)
    rejected: dict[str, RejectedEvent] = field(default_factory=dict)
    listed: bool = False
    ref: str = ""
    counted: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if type(self.key) is not DayKey:  # a plain (provider, client, day) tuple is taken too
            self.key = DayKey(*self.key)

    @property
    def minutes(self) -> int:
        """Performed minutes of the day's ended visits (the month's total is the sum of its days)."""
        return sum(v.minutes for v in self.visits.values())

    @property
    def open_rejected(self) -> int:
        return sum(r.status == "open" for r in self.rejected.values())

    def copy(self) -> "ClientDay":
        return ClientDay(self.key, self.version, dict(self.events), dict(self.visits), dict(self.rejected),
                         self.listed, self.ref, dict(self.counted))

    def new_visit_id(self, unique: str) -> str:
        """The id of a visit kept in this day (registered by hand: ``unique`` is fresh)."""
        return f"{self.ref}-{unique}"


def month_day_keys(provider: str, client: str, year: int, month: int) -> list[DayKey]:
    """Every client-day of a month."""
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return [DayKey(provider, client, first + timedelta(days=i)) for i in range((following - first).days)]
