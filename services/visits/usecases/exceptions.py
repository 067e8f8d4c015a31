"""Exceptions, triaged (issue "Providers' pages"): a provider's month of visits with their
unresolved exceptions (the rules: ``domain/exceptions.py``), a resolution with a reason code, and
the month's reasons counted (per lock or tag for the device codes, so broken ones get repaired).

Cost: a page of the list reads the provider's month once (its visits; the overlaps need every
staff member's visits, whichever client the page is filtered to), the provider's absences once and
its rejected events once, never per visit. One visit's exceptions (a resolution, an approval) read
its staff member's visits of the months they may overlap from (the per-staff index) and the client's absences.

Who: the provider's coordinators and manager (``exceptions.read`` / ``exceptions.resolve``), of
their own provider only (another provider's visit is not found). Nobody resolves a red exception
of a visit they performed, registered or changed by hand (the approval's separation of duties: a
red resolution opens the way to approval); a grey one they may acknowledge.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable

from ...auth.policy import authorize
from ...auth.principal import Principal
from ...domain.calendar import month_of, stockholm_date
from ...domain.errors import Conflict, Forbidden, ValidationFailed
from ..domain import rules
from ..domain.exceptions import (KINDS, RED, absent_days, blocking, reason_codes, reason_error, resolution_refusal,
                                 visit_exceptions, with_context)
from ..domain.model import Absence, Device, RejectedEvent, Resolution, Visit
from ..paging import decode_cursor, encode_cursor
from ..schemas import (DeviceCountView, ExceptionEntry, ExceptionQuery, ExceptionRowView, MonthQuery, ReasonCodeView,
                       ReasonCountView, ResolveException, VisitView)
from .day_writes import write_as
from .guards import caller_user_id, expect_version, open_for_change, scoped
from .reading import visit_view

if TYPE_CHECKING:
    from ..ports import VisitsDeps

DEVICE_KINDS = {"lock_failed": "digital_lock", "tag_unreadable": "nfc"}  # a device code's kind of device
REJECTED_PAGE = 500  # the provider's rejected events are read in pages of this many


def provider_of(who: Principal, action: str = "exceptions.read") -> str:
    """The caller's own provider (a coordinator or manager): these are a provider's, never anyone else's."""
    authorize(who, action)
    if not who.of_provider or not who.provider_id:
        raise Forbidden("the exceptions are the provider's own: log in as its coordinator or manager")
    return who.provider_id


# --- one visit -------------------------------------------------------------------------------

def _context(visit: Visit, kinds: list[str], staff_visits: Iterable[Visit], absences: Iterable[Absence]) -> list[str]:
    """``kinds`` with the visit's overlap (with the staff member's other visits) and absent day."""
    day = stockholm_date(visit.started_at)
    overlaps = (visit.ended_at is not None and  # an open visit is red already (missing departure)
                rules.overlapping(staff_visits, visit.staff_id, visit.started_at, visit.ended_at,
                                  besides=visit.visit_id) is not None)
    return with_context(visit, kinds, overlaps=overlaps, visit_day=day, absent_days=absent_days(absences, day, day))


def exceptions_of_visit(deps: VisitsDeps, visit: Visit, now: datetime) -> list[str]:
    """The unresolved exception kinds of one visit, with the overlap and the absent day."""
    end = visit.ended_at or visit.started_at
    months = sorted({month_of(visit.started_at - timedelta(days=1)), month_of(visit.started_at), month_of(end)})
    theirs = [v for y, m in months for v in deps.days.visits_of_staff(visit.provider_id, visit.staff_id, y, m)]
    return _context(visit, visit_exceptions(visit, now), theirs,
                    deps.absences.absences_of(visit.provider_id, str(visit.client)))


def unresolved_red(deps: VisitsDeps, visit: Visit, now: datetime) -> list[str]:
    """What blocks the visit's approval: its unresolved red exceptions."""
    return blocking(exceptions_of_visit(deps, visit, now))


def resolve(deps: VisitsDeps, who: Principal, visit_id: str, kind: str, code: str, text: str,
            version: int) -> Visit:
    """Resolves a red exception, or acknowledges a grey one, of a visit with a reason code."""
    provider_of(who, "exceptions.resolve")
    visit = scoped(who, deps.days.get_visit(visit_id))
    refusal = resolution_refusal(kind)
    if refusal:
        raise ValidationFailed.field("kind", refusal)
    problem = reason_error(kind, code, text)
    if problem:
        raise ValidationFailed.field(*problem)
    open_for_change(deps, visit.started_at)
    expect_version(visit, version)
    now = deps.clock()
    if kind not in exceptions_of_visit(deps, visit, now):
        raise Conflict(f"the visit has no unresolved {kind} exception")
    if kind in RED:
        if rules.approval_refusal(visit, caller_user_id(who)):
            raise Forbidden("nobody resolves a red exception of a visit they performed, registered or changed; "
                            "another coordinator of the provider, or its manager, resolves it")
    resolution = Resolution(kind=kind, code=code, text=text.strip(), by=who.actor, user_id=who.user_id, at=now,
                            version=visit.version + 1)
    changed = visit.model_copy(update={"resolutions": [*visit.resolutions, resolution]})
    label = reason_codes()[code].label
    why = f"{kind}: {code} ({label})" + (f": {text.strip()}" if text.strip() else "")
    return write_as(deps, visit, changed, "resolved", by=who, why=why)


