"""Follow-up reports, pure: a client-month's state from events, and its result.

A ``ClientMonth`` is what reports know of one client in one month: every visit (latest version
wins, whatever order the events came in), absences, open rejected events per provider and day.
``compute`` turns it, with the client's grants, into a ``result``: one part per provider with
rows per insats, absence days by kind, deviations and personalkontinuitet per 14-day window.
Results are plain JSON so that they are stored and added up (``fold``) without conversion.

Visits are kept compact (a list per visit) because a month holds ~90 of them per client and a
full rebuild reads them all.
"""
from __future__ import annotations

import calendar
import json
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from ...contracts.events import (AbsenceRegistered, DecisionPublished, RejectedEventsChanged, VisitChanged,
                                VisitChangedV2, VisitContent, granted_lines)
from ...domain.calendar import STOCKHOLM
from ...domain.granted import Grant, days_in, granted_minutes, matched_insats, month_days
from ...domain.personnummer import Personnummer

# Kolada's personalkontinuitet: clients aged 65 or more with at least two visits a day, visits
# between 07:00 and 22:00, safety-alarm call-outs and meal deliveries left out, 14 days.
WINDOW_DAYS = 14
VISITS_PER_DAY = 2
DAY_START, DAY_END = time(7, 0), time(22, 0)
MEALS = frozenset({"matdistribution"})
MANY_STAFF = 20
DEVIATIONS = ("manual_receipt", "post_registration", "adjusted_time", "over_granted_time",
              "over_granted_pending", "without_decision", "rejected_open", "visit_on_absence_day")

# visit flags (bits of the compact form)
DOUBLE, UNPLANNED, SUPERVISION, ABSENT, POST_REG, EDITED, OUTSIDE, TEMPORARY, ENDED = (1 << i for i in range(9))


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def parse_month(text: str) -> tuple[int, int]:
    year, month = text.split("-")
    return int(year), int(month)


def compact(v: VisitContent) -> list:
    """A visit as stored: [staff, start (epoch s), minutes, [[insats, minutes]…], flags, status,
    receipts, [[deviation, status]…], partner]."""
    flags = ((DOUBLE if v.double_staffing else 0) | (UNPLANNED if v.unplanned else 0)
             | (SUPERVISION if v.supervision else 0) | (ABSENT if v.client_absent else 0)
             | (POST_REG if v.source == "post_registration" else 0) | (EDITED if v.edited else 0)
             | (OUTSIDE if v.location == "outside" else 0) | (TEMPORARY if v.temporary_stay else 0)
             | (ENDED if v.ended_at is not None else 0))
    return [v.staff_id, int(v.started_at.timestamp()), v.minutes, [[i.insats, i.minutes] for i in v.insatser],
            flags, v.status[0], sorted(set(v.receipt_methods)), [[d.code, d.status] for d in v.deviations],
            v.partner_visit_id]


