"""The read models the case workers' pages need, over fakes: the inbox searched by personnummer,
case number or name and filtered on a case worker's cases, and Att göra's counts."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.eservices.casework.models.inbox import StaffInboxQuery
from services.eservices.casework.usecases import inbox, todo
from services.eservices.domain.people import RegisteredPerson
from services.eservices.domain.relatives import RelativeApproval
from tests.support.fakes.casework import casework_deps, staff
from tests.support.people import new_pnr
from tests.unit.casework.test_use_cases import NOW, TODAY, application, taken_in


@pytest.fixture
def deps():
    return casework_deps(NOW)


def ids(page):
    return [r.case_id for r in page.items]


class TestSearchInbox:
    def test_by_personnummer_reads_the_persons_own_cases(self, deps):
        # GIVEN two applications of one person and one of another
        pnr = new_pnr()
        first, second = application(deps, pnr), application(deps, pnr)
        application(deps)
        # WHEN searched by the personnummer, written with a dash
        found = inbox.search_inbox(deps, staff(), StaffInboxQuery(q=f"{pnr[:8]}-{pnr[8:]}"))
        # THEN only that person's, and the inbox was not read
        assert sorted(ids(found)) == sorted([first.case_id, second.case_id])
        assert deps.casework.inbox.statuses_read == []

    def test_mine_lists_the_cases_taken_in_by_me(self, deps):
        mine, _ = taken_in(deps, staff("hl-1")), taken_in(deps, staff("hl-2"))
        application(deps)
        assert ids(inbox.search_inbox(deps, staff("hl-1"), StaffInboxQuery(mine=True))) == [mine.case_id]
        assert ids(inbox.search_inbox(deps, staff("hl-2"), StaffInboxQuery(case_worker="hl-1"))) == [mine.case_id]

    def test_by_case_number_and_by_name_but_never_a_person_protected_since(self, deps):
        found = application(deps)
        assert ids(inbox.search_inbox(deps, staff(), StaffInboxQuery(q=found.case_number))) == [found.case_id]
        assert found.case_id in ids(inbox.search_inbox(deps, staff(), StaffInboxQuery(q="testsson")))
        # GIVEN the register protects the person after they applied
        deps.register.people[str(found.owner)] = RegisteredPerson(
            personnummer=str(found.owner), first_name="Test", last_name="Testsson", protected_identity=True)
        assert found.case_id not in ids(inbox.search_inbox(deps, staff(), StaffInboxQuery(q="Testsson")))
        shown = inbox.search_inbox(deps, staff(), StaffInboxQuery(q=found.case_number)).items
        assert [(r.name, r.protected_identity) for r in shown] == [("Skyddad identitet", True)]

    def test_every_list_read_is_audited(self, deps):
        case = application(deps)
        inbox.search_inbox(deps, staff(), StaffInboxQuery(q=case.case_number))
        assert deps.audit.actions_on(case.owner) == ["inbox.list"]


class TestTodo:
    def test_counts_what_waits_for_the_case_worker(self, deps):
        # GIVEN a new application, one of mine under investigation whose relative's approval ends
        # in two weeks and with messaging off, and one of another case worker's
        application(deps)
        mine = taken_in(deps, staff("hl-1"))
        taken_in(deps, staff("hl-2"))
        deps.approvals.put(RelativeApproval(
            approval_id="a-1", citizen=mine.owner, citizen_first_name="Test", citizen_last_name="Testsson",
            relative=new_pnr(), relative_first_name="Rel", relative_last_name="Ativ", valid_from=TODAY - timedelta(days=300),
            valid_to=TODAY + timedelta(days=14), created_by="case_worker:hl-1", created_at=NOW))
        # WHEN Att göra is counted for me
        counts = {i.key: i.count for i in todo.todo_counts(deps, staff("hl-1")).items}
        # THEN
        assert counts == {"new_applications": 1, "my_cases": 1, "reports": 0, "unread_messages": 0,
                          "visit_deviations": 0, "relatives_ending": 1, "messaging_off": 1}