# --- a provider's month ----------------------------------------------------------------------

@dataclass
class ExceptionRow:
    """One row of the month's list: a visit and its unresolved kinds, or an open orphan event
    (``missing_arrival``: a departure with no arrival)."""

    kinds: list[str]
    visit: Visit | None = None
    rejected: RejectedEvent | None = None

    @property
    def at(self) -> datetime:
        return self.visit.started_at if self.visit is not None else self.rejected.event.device_time  # type: ignore[union-attr]

    @property
    def key(self) -> str:
        return self.visit.visit_id if self.visit is not None else f"event:{self.rejected.event.event_id}"  # type: ignore[union-attr]

    @property
    def client(self) -> str:
        return str(self.visit.client if self.visit is not None else self.rejected.event.client)  # type: ignore[union-attr]


@dataclass
class MonthExceptions:
    rows: list[ExceptionRow]
    next_cursor: str | None
    counts: dict[str, int] = field(default_factory=dict)  # per kind, of the whole filtered month


def _orphans(deps: VisitsDeps, provider: str, year: int, month: int) -> list[RejectedEvent]:
    found: list[RejectedEvent] = []
    cursor: dict[str, Any] | None = None
    while True:
        page, cursor = deps.days.rejected_page(provider, limit=REJECTED_PAGE, cursor=cursor)
        found += [r for r in page if r.origin == "orphan" and r.status == "open"
                  and month_of(r.event.device_time) == (year, month)]
        if not cursor:
            return found


def month_rows(deps: VisitsDeps, provider: str, year: int, month: int) -> list[ExceptionRow]:
    """Every row of the provider's month with an unresolved exception, in time order."""
    now = deps.clock()
    visits = deps.days.visits_of_month(provider, year, month)
    by_staff: dict[str, list[Visit]] = defaultdict(list)
    for v in visits:
        by_staff[v.staff_id].append(v)
    absences: dict[str, list[Absence]] = defaultdict(list)
    for a in deps.absences.absences_of(provider):
        absences[str(a.client)].append(a)
    rows = []
    for v in visits:
        kinds = _context(v, visit_exceptions(v, now), by_staff[v.staff_id], absences.get(str(v.client), ()))
        if kinds:
            rows.append(ExceptionRow(kinds=kinds, visit=v))
    rows += [ExceptionRow(kinds=["missing_arrival"], rejected=r) for r in _orphans(deps, provider, year, month)]
    return sorted(rows, key=lambda r: (r.at, r.key))


def red_of_month(deps: VisitsDeps, provider: str, year: int, month: int) -> dict[str, list[str]]:
    """Each visit's unresolved red exceptions (visit id → kinds; a visit without any is not named),
    from one read of the month: for approving many visits at once (``approval.approve(red=...)``)."""
    return {r.visit.visit_id: blocking(r.kinds) for r in month_rows(deps, provider, year, month)
            if r.visit is not None and blocking(r.kinds)}


def exceptions_of_month(deps: VisitsDeps, who: Principal, year: int, month: int, *, severity: str | None = None,
                        kind: str | None = None, client: str | None = None, limit: int = 50,
                        cursor: str | None = None) -> MonthExceptions:
    """A page of the provider's month: the visits (and open orphan events) with unresolved
    exceptions, in time order, each with its kinds (those of ``severity`` or ``kind`` when asked),
    and the count per kind of the whole filtered month."""
    provider = provider_of(who)
    if kind is not None and kind not in KINDS:
        raise ValidationFailed.field("query.kind", f"one of: {', '.join(KINDS)}")
    position = decode_cursor(cursor)
    after = None
    if position is not None:
        try:
            after = (datetime.fromisoformat(position["at"]), str(position["key"]))
        except (KeyError, TypeError, ValueError):
            raise ValidationFailed.field("query.cursor", "not a cursor this list handed out") from None
    rows: list[ExceptionRow] = []
    for row in month_rows(deps, provider, year, month):
        kinds = [k for k in row.kinds if (severity is None or KINDS[k].severity == severity)
                 and (kind is None or k == kind)]
        if kinds and (client is None or row.client == client):
            rows.append(ExceptionRow(kinds=kinds, visit=row.visit, rejected=row.rejected))
    counts: dict[str, int] = {}
    for row in rows:
        for k in row.kinds:
            counts[k] = counts.get(k, 0) + 1
    if after is not None:
        rows = [r for r in rows if (r.at, r.key) > after]
    page, more = rows[:limit], len(rows) > limit
    following = encode_cursor({"at": page[-1].at.isoformat(), "key": page[-1].key}) if more else None
    return MonthExceptions(rows=page, next_cursor=following, counts=counts)


