"""The case worker's decision on a pending deviation (a manual receipt, time beyond the granted
time, no decision): the provider decides none."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...domain.errors import Conflict, ValidationFailed
from ..schemas import VisitView
from .day_writes import write_as
from .guards import open_for_change
from .reading import visit_view

if TYPE_CHECKING:
    from ..ports import VisitsDeps


def decide_deviation(deps: VisitsDeps, who: Principal, visit_id: str, index: int, decision: str,
                     reason: str) -> VisitView:
    """The case worker approves or rejects a pending deviation (manual receipt, time beyond the
    granted time)."""
    visit = deps.days.get_visit(visit_id)
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
