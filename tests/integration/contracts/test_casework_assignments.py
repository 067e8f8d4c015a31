"""The assignments repository: by id, versioned; by contact person and by client, earliest first;
the adapter and the fake alike."""
from __future__ import annotations

from datetime import date

import pytest

from services.domain.errors import Conflict, NotFound
from services.eservices.casework.domain.assignments import Assignment
from tests.support.people import new_pnr

from .casework_ports import NOW, an_id, ports  # noqa: F401


def an_assignment(contact_person: str, client: str, valid_from: date) -> Assignment:
    return Assignment(assignment_id=an_id("asg-"), kind="kontaktperson", contact_person=contact_person,
                      contact_person_first_name="Kim", contact_person_last_name="Kontakt", client=client,
                      client_first_name="Karin", client_last_name="Klient", sessions_per_month=4,
                      monthly_fee_ore=150_000, expense_allowance_ore=30_000, valid_from=valid_from,
                      created_by="hl-1", created_at=NOW)


def test_an_assignment_is_added_once_and_found_by_id(ports):
    a = an_assignment(new_pnr(1980), new_pnr(2010), date(2026, 1, 1))
    assert ports.repos.assignments.find(a.assignment_id) is None
    with pytest.raises(NotFound, match="no such assignment"):
        ports.repos.assignments.get(a.assignment_id)
    ports.commit(lambda uow: ports.repos.assignments.add(uow, a))
    assert ports.repos.assignments.get(a.assignment_id) == a
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.assignments.add(uow, a))


def test_a_change_is_kept_only_over_the_version_it_was_made_on(ports):
    # GIVEN an assignment, changed once
    a = an_assignment(new_pnr(1980), new_pnr(2010), date(2026, 1, 1))
    ports.commit(lambda uow: ports.repos.assignments.add(uow, a))
    changed = a.model_copy(update={"sessions_per_month": 6, "version": 2})
    ports.commit(lambda uow: ports.repos.assignments.replace(uow, changed, expected_version=1))
    assert ports.repos.assignments.get(a.assignment_id) == changed
    # WHEN changed again on the first version THEN the commit fails and the stored one stands
    stale = a.model_copy(update={"sessions_per_month": 2, "version": 2})
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.assignments.replace(uow, stale, expected_version=1))
    assert ports.repos.assignments.get(a.assignment_id) == changed


def test_assignments_are_listed_by_contact_person_and_by_client_earliest_first(ports):
    # GIVEN a contact person's two assignments (added later one first) and someone else's with one client
    kim, client, other_client = new_pnr(1980), new_pnr(2010), new_pnr(2011)
    later = an_assignment(kim, client, date(2026, 6, 1))
    earlier = an_assignment(kim, other_client, date(2026, 2, 1))
    someone_elses = an_assignment(new_pnr(1981), client, date(2026, 3, 1))
    for a in (later, earlier, someone_elses):
        ports.commit(lambda uow, a=a: ports.repos.assignments.add(uow, a))
    # WHEN listed THEN by contact person and by client, earliest first; every assignment holds them all
    assert ports.repos.assignments.of_contact_person(kim) == [earlier, later]
    assert ports.repos.assignments.of_client(client) == [someone_elses, later]
    everyone = {a.assignment_id for a in ports.repos.assignments.of_client(None)}
    assert {later.assignment_id, earlier.assignment_id, someone_elses.assignment_id} <= everyone
