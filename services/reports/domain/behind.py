"""The visits behind a figure of the follow-up, from a client-month's own state (pure): which of a
provider's visits a kind of figure counts, by the same rules ``client_month.compute`` counts them,
and what a page shows of one visit (times, staff, insatser, receipts, deviations and their decision,
double staffing, post-registered and edited flags)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from ...domain.calendar import STOCKHOLM
from ...domain.granted import days_in, granted_minutes, matched_insats, month_days
from .client_month import (ABSENT, DEVIATIONS, DOUBLE, EDITED, ENDED, OUTSIDE, POST_REG, SUPERVISION, TEMPORARY,
                           UNPLANNED, ClientMonth, _grants_of)

# Kinds a figure may name besides the deviations: visits not approved (the lock date's warning),
# double-staffed visits, visits receipted otherwise than by hand.
EXTRA_KINDS = ("unapproved", "double_staffed", "digital_receipt")
KINDS = DEVIATIONS + EXTRA_KINDS
NOT_VISITS = frozenset({"rejected_open"})  # counts rejected events, not visits: no visit is behind it
STATUS = {"o": "open", "r": "registered", "a": "approved"}


def owned_grants(cm: ClientMonth, provider: str) -> dict[str, int]:
    """The granted minutes per insats that belong to ``provider`` this month (as ``compute``: the
    provider a decision names, else the provider who performed the most for the client)."""
    performed: dict[str, int] = {}
    for v in cm.visits.values():
        if v[3] is not None:
            performed[v[2]] = performed.get(v[2], 0) + v[3][2]
    main = max(sorted(performed), key=lambda p: performed[p]) if performed else None
    mine = [g for g, named in _grants_of(cm.grants) if (named or main) == provider]
    return {k: v for k, v in granted_minutes(mine, cm.year, cm.month).items() if v > 0}


def absence_days(cm: ClientMonth, provider: str) -> set[date]:
    days = month_days(cm.year, cm.month)
    out: set[date] = set()
    for a in cm.absences.values():
        if a[0] == provider:
            out |= days_in(days[0], days[-1], date.fromisoformat(a[2]), date.fromisoformat(a[3]) if a[3] else None)
    return out


def counts_as(kind: str | None, v: list, granted: dict[str, int], absent: set[date]) -> bool:
    """Whether the compact visit ``v`` is behind a figure of ``kind`` (None: every visit)."""
    flags, receipts, codes = v[4], v[6], v[7]
    if kind is None:
        return True
    if kind == "manual_receipt":
        return "manual" in receipts or any(c == kind for c, _ in codes)
    if kind == "post_registration":
        return bool(flags & POST_REG) or any(c == kind for c, _ in codes)
    if kind == "adjusted_time":
        return bool(flags & EDITED) or any(c == kind for c, _ in codes)
    if kind == "over_granted_time":
        return any(c == kind for c, _ in codes)
    if kind == "over_granted_pending":
        return any(c == "over_granted_time" and s == "pending" for c, s in codes)
    if kind == "without_decision":
        return bool(v[3]) and all(matched_insats(name, granted) is None for name, _ in v[3])
    if kind == "visit_on_absence_day":
        return bool(flags & ENDED) and not flags & ABSENT and _day(v) in absent
    if kind == "unapproved":
        return v[5] != "a"
    if kind == "double_staffed":
        return bool(flags & DOUBLE)
    if kind == "digital_receipt":  # as the follow-up counts them: every visit not receipted by hand
        return not counts_as("manual_receipt", v, granted, absent)
    return False  # rejected_open and anything else: no visit


def visits_behind(cm: ClientMonth, provider: str | None, kind: str | None) -> list[dict]:
    """The client-month's visits (of ``provider``, or every provider's) behind a figure of ``kind``,
    in time order, each as ``view`` makes it."""
    out = []
    for p in sorted({v[2] for v in cm.visits.values() if v[3] is not None}):
        if provider is not None and p != provider:
            continue
        granted = owned_grants(cm, p) if kind == "without_decision" else {}
        absent = absence_days(cm, p) if kind == "visit_on_absence_day" else set()
        for vid, entry in cm.visits.items():
            if entry[2] == p and entry[3] is not None and counts_as(kind, entry[3], granted, absent):
                out.append(view(vid, entry))
    return sorted(out, key=lambda x: (x["start"], x["id"]))


def _day(v: list) -> date:
    return datetime.fromtimestamp(v[1], STOCKHOLM).date()


def view(visit_id: str, entry: list) -> dict:
    """What reports know of one visit: [version, occurred_at, provider, compact] made readable."""
    version, occurred_at, provider, v = entry
    start = datetime.fromtimestamp(v[1], STOCKHOLM)
    flags = v[4]
    return {"id": visit_id, "version": version, "changed_at": occurred_at, "provider": provider,
            "staff": v[0], "start": start, "end": start + timedelta(minutes=v[2]) if flags & ENDED else None,
            "minutes": v[2], "insatser": [(name, minutes) for name, minutes in v[3]],
            "status": STATUS.get(v[5], v[5]), "receipts": list(v[6]),
            "deviations": [(code, status) for code, status in v[7]],
            "partner": v[8] if len(v) > 8 else None,
            "double": bool(flags & DOUBLE), "unplanned": bool(flags & UNPLANNED),
            "supervision": bool(flags & SUPERVISION), "absent": bool(flags & ABSENT),
            "post_registered": bool(flags & POST_REG), "edited": bool(flags & EDITED),
            "outside": bool(flags & OUTSIDE), "temporary_stay": bool(flags & TEMPORARY),
            "ended": bool(flags & ENDED)}
