"""The auditors' log follow-up (``audit.follow_up`` / ``follow_up_csv``) over the fakes: by client,
staff member, case and period; what was done in plain Swedish; protected identity marked; the
search itself audited; the CSV export."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from services.auth.principal import Role
from services.eservices.casework.models.audit import LogQuery
from services.eservices.casework.usecases import audit
from services.eservices.domain.cases import Case
from services.eservices.domain.people import RegisteredPerson
from tests.support.fakes.casework import CaseworkDeps, casework_deps, staff
from tests.support.people import new_pnr

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
AUDITOR = staff("rev-1", "Lena Lind", Role.AUDITOR)


@pytest.fixture
def deps() -> CaseworkDeps:
    return casework_deps(NOW)


def query(**kw) -> LogQuery:
    return LogQuery.model_validate({"from": "2026-03-10", "to": "2026-03-10", **kw})


def a_case(deps: CaseworkDeps, pnr: str, number: str) -> Case:
    return deps.cases.add_now(Case(case_id=f"c-{number}", case_number=number, form_id="support-application",
                                   title="Ansökan om stöd", category="Äldreomsorg", owner=pnr, submitted_by=pnr,
                                   submitted_at=NOW))


def read(deps: CaseworkDeps, who, action: str, pnr: str, resource: str = "") -> None:
    audit.trail(deps).read(who, action, [pnr], resource=resource)
    deps.clock.now += timedelta(seconds=1)


class TestSearch:
    def test_by_case_number_finds_the_case_and_what_lies_under_it_only(self, deps):
        # GIVEN reads of two cases of one client, one of them a document of the first case
        pnr = new_pnr()
        first, other = a_case(deps, pnr, "2026-000001"), a_case(deps, pnr, "2026-000002")
        read(deps, staff(), "case.read", pnr, f"case:{first.case_id}")
        read(deps, staff(), "case.document.read", pnr, f"case:{first.case_id}/document:d1")
        read(deps, staff(), "case.read", pnr, f"case:{other.case_id}")
        # WHEN the auditor searches by the first case's number, and by the other's id
        by_number = audit.follow_up(deps, AUDITOR, query(case="2026-000001"))
        by_id = audit.follow_up(deps, AUDITOR, query(case=other.case_id))
        # THEN the first case's two records, then the other's one, each naming its case
        assert [r.record.action for r in by_number.items] == ["case.read", "case.document.read"]
        assert {r.case_id for r in by_number.items} == {first.case_id} and by_number.case_found
        assert {r.case_number for r in by_number.items} == {"2026-000001"}
        assert [r.record.resource for r in by_id.items] == [f"case:{other.case_id}"]

    def test_a_case_number_that_names_no_case_finds_nothing_and_says_so(self, deps):
        read(deps, staff(), "case.read", new_pnr(), "case:c-x")
        found = audit.follow_up(deps, AUDITOR, query(case="2026-999999"))
        assert found.items == [] and not found.case_found

    def test_by_user_id_in_any_role_or_with_a_role(self, deps):
        pnr = new_pnr()
        read(deps, staff("hl-anna", "Anna"), "case.read", pnr)
        read(deps, staff("hl-bo", "Bo"), "case.read", pnr)
        read(deps, staff("hl-anna", "Anna", Role.ORDERING_UNIT), "case.read", pnr)
        anna = audit.follow_up(deps, AUDITOR, query(user="hl-anna"))
        assert [r.record.actor for r in anna.items] == ["case_worker:hl-anna", "ordering_unit:hl-anna"]
        as_case_worker = audit.follow_up(deps, AUDITOR, query(user="hl-anna", role="case_worker"))
        assert [r.record.actor for r in as_case_worker.items] == ["case_worker:hl-anna"]
        by_role = audit.follow_up(deps, AUDITOR, query(role="ordering_unit"))
        assert [r.record.actor for r in by_role.items] == ["ordering_unit:hl-anna"]

    def test_by_client_and_period(self, deps):
        pnr, other = new_pnr(), new_pnr()
        read(deps, staff(), "case.read", pnr)
        read(deps, staff(), "case.read", other)
        deps.clock.now += timedelta(days=2)
        read(deps, staff(), "message.read", pnr)
        found = audit.follow_up(deps, AUDITOR, query(person=pnr, to="2026-03-12"))
        assert [(r.record.subject, r.record.action) for r in found.items] == [(pnr, "case.read"), (pnr, "message.read")]
        only_first_day = audit.follow_up(deps, AUDITOR, query(person=pnr))
        assert [r.record.action for r in only_first_day.items] == ["case.read"]

    def test_each_row_says_in_swedish_what_was_done_and_why(self, deps):
        pnr = new_pnr()
        read(deps, staff(), "case.read", pnr)
        [row] = audit.follow_up(deps, AUDITOR, query(person=pnr, role="case_worker")).items
        assert row.action_label == "Öppnade ärendet" and row.record.purpose == "Handläggning av ärende"
        assert row.record.kind == "read" and row.record.actor_name == "Marita Aronsson"

    def test_a_person_with_protected_identity_is_marked_and_no_one_else(self, deps):
        hidden, open_ = new_pnr(), new_pnr()
        deps.register.people[hidden] = RegisteredPerson(personnummer=hidden, first_name="Sam", last_name="Skyddad",
                                                        protected_identity=True)
        read(deps, staff(), "case.read", hidden)
        read(deps, staff(), "case.read", open_)
        found = audit.follow_up(deps, AUDITOR, query(role="case_worker"))
        assert {r.record.subject: r.protected_identity for r in found.items} == {hidden: True, open_: False}

    def test_the_search_is_audited_after_it_and_paged(self, deps):
        pnr = new_pnr()
        for _ in range(3):
            read(deps, staff(), "case.read", pnr)
        first = audit.follow_up(deps, AUDITOR, query(person=pnr, limit=2))
        assert len(first.items) == 2 and first.next_cursor
        rest = audit.follow_up(deps, AUDITOR, query(person=pnr, limit=2, cursor=first.next_cursor))
        assert [r.record.action for r in rest.items] == ["case.read", "audit.search"]
        searches = [r for r in deps.audit.records if r.action == "audit.search"]
        assert [(r.actor, r.subject, r.resource) for r in searches] == [("auditor:rev-1", pnr, "audit")] * 2

    def test_a_period_the_wrong_way_round_or_a_bad_personnummer_is_refused(self):
        with pytest.raises(ValidationError):
            query(**{"from": "2026-03-11", "to": "2026-03-10"})
        with pytest.raises(ValidationError):
            query(person="19121212-1213")


class TestExport:
    def test_the_csv_holds_the_search_with_protected_identity_and_the_swedish_action(self, deps):
        hidden, open_ = new_pnr(), new_pnr()
        deps.register.people[hidden] = RegisteredPerson(personnummer=hidden, first_name="Sam", last_name="Skyddad",
                                                        protected_identity=True)
        read(deps, staff(), "case.read", hidden, "case:c-1")
        read(deps, staff(), "message.read", open_, "thread:t-1")
        found = audit.follow_up_csv(deps, AUDITOR, query(role="case_worker"))
        rows = list(csv.DictReader(io.StringIO(found.body)))
        assert [(r["subject"], r["protected_identity"], r["action_sv"], r["resource"]) for r in rows] == [
            (hidden, "ja", "Öppnade ärendet", "case:c-1"), (open_, "", "Läste meddelanden", "thread:t-1")]
        assert found.filename == "logg-2026-03-10-2026-03-10.csv" and found.content_type.startswith("text/csv")
        # AND the export is audited as a search of its own
        assert deps.audit.records[-1].action == "audit.search" and deps.audit.records[-1].resource == "audit:export"
