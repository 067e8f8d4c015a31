"""Approving a visit, and undoing an approval, by the provider's coordinator (never their own).
A visit with an unresolved red exception (``usecases/exceptions``: e.g. an overlap, a visit on a
day the client is absent) is not approved: 409 naming the kinds."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...domain.errors import Conflict, Forbidden
from ..domain import rules
from ..schemas import Reasoned, VisitView
from .day_writes import write_as
from .exceptions import unresolved_red
from .guards import caller_user_id, expect_version, open_for_change, scoped
from .reading import visit_view

if TYPE_CHECKING:
    from ..ports import VisitsDeps


def approve(deps: VisitsDeps, who: Principal, visit_id: str, body: Reasoned, *,
            red: list[str] | None = None) -> VisitView:
    """``red``: the visit's unresolved red exceptions as the caller found them for many visits at once
    (``exceptions.red_of_month``, one read of the month for a bulk approval); None: found here."""
    visit = scoped(who, deps.days.get_visit(visit_id))
    open_for_change(deps, visit.started_at)
    expect_version(visit, body.version)
    if visit.status != "registered":
        raise Conflict(f"only a registered (ended) visit can be approved; this one is {visit.status}")
    refusal = rules.approval_refusal(visit, caller_user_id(who))
    if refusal:
        raise Forbidden(refusal)
    waiting = rules.waiting_for_case_worker(visit)
    if waiting:
        raise Conflict(waiting)
    if red is None:
        red = unresolved_red(deps, visit, deps.clock())
    if red:
        raise Conflict(f"the visit has unresolved red exceptions: {', '.join(red)}; resolve them first")
    approved = visit.model_copy(update={"status": "approved", "approved_by": who.actor, "approved_at": deps.clock()})
    saved = write_as(deps, visit, approved, "approved", by=who, why=body.reason)
    return visit_view(saved, deps.clock())


def unapprove(deps: VisitsDeps, who: Principal, visit_id: str, body: Reasoned) -> VisitView:
    visit = scoped(who, deps.days.get_visit(visit_id))
    open_for_change(deps, visit.started_at)
    expect_version(visit, body.version)
    if visit.status != "approved":
        raise Conflict("the visit is not approved")
    undone = visit.model_copy(update={"status": "registered", "approved_by": None, "approved_at": None})
    saved = write_as(deps, visit, undone, "unapproved", by=who, why=body.reason)
    return visit_view(saved, deps.clock())
