"""Visits compared with the client's decisions (the rule itself is ``domain.granted``): performed
time beyond the month's granted time, and visits on days no decision covers, wait for the case
worker."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...domain.calendar import is_month_open
from ...domain.errors import Conflict
from ...domain.granted import home_care_decisions, latest_home_care_minutes
from ..domain import rules
from ..domain.days import ClientDay, month_day_keys
from ..domain.model import Deviation
from ..domain.versions import changed_events, versioned, waits
from .day_writes import update_day

if TYPE_CHECKING:
    from ...contracts.events import Event
    from ..ports import VisitsDeps


def months_over_granted(deps: "VisitsDeps", months: list[tuple[str, str, int, int]],
                        decisions: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str, int, int]]:
    """Of the (provider, client, year, month)s, those whose performed time passes the granted time:
    the days' totals of them all in one batched read (only they are compared visit by visit)."""
    granted = {m: latest_home_care_minutes(decisions.get(m[1], []), m[2], m[3]) for m in months
               if is_month_open(m[2], m[3], deps.clock())}
    asked = {m: month_day_keys(*m) for m, minutes in granted.items() if minutes is not None}
    totals = deps.days.days_minutes([k for keys in asked.values() for k in keys]) if asked else {}
    return [m for m, keys in asked.items() if sum(totals.get(k, 0) for k in keys) > (granted[m] or 0)]


def mark_over_granted(deps: "VisitsDeps", provider: str, client: str, year: int, month: int,
                      decisions: list[dict[str, Any]] | None = None, *, over_granted_only: bool = False,
                      known_over: bool = False) -> bool:
    """Compares the month's visits with the client's home-care decisions. Performed time beyond the
    month's granted time needs the case worker's approval, and so does a visit on a day no
    home-care decision covers (a temporary stay's decision is another municipality's: not compared).
    A pending ``no_decision`` is withdrawn once a decision covers the day. Returns whether a visit
    of the month still waits for a decision. ``over_granted_only`` (after a rebuild, which set
    ``no_decision`` itself): reads only the days' totals unless the month passes the granted time
    (``known_over``: it does, as ``months_over_granted`` found)."""
    if not is_month_open(year, month, deps.clock()):
        return False
    decisions = home_care_decisions(deps.grants.decisions_of(client)) if decisions is None else decisions
    granted = latest_home_care_minutes(decisions, year, month)
    keys = month_day_keys(provider, client, year, month)
    if over_granted_only and not known_over and (granted is None
                                                 or sum(deps.days.days_minutes(keys).values()) <= granted):
        return False
    days = {k: d for k, d in deps.days.load_days(keys).items() if d.version}
    over = set(rules.over_granted([v for d in days.values() for v in d.visits.values()], granted)) \
        if granted is not None else set()
    now = deps.clock()
    waiting = False
    newly_waiting = False

    def compare(day: ClientDay) -> list[Event] | None:
        nonlocal newly_waiting
        events: list[Event] = []
        for visit_id, visit in sorted(day.visits.items()):
            updated = visit.model_copy(deep=True)
            if visit_id in over and not any(d.code == "over_granted_time" for d in visit.deviations):
                updated.deviations.append(Deviation(code="over_granted_time", status="pending", by="system",
                                                    at=visit.ended_at or visit.started_at,
                                                    reason=f"performed time passes the granted {granted} minutes"))
            if not over_granted_only:
                updated.deviations = rules.against_decisions(updated, decisions)
            if updated.deviations == visit.deviations:
                continue
            saved = versioned(visit, updated, "updated", by="system", why="compared with the client's decisions",
                              now=now)
            newly_waiting |= waits(saved) and not waits(visit)
            day.visits[visit_id] = saved
            events += changed_events(saved, "updated", visit)
        return events or None

    for key, day in sorted(days.items()):
        written = update_day(deps, key, compare, conflict="the visit changed meanwhile", first=day)
        waiting |= any(waits(v) for v in written.visits.values())
    if newly_waiting:
        deps.grants.put_waiting([(client, provider, (year, month))])
    return waiting


def compare_waiting(deps: "VisitsDeps", client: str) -> None:
    """Visits that waited for a decision are compared again when one is published."""
    for provider, year, month in deps.grants.waiting_months(client):
        try:
            still = mark_over_granted(deps, provider, client, year, month)
        except Conflict:
            continue  # a concurrent change; the marker stays and the next decision or rebuild compares again
        if not still:
            deps.grants.stop_waiting(client, provider, year, month)