@dataclass
class ClientMonth:
    """``visits``: id → [version, occurred_at, provider, compact | None (gone)];
    ``absences``: id → [provider, kind, starts_on, ends_on | None, revision] (the highest revision stands;
    an entry stored before revisions has four and is revision 1);
    ``rejected``: "provider|day" → [open count, as_of]; ``grants``: the client's decisions
    ([insats, minutes/month, from, to, provider]), copied here so a recompute reads nothing else;
    ``tail``: per provider, the previous month's last 13 days as this month's first windows need
    them (``tail_of``), taken from that client-month at ``tail_version``.
    ``result``/``previous``: the results the store holds for ``version`` and ``version - 1`` (the
    consumer brings the month's totals from one to the other)."""

    year: int
    month: int
    client: str
    visits: dict[str, list] = field(default_factory=dict)
    absences: dict[str, list] = field(default_factory=dict)
    rejected: dict[str, list] = field(default_factory=dict)
    grants: list[list] = field(default_factory=list)
    touched_at: str = ""  # the latest occurred_at of the events applied
    version: int = 0  # the store's optimistic version
    tail: dict[str, list] = field(default_factory=dict)
    tail_version: int = 0
    result: dict | None = None
    previous: dict | None = None

    @property
    def key(self) -> tuple[str, str]:
        return month_key(self.year, self.month), self.client

    def dumps(self) -> str:
        return json.dumps({"v": self.visits, "a": self.absences, "r": self.rejected, "g": self.grants,
                           "t": self.touched_at, "tl": self.tail, "tv": self.tail_version}, separators=(",", ":"))

    @classmethod
    def loads(cls, year: int, month: int, client: str, text: str | None, version: int = 0,
              result: dict | None = None, previous: dict | None = None) -> "ClientMonth":
        data = json.loads(text) if text else {}
        return cls(year, month, client, data.get("v", {}), data.get("a", {}), data.get("r", {}),
                   data.get("g", []), data.get("t", ""), version, data.get("tl", {}), data.get("tv", 0),
                   result, previous)

    @property
    def empty(self) -> bool:
        return not (self.visits or self.absences or self.rejected)

    @property
    def providers(self) -> set[str]:
        return ({v[2] for v in self.visits.values() if v[3] is not None}
                | {a[0] for a in self.absences.values()} | {k.split("|")[0] for k in self.rejected})

    # -- applying events (idempotent and order-independent) -----------------------------------
    def apply(self, event: Any, occurred_at: datetime) -> bool:
        """Applies one parsed event; returns whether the state changed."""
        at = occurred_at.astimezone(timezone.utc).isoformat()
        if isinstance(event, VisitChanged):
            return self._visit(event, at)
        if isinstance(event, AbsenceRegistered):
            entry = [event.provider_id, event.kind, event.starts_on.isoformat(),
                     event.ends_on.isoformat() if event.ends_on else None, event.revision]
            seen = self.absences.get(event.absence_id)
            if seen is not None and (seen[4] if len(seen) > 4 else 1) > event.revision:
                return False  # an ended absence (revision 2) is not reopened by its registration arriving late
            return self._set(self.absences, event.absence_id, entry, at)
        if isinstance(event, RejectedEventsChanged):
            k = f"{event.provider_id}|{event.day.isoformat()}"
            as_of = event.as_of.astimezone(timezone.utc).isoformat()
            old = self.rejected.get(k)
            if old is not None and old[1] >= as_of:
                return False
            return self._set(self.rejected, k, [event.open_count, as_of], at)
        return False

    def _visit(self, event: VisitChanged, at: str) -> bool:
        old = self.visits.get(event.visit_id)
        if old is not None and (old[0], old[1]) >= (event.visit_version, at):
            return False  # an older or the same version: a redelivery or a late one
        if isinstance(event, VisitChangedV2):
            content = compact(event.visit) if event.visit is not None and event.change != "deleted" else None
        elif old is not None:  # v1 carries no content: it only says the visit changed
            return False
        else:
            content = None
        return self._set(self.visits, event.visit_id, [event.visit_version, at, event.provider_id, content], at)

    def _set(self, where: dict, key: str, value: list, at: str) -> bool:
        if where.get(key) == value:
            return False
        where[key] = value
        self.touched_at = max(self.touched_at, at)
        return True


# -- grants -------------------------------------------------------------------------------------

def grant_entries(event: DecisionPublished) -> list[list]:
    """What the store keeps of a decision: [insats, minutes/month, from, to, provider, decided, case
    worker] (decided: which decision is the later, when two are in force on the same day; case
    worker: the case's, who reads this client's rows)."""
    provider = getattr(event, "provider_id", None)
    case_worker = getattr(event, "case_worker_id", None)
    decided = f"{event.decided_at.astimezone(timezone.utc).isoformat()}#{event.decision_id}"
    return [[g.insats, g.minutes_per_month, event.valid_from.isoformat(),
             event.valid_to.isoformat() if event.valid_to else None, provider, decided, case_worker]
            for g in granted_lines(event)]


def decision_months(event: DecisionPublished, now: datetime, back: int = 13) -> list[tuple[int, int]]:
    """The months a decision can change in a report: those of its validity, at most ``back``
    months before ``now`` and not after it."""
    today = now.astimezone(STOCKHOLM).date()
    lo = max(event.valid_from.replace(day=1), _add_months(today.replace(day=1), -back))
    hi = today.replace(day=1) if event.valid_to is None else min(today.replace(day=1), event.valid_to.replace(day=1))
    out, d = [], lo
    while d <= hi:
        out.append((d.year, d.month))
        d = _add_months(d, 1)
    return out


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


# -- computing a client-month --------------------------------------------------------------------

def windows(year: int, month: int) -> list[tuple[date, date]]:
    """Every 14-day window that ends in the month, one per day (its first 13 begin in the month
    before): a window belongs to the month of its last day, so each window is counted once."""
    return [(d - timedelta(days=WINDOW_DAYS - 1), d) for d in month_days(year, month)]


TAIL = WINDOW_DAYS - 1  # days of the previous month the month's first windows reach into
_OFFSETS: dict[int, int] = {}


def _local_seconds(epoch: int) -> int:
    """Stockholm wall-clock seconds (as if UTC) of an instant; offsets cached per hour."""
    hour = epoch // 3600
    offset = _OFFSETS.get(hour)
    if offset is None:
        offset = _OFFSETS[hour] = int(datetime.fromtimestamp(hour * 3600, tz=STOCKHOLM).utcoffset().total_seconds())
    return epoch + offset