# --- the month's reasons ---------------------------------------------------------------------

@dataclass
class DeviceCount:
    device_id: str | None  # None: the client had no such device bound
    client: str
    count: int


@dataclass
class ReasonCount:
    code: str
    label: str
    count: int
    devices: list[DeviceCount] = field(default_factory=list)


def reason_statistics(deps: VisitsDeps, who: Principal, year: int, month: int) -> list[ReasonCount]:
    """Per reason code (in the list's order), the resolutions of the month's visits; for the device
    codes also per device: the lock or tag bound to the visit's client (a client with several:
    each counted)."""
    provider = provider_of(who)
    bound: dict[tuple[str, str], list[Device]] = defaultdict(list)
    for d in deps.devices.devices_of(provider):
        if d.status == "bound" and d.client is not None:
            bound[(str(d.client), d.kind)].append(d)
    counts = {code: ReasonCount(code=code, label=c.label, count=0) for code, c in reason_codes().items()}
    per_device: dict[str, dict[tuple[str | None, str], int]] = defaultdict(lambda: defaultdict(int))
    for v in deps.days.visits_of_month(provider, year, month):
        for r in v.resolutions:
            if r.code not in counts:  # a code since taken out of the list: counted under its own name
                counts[r.code] = ReasonCount(code=r.code, label=r.code, count=0)
            counts[r.code].count += 1
            if r.code in DEVICE_KINDS:
                devices = bound.get((str(v.client), DEVICE_KINDS[r.code])) or [None]
                for d in devices:
                    per_device[r.code][(d.device_id if d else None, v.client.masked)] += 1
    for code, seen in per_device.items():
        counts[code].devices = sorted((DeviceCount(device_id=d, client=c, count=n) for (d, c), n in seen.items()),
                                      key=lambda x: (-x.count, x.device_id or "", x.client))
    return list(counts.values())


# --- the API's shapes ------------------------------------------------------------------------

def _entry(kind: str) -> ExceptionEntry:
    k = KINDS[kind]
    return ExceptionEntry(kind=kind, severity=k.severity, label=k.label, what_to_do=k.what_to_do,
                          by_reason=resolution_refusal(kind) is None)


def row_view(row: ExceptionRow) -> ExceptionRowView:
    entries = [_entry(k) for k in row.kinds]
    if row.visit is not None:
        v = row.visit
        return ExceptionRowView(visit_id=v.visit_id, event_id=None, client=v.client.masked, staff_id=v.staff_id,
                                started_at=v.started_at, ended_at=v.ended_at, status=v.status, version=v.version,
                                exceptions=entries)
    r = row.rejected
    assert r is not None
    return ExceptionRowView(visit_id=None, event_id=str(r.event.event_id), client=r.event.client.masked,
                            staff_id=r.event.staff_id, started_at=r.event.device_time, ended_at=None,
                            status="rejected_event", version=None, exceptions=entries)


def exceptions_page(deps: VisitsDeps, who: Principal, query: ExceptionQuery) -> tuple[list[ExceptionRowView], str | None]:
    year, month = (int(x) for x in query.month.split("-"))
    found = exceptions_of_month(deps, who, year, month, severity=query.severity, kind=query.kind,
                                client=str(query.client) if query.client else None, limit=query.limit,
                                cursor=query.cursor)
    return [row_view(r) for r in found.rows], found.next_cursor


def resolve_exception(deps: VisitsDeps, who: Principal, visit_id: str, body: ResolveException) -> VisitView:
    saved = resolve(deps, who, visit_id, body.kind, body.code, body.text, body.version)
    return visit_view(saved, deps.clock())


def reason_code_list() -> list[ReasonCodeView]:
    return [ReasonCodeView.of(c) for c in reason_codes().values()]


def statistics(deps: VisitsDeps, who: Principal, query: MonthQuery) -> list[ReasonCountView]:
    year, month = (int(x) for x in query.month.split("-"))
    return [ReasonCountView(code=c.code, label=c.label, count=c.count,
                            devices=[DeviceCountView(device_id=d.device_id, client=d.client, count=d.count)
                                     for d in c.devices])
            for c in reason_statistics(deps, who, year, month)]
