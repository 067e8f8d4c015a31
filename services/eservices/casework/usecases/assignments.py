"""Contact-person assignments (uppdrag som kontaktperson/kontaktfamilj, LSS 9 § 4): who meets
whom, the agreed sessions per month, the monthly fee and expense allowance in öre, from and to.
Case workers register, change and end them (each emits ``assignment.registered`` with the terms
now in force, for billing); a contact person reads their own."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from ....auth.principal import Principal
from ....domain.calendar import stockholm_date
from ....domain.errors import Conflict
from ....domain.personnummer import mask
from ..domain.assignments import Assignment
from ..domain.identity import checked_names
from ..domain.periods import ASSIGNMENT_DATES, changed, dates_near_today, refuse
from ..models.assignments import (AssignmentChange, AssignmentQuery, AssignmentRequest, AssignmentView,
                                 MyAssignmentView)
from .audit import trail

if TYPE_CHECKING:
    from ....contracts.events import AssignmentRegistered
    from ...bootstrap import EservicesDeps

def _view(a: Assignment) -> AssignmentView:
    return AssignmentView(
        assignment_id=a.assignment_id, kind=a.kind, contact_person=str(a.contact_person),
        contact_person_name=f"{a.contact_person_first_name} {a.contact_person_last_name}", client=str(a.client),
        client_name=f"{a.client_first_name} {a.client_last_name}", sessions_per_month=a.sessions_per_month,
        monthly_fee_ore=a.monthly_fee_ore, expense_allowance_ore=a.expense_allowance_ore, valid_from=a.valid_from,
        valid_to=a.valid_to, case_id=a.case_id, note=a.note, ended_at=a.ended_at, version=a.version)


def _event(a: Assignment) -> AssignmentRegistered:
    from ....contracts.events import AssignmentRegistered

    return AssignmentRegistered(assignment_id=a.assignment_id, contact_person=a.contact_person, client=a.client,
                                kind=a.kind, sessions_per_month=a.sessions_per_month,
                                monthly_fee_ore=a.monthly_fee_ore, expense_allowance_ore=a.expense_allowance_ore,
                                valid_from=a.valid_from, valid_to=a.valid_to)


def _no_overlap(deps: EservicesDeps, a: Assignment) -> None:
    """One assignment of a kind per contact person and client at a time."""
    for other in deps.casework.assignments.of_contact_person(a.contact_person):
        if (other.assignment_id != a.assignment_id and other.client == a.client and other.kind == a.kind
                and other.overlaps(a)):
            raise Conflict("this contact person already has an assignment for this client in these dates")


def _save(deps: EservicesDeps, who: Principal, a: Assignment, action: str, expected_version: int | None) -> Assignment:
    uow = deps.unit_of_work()
    if expected_version is None:
        deps.casework.assignments.add(uow, a)
    else:
        a = deps.casework.assignments.replace(uow, a, expected_version=expected_version)
    trail(deps).add_to(uow, who, action, [a.client, a.contact_person], resource=f"assignment:{a.assignment_id}")
    uow.emit(_event(a))
    uow.commit("the assignment was changed by someone else; reload it")
    return a


def register(deps: EservicesDeps, who: Principal, body: AssignmentRequest) -> AssignmentView:
    refuse(dates_near_today(body.model_dump(), stockholm_date(deps.clock()), ASSIGNMENT_DATES))
    people = [(getattr(body, who), getattr(body, f"{who}_first_name"), getattr(body, f"{who}_last_name"),
               (f"{who}_first_name", f"{who}_last_name")) for who in ("contact_person", "client")]
    names = {field: value for person, checked in zip(people, checked_names(deps.register, people))
             for field, value in zip(person[3], checked)}
    a = Assignment(assignment_id=str(uuid.uuid4()), **{**body.model_dump(), **names}, created_by=who.actor,
                   created_at=deps.clock())
    _no_overlap(deps, a)
    return _view(_save(deps, who, a, "assignment.create", None))


def get(deps: EservicesDeps, who: Principal, assignment_id: str) -> AssignmentView:
    a = deps.casework.assignments.get(assignment_id)
    trail(deps).read(who, "assignment.read", [a.client, a.contact_person], resource=f"assignment:{assignment_id}")
    return _view(a)


def search(deps: EservicesDeps, who: Principal, query: AssignmentQuery) -> list[AssignmentView]:
    if query.contact_person:
        found = [a for a in deps.casework.assignments.of_contact_person(query.contact_person)
                 if query.client is None or a.client == query.client]
    else:
        found = deps.casework.assignments.of_client(query.client)
    found.sort(key=lambda a: (a.valid_from, a.assignment_id), reverse=True)
    trail(deps).read(who, "assignment.read", [p for a in found for p in (a.client, a.contact_person)],
                     resource="assignments")
    return [_view(a) for a in found]


def change(deps: EservicesDeps, who: Principal, assignment_id: str, body: AssignmentChange) -> AssignmentView:
    a = deps.casework.assignments.get(assignment_id)
    if a.ended_at is not None:
        raise Conflict("the assignment has ended")
    updated = changed(a, body, what="assignment",
                      required=("sessions_per_month", "monthly_fee_ore", "expense_allowance_ore", "valid_from", "note"),
                      today=stockholm_date(deps.clock()), limits=ASSIGNMENT_DATES)
    _no_overlap(deps, updated)
    return _view(_save(deps, who, updated, "assignment.change", a.version))


def end(deps: EservicesDeps, who: Principal, assignment_id: str) -> AssignmentView:
    """Ends the assignment today (kept for billing and history, not deleted)."""
    a = deps.casework.assignments.get(assignment_id)
    if a.ended_at is not None:
        raise Conflict("the assignment has ended already")
    now = deps.clock()
    today = stockholm_date(now)
    if a.valid_from > today:
        raise Conflict("the assignment has not begun; change its dates instead")
    valid_to = today if a.valid_to is None or a.valid_to > today else a.valid_to
    updated = a.model_copy(update={"ended_at": now, "valid_to": valid_to, "version": a.version + 1})
    return _view(_save(deps, who, updated, "assignment.end", a.version))


def mine(deps: EservicesDeps, who: Principal) -> list[MyAssignmentView]:
    """The caller's own assignments as contact person, newest first."""
    today = stockholm_date(deps.clock())
    found = sorted(deps.casework.assignments.of_contact_person(who.personnummer),
                   key=lambda a: (a.valid_from, a.assignment_id), reverse=True)
    return [MyAssignmentView(assignment_id=a.assignment_id, kind=a.kind,
                             client_name=f"{a.client_first_name} {a.client_last_name}",
                             client_personnummer=mask(a.client), sessions_per_month=a.sessions_per_month,
                             monthly_fee_ore=a.monthly_fee_ore, expense_allowance_ore=a.expense_allowance_ore,
                             valid_from=a.valid_from, valid_to=a.valid_to,
                             active=a.ended_at is None and a.in_force_on(today)) for a in found]
