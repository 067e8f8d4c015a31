"""The provider's visits, filtered, a page at a time (the pages' "Besök").

The store lists a provider's month by client and day (``ClientDays.visits_page``); a filter is
applied to what is read, and reading stops as soon as the page is full, so a page costs the visits
read up to its last row (one client's month when the filter names the client). A range spans at most
two months, read one after the other. A very selective filter stops after ``SCAN_LIMIT`` visits
read, with a cursor to go on from there (the page says it looked no further). Exceptions are those of
the visit alone (``exceptions.visit_exceptions``) and the client's registered absence on its day (the
provider's absences, one read per page)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ...auth.principal import Principal
from ...domain.calendar import stockholm_date
from ...domain.errors import ValidationFailed
from ..domain.exceptions import absent_days, visit_exceptions, with_context
from ..domain.days import DayKey, day_of, visit_day
from ..domain.model import Absence, StoredEvent, Visit
from ..paging import decode_cursor, encode_cursor
from .exceptions import exceptions_of_visit
from .guards import provider_asked, scoped

if TYPE_CHECKING:
    from ..ports import VisitsDeps

SCAN_LIMIT = 2000  # visits read for one page at most; the cursor goes on from there
RECEIPTS = ("digital_lock", "nfc", "manual", "post_registration")
STATUSES = ("open", "registered", "approved")


@dataclass(frozen=True)
class VisitFilter:
    day_from: date
    day_to: date
    staff_id: str | None = None
    client: str | None = None
    status: str | None = None
    receipt: str | None = None
    exception: str | None = None

    def months(self) -> list[tuple[int, int]]:
        first = (self.day_from.year, self.day_from.month)
        last = (self.day_to.year, self.day_to.month)
        following = (first[0] + (first[1] == 12), first[1] % 12 + 1)
        if last == first:
            return [first]
        if last == following:
            return [first, last]
        raise ValidationFailed.field("till", "a range spans at most two months")


@dataclass(frozen=True)
class Listed:
    visit: Visit
    exceptions: list[str]


@dataclass
class VisitList:
    rows: list[Listed] = field(default_factory=list)
    cursor: str | None = None  # the next page's; None: the last
    searched_to_limit: bool = False  # the page stopped at SCAN_LIMIT, not because it was full


def receipt_of(visit: Visit) -> list[str]:
    """The receipt kinds of a visit: a post-registration's own kind, else its receipts' methods."""
    if visit.source == "post_registration":
        return ["post_registration"]
    return [m for m in RECEIPTS if m in visit.receipt_methods]


class _Absences:
    """The provider's registered absences by client, read once per request (and only when needed)."""

    def __init__(self, deps: VisitsDeps, provider: str) -> None:
        self.deps, self.provider = deps, provider
        self.by_client: dict[str, list[Absence]] | None = None

    def of(self, client: str) -> list[Absence]:
        if self.by_client is None:
            self.by_client = {}
            for a in self.deps.absences.absences_of(self.provider):
                self.by_client.setdefault(str(a.client), []).append(a)
        return self.by_client.get(client, [])


def exceptions_of(visit: Visit, now: datetime, absences: list[Absence]) -> list[str]:
    day = stockholm_date(visit.started_at)
    return with_context(visit, visit_exceptions(visit, now), absent_days=absent_days(absences, day, day),
                        visit_day=day)


def _matches(f: VisitFilter, v: Visit) -> bool:
    day = stockholm_date(v.started_at)
    if not f.day_from <= day <= f.day_to:
        return False
    if f.staff_id and v.staff_id != f.staff_id:
        return False
    if f.status and v.status != f.status:
        return False
    return not (f.receipt and f.receipt not in receipt_of(v))


def visit_list(deps: VisitsDeps, who: Principal, f: VisitFilter, *, limit: int = 50,
               cursor: str | None = None) -> VisitList:
    """A page of the provider's visits that match ``f``, in the store's order (client, day, time)."""
    provider = provider_asked(who, None)
    if provider is None:
        raise ValidationFailed.field("provider_id", "only a provider's staff list their visits here")
    months = f.months()
    position: dict[str, Any] = decode_cursor(cursor, "cursor") or {}
    month_index, store_cursor = position.get("m", 0), position.get("c")
    if store_cursor is not None and not (isinstance(store_cursor, dict) and isinstance(store_cursor.get("day"), str)
                                         and isinstance(store_cursor.get("skip", 0), int)):
        raise ValidationFailed.field("cursor", "not a cursor this list handed out")
    if not isinstance(month_index, int) or not 0 <= month_index < len(months):
        raise ValidationFailed.field("cursor", "not a cursor this list handed out")
    now = deps.clock()
    absences = _Absences(deps, provider)
    out = VisitList()
    read = 0
    while month_index < len(months):
        year, month = months[month_index]
        while True:
            want = limit - len(out.rows)
            visits, store_cursor = deps.days.visits_page(provider, year, month, f.client, limit=max(want, 1),
                                                         cursor=store_cursor)
            read += len(visits)
            for v in visits:
                if not _matches(f, v):
                    continue
                kinds = exceptions_of(v, now, absences.of(str(v.client)))
                if f.exception and f.exception not in kinds:
                    continue
                out.rows.append(Listed(v, kinds))
            if store_cursor is None:
                break
            if len(out.rows) >= limit or read >= SCAN_LIMIT:
                out.searched_to_limit = len(out.rows) < limit
                out.cursor = encode_cursor({"m": month_index, "c": store_cursor})
                return out
        month_index += 1
        store_cursor = None
        if month_index < len(months) and len(out.rows) >= limit:
            out.cursor = encode_cursor({"m": month_index})
            return out
    return out


@dataclass(frozen=True)
class VisitDetail:
    visit: Visit
    events: list[StoredEvent]
    exceptions: list[str]


def visit_detail(deps: VisitsDeps, who: Principal, visit_id: str) -> VisitDetail:
    """One visit of the caller's provider (another's is not found), its events as stored (from its
    client-day, and the next one when it ran past midnight) and its exceptions."""
    visit = scoped(who, deps.days.get_visit(visit_id))
    first = visit_day(visit)
    keys = [first]
    if visit.ended_at is not None and day_of(visit.ended_at) != first.day:
        keys.append(DayKey(first.provider, first.client, day_of(visit.ended_at)))
    days = deps.days.load_days(keys)
    wanted = set(visit.event_ids)
    events = sorted((e for d in days.values() for e in d.events.values() if str(e.event_id) in wanted),
                    key=lambda e: (e.device_time, str(e.event_id)))
    # the whole rule, the staff member's overlapping visits included (the list shows what a page's reads allow)
    return VisitDetail(visit, events, exceptions_of_visit(deps, visit, deps.clock()))
