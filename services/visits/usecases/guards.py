"""What the use cases check before a change: who is asking, whose visit it is, whether its period
is open and the version asked is the one stored, and a staff member's one visit at a time."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...domain.calendar import month_of
from ...domain.errors import Conflict, FieldError, Forbidden, NotFound, PeriodLocked, ValidationFailed
from ..domain import rules
from ..domain.model import INSATSER, SUPERVISION, Visit

if TYPE_CHECKING:
    from ..ports import VisitsDeps


def caller_user_id(who: Principal) -> str:
    if not who.user_id:
        raise Forbidden("your login names no user")
    return who.user_id


def scoped(who: Principal, visit: Visit) -> Visit:
    """Provider staff see only their provider's visits; another provider's is not found."""
    if who.of_provider and visit.provider_id != who.provider_id:
        raise NotFound("no such visit")
    return visit


def provider_asked(who: Principal, asked: str | None) -> str | None:
    """Provider staff read their own provider's; naming another is refused, not answered empty."""
    if not who.of_provider:
        return asked
    if asked is not None and asked != who.provider_id:
        raise Forbidden("you may read only your own provider's", errors=[
            FieldError("query.provider_id", "must be your own provider (or left out)")])
    return who.provider_id


def open_for_change(deps: VisitsDeps, *instants: datetime) -> None:
    now = deps.clock()
    for instant in instants:
        reason = rules.locked_reason(instant, now)
        if reason:
            raise PeriodLocked(reason)


def expect_version(visit: Visit, version: int) -> None:
    if visit.version != version:
        raise Conflict(f"the visit changed meanwhile (version {visit.version}, not {version}); reload it")


def check_composition(insatser: list[str], field: str) -> None:
    unknown = [i for i in insatser if i not in INSATSER]
    if unknown:
        raise ValidationFailed.field(field, f"unknown insatser: {unknown}; known: {sorted(INSATSER)}")
    if set(insatser) & SUPERVISION and set(insatser) - SUPERVISION:
        raise ValidationFailed.field(field, "supervision (tillsyn) is registered on its own, never with other "
                                            "insatser")


def no_overlap(deps: VisitsDeps, provider: str, staff_id: str, start: datetime, end: datetime, field: str,
               besides: str | None = None) -> None:
    """One staff member is at one visit at a time: a registered time may not overlap another visit."""
    months = sorted({month_of(start - timedelta(days=1)), month_of(start), month_of(end)})
    visits = [v for y, m in months for v in deps.days.visits_of_staff(provider, staff_id, y, m)]  # the member's own
    other = rules.overlapping(visits, staff_id, start, end, besides=besides)
    if other is not None:
        raise ValidationFailed.field(field, f"overlaps the staff member's visit {other.visit_id} "
                                            f"({other.started_at.isoformat()} – "
                                            f"{other.ended_at.isoformat() if other.ended_at else 'open'})")
