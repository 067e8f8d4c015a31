"""Early warnings of the follow-up (pure), three rules with named thresholds:

(a) **Under the granted time week after week**: a client's performed time at a provider is under
    ``UNDER_SHARE`` (80 %) of the time granted for the same days in at least ``WEEKS_IN_A_ROW`` (3)
    consecutive ISO weeks of the month. A week's granted time is the month's granted minutes per
    insats spread evenly over the month's days (as the month's granted time is counted day by day),
    for the days of the week inside the month; days the provider registered the client absent are
    left out of both sides; a week counts once its days in the month have passed and it has at
    least ``MIN_DAYS_IN_WEEK`` (4) days in the month (the month's edges are not weeks of their own).
    Only client-months performed under their granted time over the whole month are looked at week
    by week (``usecases/follow_up``: the others' visits are not read).
(b) **A rising share of manual receipts or post-registrations** at a provider, either
    - a jump: this month's share is at least ``JUMP_POINTS`` (5) percentage points above the mean of
      the previous ``BASE_MONTHS`` (3) months' shares, or
    - a steady rise: the share has risen ``RISING_MONTHS`` (3) months in a row, by at least
      ``JUMP_POINTS`` in all;
    each month counted with at least ``MIN_VISITS`` (20) visits (fewer says little about a share).
(c) **A lock date with unapproved time**: a month whose report has performed time not approved at a
    provider, with the month's lock date (``services.domain.calendar.lock_date``: the third working
    day of the next month) and whether it has passed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ...domain.calendar import STOCKHOLM, lock_date
from ...domain.granted import minutes_on, month_days
from .behind import absence_days
from .client_month import ClientMonth, _grants_of, parse_month

UNDER_SHARE = 0.80
WEEKS_IN_A_ROW = 3
MIN_DAYS_IN_WEEK = 4
JUMP_POINTS = 5.0
BASE_MONTHS = 3
RISING_MONTHS = 3
MIN_VISITS = 20
SHARES = ("manual_receipt", "post_registration")


@dataclass(frozen=True)
class Week:
    year: int
    week: int
    first: date  # the week's first day in the month
    last: date
    granted: int  # minutes
    performed: int

    @property
    def under(self) -> bool:
        return self.granted > 0 and self.performed < UNDER_SHARE * self.granted

    @property
    def share(self) -> float | None:
        return self.performed / self.granted if self.granted else None


def weeks(cm: ClientMonth, provider: str, today: date) -> list[Week]:
    """The month's counted ISO weeks for the client at ``provider``: granted and performed minutes."""
    days = month_days(cm.year, cm.month)
    performed_by: dict[str, int] = {}
    for v in cm.visits.values():
        if v[3] is not None:
            performed_by[v[2]] = performed_by.get(v[2], 0) + v[3][2]
    main = max(sorted(performed_by), key=lambda p: performed_by[p]) if performed_by else None
    grants = [g for g, named in _grants_of(cm.grants) if (named or main) == provider]
    absent = absence_days(cm, provider)
    done: dict[date, int] = {}
    for v in cm.visits.values():
        if v[2] == provider and v[3] is not None:
            day = datetime.fromtimestamp(v[3][1], STOCKHOLM).date()
            done[day] = done.get(day, 0) + v[3][2]
    by_week: dict[tuple[int, int], list[date]] = {}
    for d in days:
        iso = d.isocalendar()
        by_week.setdefault((iso[0], iso[1]), []).append(d)
    out = []
    for (year, week), in_month in sorted(by_week.items()):
        if len(in_month) < MIN_DAYS_IN_WEEK or in_month[-1] >= today:
            continue  # an edge of the month, or a week whose days in the month have not all passed
        counted = [d for d in in_month if d not in absent]
        granted = sum(m for d in counted for m in _granted_on(grants, d)) / len(days)
        out.append(Week(year, week, in_month[0], in_month[-1], round(granted), sum(done.get(d, 0) for d in counted)))
    return out


def _granted_on(grants: list, day: date) -> list[int]:
    return [m for m in (minutes_on(grants, day, insats) for insats in sorted({g.insats for g in grants}))
            if m is not None]


def longest_under(found: list[Week]) -> list[Week]:
    """The longest run of consecutive weeks under the granted time (the first, of equal ones)."""
    best: list[Week] = []
    run: list[Week] = []
    for w in found:
        consecutive = run and (w.first - run[-1].last).days == 1
        run = ([*run, w] if consecutive else [w]) if w.under else []
        if len(run) > len(best):
            best = run
    return best


def under_granted(cm: ClientMonth, provider: str, today: date) -> list[Week] | None:
    """Rule (a): the weeks in a row under the granted time, when at least ``WEEKS_IN_A_ROW``; else None."""
    run = longest_under(weeks(cm, provider, today))
    return run if len(run) >= WEEKS_IN_A_ROW else None


@dataclass(frozen=True)
class Rise:
    kind: str  # manual_receipt | post_registration
    rule: str  # "jump" | "rising"
    shares: tuple[tuple[str, float], ...]  # (month, share in percent), oldest first, this month last
    base: float | None  # the previous months' mean (percent), for a jump


def share_of(report_provider: dict | None, kind: str) -> float | None:
    """The share (percent) of a provider's visits in a month's report with ``kind``; None with too few visits."""
    if report_provider is None:
        return None
    visits = report_provider.get("visits", 0)
    if visits < MIN_VISITS:
        return None
    return 100.0 * report_provider.get("deviations", {}).get(kind, 0) / visits


def rising_shares(history: list[tuple[str, dict | None]]) -> list[Rise]:
    """Rule (b) for one provider: ``history`` is (month, the provider's totals in that month's
    report or None), oldest first, the month looked at last (at least ``BASE_MONTHS + 1`` of them)."""
    out = []
    for kind in SHARES:
        shares = [(m, share_of(p, kind)) for m, p in history]
        now = shares[-1][1]
        if now is None:
            continue
        base = [s for _, s in shares[-1 - BASE_MONTHS:-1]]
        if len(base) == BASE_MONTHS and None not in base:
            mean = sum(base) / BASE_MONTHS  # type: ignore[arg-type]
            if now - mean >= JUMP_POINTS:
                out.append(Rise(kind, "jump", tuple((m, s) for m, s in shares[-1 - BASE_MONTHS:]), round(mean, 1)))
                continue
        tail = [s for _, s in shares[-1 - RISING_MONTHS:]]
        if len(tail) == RISING_MONTHS + 1 and None not in tail \
                and all(a < b for a, b in zip(tail, tail[1:])) and tail[-1] - tail[0] >= JUMP_POINTS:
            out.append(Rise(kind, "rising", tuple((m, s) for m, s in shares[-1 - RISING_MONTHS:]), None))
    return out


@dataclass(frozen=True)
class LockWarning:
    month: str
    provider: str
    lock_date: date
    passed: bool
    unapproved_minutes: int


def unapproved_at_lock(month: str, report: dict | None, today: date) -> list[LockWarning]:
    """Rule (c): the providers of ``month``'s report with performed time not approved, with the lock date."""
    if report is None:
        return []
    lock = lock_date(*parse_month(month))
    return [LockWarning(month, p["provider_id"], lock, today > lock, p["performed_minutes"] - p["approved_minutes"])
            for p in report.get("providers", []) if p["performed_minutes"] > p["approved_minutes"]]
