"""Visit deviations that wait for a case worker's decision, as case work learns them from the
visits service's ``visit.changed`` (v2): case work never reads the visits table, it keeps a
projection, per client and visit and month, of how many of the visit's deviations wait.

The rule (pure; the store applies it with a conditional write): a visit's count in a month is
replaced only by a higher ``visit_version`` of the same visit and month, so a redelivered or a
late older event changes nothing; a visit gone from the month (deleted, or moved to another
month: the event's ``visit`` is None) counts 0. Only months whose deviations can still be
decided are counted (the visits service's list shows the same: this month, and the last one
until its lock date)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ....contracts.events import VisitChangedV2
from ....domain.calendar import is_month_open, month_of

# The deviation kinds a case worker decides (the visits service's ``CASE_WORKER_KINDS``, which
# case work cannot import: a test holds the two lists equal). ``no_decision`` waits for a
# decision, not for a deviation decision.
CASE_WORKER_KINDS = ("over_granted_time", "manual_receipt")


@dataclass(frozen=True)
class VisitDeviationCount:
    """How many of one visit's deviations in one month wait for the case worker, as of ``version``."""

    client: str
    visit_id: str
    year: int
    month: int
    version: int
    pending: int

    def replaces(self, stored: VisitDeviationCount | None) -> bool:
        """Whether this count is kept over ``stored`` (the same visit and month): only a higher version is."""
        return stored is None or stored.version < self.version


def count_of(event: VisitChangedV2) -> VisitDeviationCount:
    """The count one ``visit.changed`` v2 tells: the visit's pending case-worker deviations, 0 when
    the visit is gone from the month."""
    pending = 0 if event.visit is None else sum(
        1 for d in event.visit.deviations if d.status == "pending" and d.code in CASE_WORKER_KINDS)
    return VisitDeviationCount(client=str(event.client), visit_id=event.visit_id, year=event.year,
                               month=event.month, version=event.visit_version, pending=pending)


def open_months(now: datetime) -> list[tuple[int, int]]:
    """The months whose deviations can still be decided: the last one until its lock date, and this one."""
    year, month = month_of(now)
    last = (year, month - 1) if month > 1 else (year - 1, 12)
    return [m for m in (last, (year, month)) if is_month_open(*m, now)]
