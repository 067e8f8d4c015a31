"""Approving relatives (godkänna närstående): after the citizen's consent is
recorded, a case worker lets a relative log in for the citizen between two dates. Outside them,
or once ended, the relative can do nothing for the citizen (``relatives.acting_subject``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ....auth.principal import Principal
from ....domain.calendar import stockholm_date
from ....domain.errors import Conflict, ValidationFailed
from ...usecases.notifications import notify_person
from ...domain.relatives import RelativeApproval
from ..domain.identity import checked_names
from ..domain.periods import APPROVAL_DATES, changed, dates_near_today, refuse
from ..models.relatives import ApprovalChange, ApprovalQuery, ApprovalRequest, ApprovalView
from .audit import trail

if TYPE_CHECKING:
    from ...bootstrap import EservicesDeps


def _view(a: RelativeApproval, today: Any) -> ApprovalView:
    return ApprovalView(approval_id=a.approval_id, citizen=str(a.citizen),
                        citizen_name=f"{a.citizen_first_name} {a.citizen_last_name}", relative=str(a.relative),
                        relative_name=f"{a.relative_first_name} {a.relative_last_name}", valid_from=a.valid_from,
                        valid_to=a.valid_to, note=a.note, consent_recorded=a.consent_recorded,
                        created_by=a.created_by, created_at=a.created_at, ended_at=a.ended_at,
                        active_today=a.active_on(today), version=a.version)


def _no_overlap(deps: EservicesDeps, a: RelativeApproval) -> None:
    for other in deps.approvals.of_citizen(a.citizen):
        if (other.approval_id != a.approval_id and other.relative == a.relative
                and other.overlaps(a.valid_from, a.valid_to)):
            raise Conflict("this relative is already approved for this citizen in these dates")


def _save(deps: EservicesDeps, who: Principal, a: RelativeApproval, action: str,
          expected_version: int | None, tell_relative: str | None = None) -> ApprovalView:
    uow = deps.unit_of_work()
    if expected_version is None:
        deps.approvals.add(uow, a)
    else:
        a = deps.approvals.replace(uow, a, expected_version=expected_version)
    trail(deps).add_to(uow, who, action, [a.citizen, a.relative], resource=f"approval:{a.approval_id}")
    if tell_relative:
        notify_person(uow, tell_relative, a.relative)
    uow.commit("the approval was changed by someone else; reload it")
    return _view(a, stockholm_date(deps.clock()))


def approve(deps: EservicesDeps, who: Principal, body: ApprovalRequest) -> ApprovalView:
    citizen, relative = body.citizen, body.relative
    refuse(dates_near_today(body.model_dump(), stockholm_date(deps.clock()), APPROVAL_DATES))
    (c_first, c_last), (r_first, r_last) = checked_names(deps.register, [
        (p.personnummer, p.first_name, p.last_name, (f"{side}.first_name", f"{side}.last_name"))
        for side, p in (("citizen", citizen), ("relative", relative))])
    a = RelativeApproval(citizen=citizen.personnummer, citizen_first_name=c_first, citizen_last_name=c_last,
                         relative=relative.personnummer, relative_first_name=r_first, relative_last_name=r_last,
                         valid_from=body.valid_from, valid_to=body.valid_to, note=body.note,
                         consent_recorded=body.consent_recorded, created_by=who.actor, created_at=deps.clock())
    _no_overlap(deps, a)
    return _save(deps, who, a, "relative.create", None, tell_relative="relative.approved")


def search(deps: EservicesDeps, who: Principal, query: ApprovalQuery) -> list[ApprovalView]:
    if query.citizen:
        found = [a for a in deps.approvals.of_citizen(query.citizen)
                 if query.relative is None or a.relative == query.relative]
    elif query.relative:
        found = deps.approvals.of_relative(query.relative)
    else:
        raise ValidationFailed.field("query.citizen", "give the citizen's or the relative's personnummer")
    found.sort(key=lambda a: (a.valid_from, a.approval_id), reverse=True)
    trail(deps).read(who, "relative.read", [p for a in found for p in (a.citizen, a.relative)] or
                     [query.citizen or query.relative], resource="approvals")
    today = stockholm_date(deps.clock())
    return [_view(a, today) for a in found]


def change(deps: EservicesDeps, who: Principal, approval_id: str, body: ApprovalChange) -> ApprovalView:
    a = deps.approvals.by_id(approval_id)
    if a.ended_at is not None:
        raise Conflict("the approval has ended; make a new one")
    updated = changed(a, body, what="approval", required=("valid_from", "note"), today=stockholm_date(deps.clock()),
                      limits=APPROVAL_DATES)
    _no_overlap(deps, updated)
    return _save(deps, who, updated, "relative.change", a.version)


def end(deps: EservicesDeps, who: Principal, approval_id: str) -> ApprovalView:
    """Ends the approval now: from today the relative can do nothing for the citizen."""
    a = deps.approvals.by_id(approval_id)
    if a.ended_at is not None:
        raise Conflict("the approval has ended already")
    updated = a.model_copy(update={"ended_at": deps.clock(), "version": a.version + 1})
    return _save(deps, who, updated, "relative.end", a.version, tell_relative="relative.ended")
