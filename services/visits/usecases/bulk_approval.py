"""Godkänn markerade: the provider lead approves several visits with one reason. Each visit is
approved by ``approval.approve`` (separation of duties, the month open, the version asked, the
case worker's pending deviations, and whatever guard ``approve`` holds); a visit with a red exception
(of the visit alone, or the client registered absent on its day) is never approved. One visit's
refusal stops none of the others: the result names what was approved and, for each refused visit,
why (a code the pages phrase, and the kinds or detail behind it)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ...auth.principal import Principal
from ...domain.errors import Conflict, Forbidden, NotFound, PeriodLocked, ValidationFailed
from ..domain import rules
from ..domain.exceptions import blocking
from ..domain.model import Absence, Visit
from ..schemas import Reasoned, VisitView
from .approval import approve
from .guards import caller_user_id, scoped
from .visit_list import exceptions_of

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
              absences: dict[str, list[Absence]]) -> tuple[Visit | None, Refused | None]:
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
    red = blocking(exceptions_of(visit, now, absences.get(str(visit.client), [])))
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
    absences: dict[str, list[Absence]] = {}  # the provider's, read once: a visit on an absent day is red
    if items and who.provider_id:
        for a in deps.absences.absences_of(who.provider_id):
            absences.setdefault(str(a.client), []).append(a)
    seen: set[str] = set()
    for visit_id, version in items[:MAX_ITEMS]:
        if visit_id in seen:
            continue
        seen.add(visit_id)
        visit, refusal = _precheck(deps, who, visit_id, version, absences)
        if refusal is not None:
            result.refused.append(refusal)
            continue
        try:
            result.approved.append(approve(deps, who, visit_id, Reasoned(reason=reason, version=version)))
        except PeriodLocked:
            result.refused.append(Refused(visit_id, "locked", visit=visit))
        except NotFound:
            result.refused.append(Refused(visit_id, "not_found"))
        except (Conflict, Forbidden, ValidationFailed) as exc:  # changed meanwhile, or a guard of approve's own
            result.refused.append(Refused(visit_id, "refused", detail=str(exc), visit=visit))
    return result
