"""The case worker's decision on a pending deviation (a manual receipt, time beyond the granted
time, no decision): the provider decides none."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...domain.calendar import is_month_open, month_of, stockholm_date
from ...domain.errors import Conflict, NotFound, ValidationFailed
from ..domain.model import Deviation, Visit
from ..schemas import VisitView
from .day_writes import write_as
from .guards import open_for_change
from .reading import visit_view

if TYPE_CHECKING:
    from ..ports import VisitsDeps


def own_clients(deps: VisitsDeps, who: Principal) -> list[str]:
    """The clients whose published decisions name ``who`` as the case's case worker
    (``decision.published`` v2 ``case_worker_id``): the only ones whose deviations ``who`` sees
    (``pending_for_case_worker``) and decides (``decide_deviation``)."""
    return deps.grants.clients_of_case_worker(who.user_id or who.subject)


def decide_deviation(deps: VisitsDeps, who: Principal, visit_id: str, index: int, decision: str,
                     reason: str) -> VisitView:
    """The client's case worker approves or rejects a pending deviation (manual receipt, time beyond
    the granted time). Another case worker's client's visit is not found (404, before any other
    answer), as on the case workers' pages, whose decisions come through here too."""
    visit = deps.days.get_visit(visit_id)
    if str(visit.client) not in own_clients(deps, who):
        raise NotFound("no such visit")
    open_for_change(deps, visit.started_at)
    if index >= len(visit.deviations):
        raise ValidationFailed.field("index", f"the visit has {len(visit.deviations)} deviations")
    deviation = visit.deviations[index]
    if deviation.status != "pending":
        raise Conflict(f"only a pending deviation is decided; this one is {deviation.status}")
    updated = visit.model_copy(deep=True)
    updated.deviations[index] = deviation.model_copy(update={"status": decision, "decided_by": who.actor,
                                                             "decided_at": deps.clock()})
    return visit_view(write_as(deps, visit, updated, "updated", by=who, why=f"{decision}: {reason}"), deps.clock())


# What waits for the case worker on their clients' visits (``no_decision`` waits for a decision, not
# for a deviation decision: it is withdrawn when one is published).
CASE_WORKER_KINDS = ("over_granted_time", "manual_receipt")


@dataclass(frozen=True)
class PendingDeviation:
    """One deviation of a visit waiting for the case worker."""

    visit: Visit
    index: int
    deviation: Deviation

    @property
    def key(self) -> str:
        """What a page's checkbox names: ``<visit id>:<index>``."""
        return f"{self.visit.visit_id}:{self.index}"


def _open_months(now: datetime) -> list[tuple[int, int]]:
    """The months whose deviations can still be decided: this one, and the last until its lock date."""
    year, month = month_of(now)
    last = (year, month - 1) if month > 1 else (year - 1, 12)
    return [m for m in (last, (year, month)) if is_month_open(*m, now)]


def pending_for_case_worker(deps: VisitsDeps, who: Principal, *, kind: str | None = None,
                            client: str | None = None, day_from: date | None = None,
                            day_to: date | None = None) -> list[PendingDeviation]:
    """The deviations waiting for ``who`` on the visits of their own clients (those whose published
    decisions name them as the case's case worker), in months still open, oldest first. Visits are
    read per client from the providers the client's decisions (and waiting months) name."""
    mine = own_clients(deps, who)
    if client is not None:
        mine = [c for c in mine if c == client]
    found: list[PendingDeviation] = []
    for c in mine:
        providers = {str(d["provider_id"]) for d in deps.grants.decisions_of(c) if d.get("provider_id")}
        providers |= {p for p, _, _ in deps.grants.waiting_months(c)}
        for provider in sorted(providers):
            for year, month in _open_months(deps.clock()):
                for visit in deps.days.visits_of_month(provider, year, month, c):
                    day = stockholm_date(visit.started_at)
                    if (day_from and day < day_from) or (day_to and day > day_to):
                        continue
                    for i, d in enumerate(visit.deviations):
                        if d.status == "pending" and d.code in CASE_WORKER_KINDS and (kind is None or d.code == kind):
                            found.append(PendingDeviation(visit, i, d))
    return sorted(found, key=lambda p: (p.visit.started_at, p.visit.visit_id, p.index))


def decide_pending(deps: VisitsDeps, who: Principal, keys: list[str], decision: str, reason: str) -> list[VisitView]:
    """The case worker decides several of their own clients' waiting deviations with one reason:
    each through ``decide_deviation`` (the API's use case), after every key is checked, so a key
    that is not one of theirs, or no longer waiting, stores nothing."""
    if not keys:
        raise ValidationFailed.field("keys", "choose at least one deviation")
    waiting = {p.key: p for p in pending_for_case_worker(deps, who)}
    unknown = [k for k in keys if k not in waiting]
    if unknown:
        raise Conflict(f"not waiting for you: {', '.join(unknown)}")
    return [decide_deviation(deps, who, waiting[k].visit.visit_id, waiting[k].index, decision, reason)
            for k in dict.fromkeys(keys)]
