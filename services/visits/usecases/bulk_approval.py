"""Godkänn markerade: the provider lead approves several visits with one reason. Each visit is
approved by ``approval.approve`` (separation of duties, the month open, the version asked, the
case worker's pending deviations, and whatever guard ``approve`` holds); a visit with a red exception
(``exceptions.red_of_month``: found once per month for the whole list) is never approved. One visit's
refusal stops none of the others: the result names what was approved and, for each refused visit,
why (a code the pages phrase, and the kinds or detail behind it)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Literal

from ...auth.principal import Principal
from ...domain.calendar import month_of
from ...domain.errors import Conflict, Forbidden, NotFound, PeriodLocked, ValidationFailed
from ..domain import rules
from ..domain.model import Visit
from ..schemas import Reasoned, VisitView
from .approval import approve
from .guards import caller_user_id, scoped
from .exceptions import red_of_month

if TYPE_CHECKING:
    from ..ports import VisitsDeps

RefusalCode = Literal["not_found", "stale", "locked", "not_registered", "own", "red_exception", "refused"]
MAX_ITEMS = 200  # one page's visits at most; a hostile list costs nothing beyond it


@dataclass(frozen=True)
class Refused:
    visit_id: str
    code: RefusalCode
    kinds: tuple[str, ...] = ()  # the red exception kinds (``red_exception``)
    detail: str = ""  # the refusal as the use case said it (``refused``: a guard of ``approve``)
    visit: Visit | None = None  # as read (None: not found)


@dataclass
class BulkResult:
    approved: list[VisitView] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


def _precheck(deps: VisitsDeps, who: Principal, visit_id: str, version: int,
              red_of: Callable[[Visit], list[str]]) -> tuple[Visit | None, Refused | None]:
    """The visit as read, and why it is refused before ``approve`` is asked (None: ask it)."""
    try:
        visit = scoped(who, deps.days.get_visit(visit_id))
    except NotFound:
        return None, Refused(visit_id, "not_found")
    now = deps.clock()
    if rules.locked_reason(visit.started_at, now):
        return visit, Refused(visit_id, "locked", visit=visit)
    if visit.version != version:
        return visit, Refused(visit_id, "stale", visit=visit)
    red = red_of(visit)
    if red:
        return visit, Refused(visit_id, "red_exception", kinds=tuple(red), visit=visit)
    if visit.status != "registered":
        return visit, Refused(visit_id, "not_registered", detail=visit.status, visit=visit)
    if rules.approval_refusal(visit, caller_user_id(who)):
        return visit, Refused(visit_id, "own", visit=visit)
    return visit, None


def approve_many(deps: VisitsDeps, who: Principal, items: list[tuple[str, int]], reason: str) -> BulkResult:
    """Approves each (visit id, version) with ``reason``, in the order given, each visit once."""
    caller_user_id(who)
    result = BulkResult()
    # each month's red exceptions found once (one read of the month), never per visit
    months: dict[tuple[int, int], dict[str, list[str]]] = {}

    def red_of(visit: Visit) -> list[str]:
        month = month_of(visit.started_at)
        if month not in months:
            months[month] = red_of_month(deps, visit.provider_id, *month)
        return months[month].get(visit.visit_id, [])

    seen: set[str] = set()
    for visit_id, version in items[:MAX_ITEMS]:
        if visit_id in seen:
            continue
        seen.add(visit_id)
        visit, refusal = _precheck(deps, who, visit_id, version, red_of)
        if refusal is not None:
            result.refused.append(refusal)
            continue
        try:
            result.approved.append(approve(deps, who, visit_id, Reasoned(reason=reason, version=version),
                                           red=red_of(visit)))
        except PeriodLocked:
            result.refused.append(Refused(visit_id, "locked", visit=visit))
        except NotFound:
            result.refused.append(Refused(visit_id, "not_found"))
        except (Conflict, Forbidden, ValidationFailed) as exc:  # changed meanwhile, or a guard of approve's own
            result.refused.append(Refused(visit_id, "refused", detail=str(exc), visit=visit))
    return result