def counts_for_continuity(v: list, seconds_of_day: int) -> bool:
    """Kolada: visits between 07:00 and 22:00 (the start's Stockholm time of day), no safety-alarm
    call-outs (the staff app's unplanned visits), no meal deliveries, and the client met."""
    flags = v[4]
    if flags & (UNPLANNED | ABSENT) or not flags & ENDED:
        return False
    if v[3] and all(name in MEALS for name, _ in v[3]):
        return False
    return _DAY_START <= seconds_of_day < _DAY_END


_DAY_START, _DAY_END = DAY_START.hour * 3600, DAY_END.hour * 3600


def day_marks(visits: list[list], year: int, month: int) -> tuple[list[set[int]], list[set[str]]]:
    """Per day of the month: the starts (occasions) and the staff of the visits that count. Two
    staff of a double-staffed visit are one occasion and two staff."""
    days = month_days(year, month)
    midnight = calendar.timegm(days[0].timetuple())  # the 1st, 00:00 on the wall clock
    occasions: list[set[int]] = [set() for _ in days]
    staff: list[set[str]] = [set() for _ in days]
    for v in visits:
        day, seconds = divmod(_local_seconds(v[1]) - midnight, 86400)
        if 0 <= day < len(days) and counts_for_continuity(v, seconds):
            occasions[day].add(v[1])
            staff[day].add(v[0])
    return occasions, staff


def tail_of(cm: "ClientMonth") -> dict[str, list]:
    """Per provider, the month's last 13 days as the next month's windows need them:
    [occasions, [staff…]] a day."""
    by_provider: dict[str, list[list]] = {}
    for _, v in sorted(cm.visits.items()):
        if v[3] is not None:
            by_provider.setdefault(v[2], []).append(v[3])
    out = {}
    for provider, visits in sorted(by_provider.items()):
        occasions, staff = day_marks(visits, cm.year, cm.month)
        days = [[len(o), sorted(s)] for o, s in zip(occasions[-TAIL:], staff[-TAIL:])]
        if any(n for n, _ in days):
            out[provider] = days
    return out


def continuity(visits: list[list], year: int, month: int, aged_65: bool,
               tail: list[list] | None = None) -> list[int | None]:
    """Distinct staff per 14-day window ending on each day of the month, None where the client is not
    counted (under 65, or fewer than two visits a day in the window). ``tail``: the previous month's
    last 13 days ([occasions, [staff…]] a day) for the windows that begin there."""
    n = len(month_days(year, month))
    if not aged_65:
        return [None] * n
    occasions, staff = day_marks(visits, year, month)
    counts = [0] * TAIL + [len(o) for o in occasions]
    sets: list[set[str]] = [set() for _ in range(TAIL)] + staff
    for i, (count, names) in enumerate((tail or [])[-TAIL:]):
        counts[i], sets[i] = count, set(names)
    out: list[int | None] = []
    for i in range(n):
        if sum(counts[i:i + WINDOW_DAYS]) >= VISITS_PER_DAY * WINDOW_DAYS:
            out.append(len(set().union(*sets[i:i + WINDOW_DAYS])))
        else:
            out.append(None)
    return out


def _grants_of(entries: list[list]) -> list[tuple[Grant, str | None]]:
    return [(Grant(e[0], int(e[1]), date.fromisoformat(e[2]), date.fromisoformat(e[3]) if e[3] else None,
                   (e[5] if len(e) > 5 else "",)), e[4])
            for e in entries]


def compute(cm: ClientMonth) -> dict:
    """The client-month's result: {"client", "month", "touched_at", "parts": [per provider],
    "case_workers": [the case workers of the client's decisions]}. A part's
    ``visits``/``double_staffed`` count each visit once; its rows count, per insats, the visits
    that insats was performed in (a visit with two insatser is in two rows)."""
    year, month = cm.year, cm.month
    days = month_days(year, month)
    first, last = days[0], days[-1]
    aged_65 = Personnummer(cm.client).age_on(first) >= 65
    live = [(vid, v) for vid, v in cm.visits.items() if v[3] is not None]
    by_provider: dict[str, list[list]] = {}
    for _, v in sorted(live):
        by_provider.setdefault(v[2], []).append(v[3])
    performed_by: dict[str, int] = {p: sum(x[2] for x in vs) for p, vs in by_provider.items()}
    # Granted time belongs to the provider the decision names; a decision naming none, to the
    # provider who performed the most for the client this month.
    main = max(sorted(performed_by), key=lambda p: performed_by[p]) if performed_by else None
    granted_to: dict[str, list[Grant]] = {}
    for g, provider in _grants_of(cm.grants):
        owner = provider or main
        if owner is not None:
            granted_to.setdefault(owner, []).append(g)
    # A provider seen only in the previous month's last days is in this month's report when one of
    # this month's windows (which begin there) counts it.
    from_tail = {p for p in set(cm.tail) - set(by_provider)
                 if any(c is not None for c in continuity([], year, month, aged_65, cm.tail[p]))}
    providers = sorted(set(by_provider) | set(granted_to) | cm.providers | from_tail)
    parts = []
    for p in providers:
        granted = {k: v for k, v in granted_minutes(granted_to.get(p, []), year, month).items() if v > 0}
        rows: dict[str, dict] = {name: _row(name, minutes) for name, minutes in granted.items()}
        dev = dict.fromkeys(DEVIATIONS, 0)
        visits = by_provider.get(p, [])
        target_of: dict[str, str | None] = {}
        counted = double = 0  # a visit is one visit however many insatser it held (rows count per insats)
        for v in visits:
            flags, receipts = v[4], v[6]
            if v[3]:
                counted += 1
                double += bool(flags & DOUBLE)
            seen: set[str] = set()
            no_decision = bool(v[3])
            for name, minutes in v[3]:
                if name not in target_of:
                    target_of[name] = matched_insats(name, granted)
                matched = target_of[name]
                no_decision = no_decision and matched is None
                target = matched or name
                row = rows.get(target)
                if row is None:
                    row = rows[target] = _row(target, 0)
                    row["without_decision"] = matched is None
                row["performed"] += minutes
                if v[5] == "a":
                    row["approved"] += minutes
                if target not in seen:
                    seen.add(target)
                    row["visits"] += 1
                    if flags & DOUBLE:
                        row["double_staffed"] += 1
            if "manual" in receipts:
                dev["manual_receipt"] += 1
            if flags & POST_REG:
                dev["post_registration"] += 1
            if flags & EDITED:
                dev["adjusted_time"] += 1
            for code, status in v[7]:
                if code == "over_granted_time":
                    dev["over_granted_time"] += 1
                    dev["over_granted_pending"] += status == "pending"
                elif code == "manual_receipt" and "manual" not in receipts:
                    dev["manual_receipt"] += 1
                elif code == "post_registration" and not flags & POST_REG:
                    dev["post_registration"] += 1
                elif code == "adjusted_time" and not flags & EDITED:
                    dev["adjusted_time"] += 1
            if no_decision:
                dev["without_decision"] += 1
        dev["rejected_open"] = sum(r[0] for k, r in cm.rejected.items() if k.split("|")[0] == p)
        absence: dict[str, set[date]] = {}
        for a in cm.absences.values():
            if a[0] == p:
                absence.setdefault(a[1], set()).update(
                    days_in(first, last, date.fromisoformat(a[2]), date.fromisoformat(a[3]) if a[3] else None))
        on_absence = visits_on_absence_days(visits, absence)
        dev["visit_on_absence_day"] = sum(on_absence.values())
        parts.append({
            "provider": p,
            "rows": [rows[k] for k in sorted(rows)],
            "visits": counted,
            "double_staffed": double,
            "absence_days": {k: len(absence[k]) for k in sorted(absence)},
            "visits_on_absence_days": sorted(on_absence),
            "deviations": dev,
            "continuity": continuity(visits, year, month, aged_65, cm.tail.get(p)),
            "aged_65": aged_65,
        })
    case_workers = sorted({e[6] for e in cm.grants if len(e) > 6 and e[6]})
    return {"client": cm.client, "month": month_key(year, month), "touched_at": cm.touched_at, "parts": parts,
            "case_workers": case_workers}


def visits_on_absence_days(visits: list[list], absence: dict[str, set[date]]) -> dict[str, int]:
    """Days the provider registered the client absent that also have a performed visit (ended, the
    client not found absent), with how many: a day billing may compensate as absence and bill as
    a visit. The invoice basis says which of the two it bills (approved visit time first)."""
    absent = set().union(*absence.values()) if absence else set()
    found: dict[str, int] = {}
    for v in visits:
        day = datetime.fromtimestamp(v[1], STOCKHOLM).date()
        if v[4] & ENDED and not v[4] & ABSENT and day in absent:
            found[day.isoformat()] = found.get(day.isoformat(), 0) + 1
    return found


def _row(insats: str, granted: int) -> dict:
    return {"insats": insats, "granted": granted, "performed": 0, "approved": 0, "visits": 0, "double_staffed": 0,
            "without_decision": False}


def share(performed: int, granted: int) -> float | None:
    return round(performed / granted, 4) if granted else None


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def shift_month(month: str, n: int) -> str:
    d = _add_months(date(*parse_month(month), 1), n)
    return month_key(d.year, d.month)
