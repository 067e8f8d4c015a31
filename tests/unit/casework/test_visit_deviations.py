"""Case work's projection of the visits service's ``visit.changed`` (v2): per client, visit and
month, how many deviations wait for the case worker. A higher visit version wins; a redelivery or
a late older event changes nothing; a visit gone from its month counts 0. Att göra counts them for
the clients of the case worker's cases, in the months that can still be decided."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.contracts.events import Envelope, VisitChangedV2, VisitContent, VisitDeviation
from services.eservices.casework.domain.visit_deviations import CASE_WORKER_KINDS, open_months
from services.eservices.casework.usecases import todo
from services.eservices.casework.usecases.visit_deviations import pending_deviations, record_visit_change
from services.eservices.usecases.consumer import on_events
from tests.support.fakes.casework import FakeVisitDeviationCounts, casework_deps, fake_stores, staff
from tests.support.fakes.eservices import FakeCases, eservices_deps
from tests.support.people import new_pnr
from tests.unit.casework.test_use_cases import NOW, taken_in

MARCH = (2026, 3)


def changed(client: str, version: int, *deviations: tuple[str, str], visit_id: str = "v-1", month=MARCH,
            gone: bool = False) -> Envelope:
    """A ``visit.changed`` v2 of one visit in ``month``, with (code, status) deviations."""
    started = datetime(month[0], month[1], 9, 8, 0, tzinfo=timezone.utc)
    visit = None if gone else VisitContent(
        staff_id="s-1", started_at=started, ended_at=started + timedelta(minutes=30), minutes=30,
        status="registered", deviations=[VisitDeviation(code=c, status=s) for c, s in deviations])
    return VisitChangedV2(visit_id=visit_id, client=client, provider_id="prov-1", year=month[0], month=month[1],
                          visit_version=version, change="deleted" if gone else "updated",
                          visit=visit).envelope("visits")


@pytest.fixture
def counts():
    return FakeVisitDeviationCounts()


def waiting(counts, client):
    return pending_deviations(counts, [client], NOW)


class TestTheProjectionRule:
    def test_only_pending_deviations_of_the_case_workers_kinds_count(self, counts):
        client = new_pnr()
        record_visit_change(counts, changed(client, 1, ("over_granted_time", "pending"), ("manual_receipt", "pending"),
                                            ("no_decision", "pending"), ("manual_receipt", "approved"),
                                            ("late_arrival", "noted")))
        assert waiting(counts, client) == 2

    def test_a_higher_version_replaces_the_count(self, counts):
        client = new_pnr()
        assert record_visit_change(counts, changed(client, 1, ("manual_receipt", "pending")))
        assert record_visit_change(counts, changed(client, 2, ("manual_receipt", "approved")))
        assert waiting(counts, client) == 0

    def test_an_older_version_arriving_late_changes_nothing(self, counts):
        # GIVEN version 3 (decided) arrives before version 2 (still waiting)
        client = new_pnr()
        assert record_visit_change(counts, changed(client, 3, ("manual_receipt", "rejected")))
        # WHEN version 2 arrives THEN it is not kept and nothing waits
        assert not record_visit_change(counts, changed(client, 2, ("manual_receipt", "pending")))
        assert waiting(counts, client) == 0

    def test_a_redelivered_event_changes_nothing(self, counts):
        client = new_pnr()
        first = changed(client, 4, ("over_granted_time", "pending"))
        assert record_visit_change(counts, first)
        assert not record_visit_change(counts, first)
        assert waiting(counts, client) == 1

    def test_a_deleted_visit_counts_nothing_and_an_older_event_does_not_bring_it_back(self, counts):
        client = new_pnr()
        record_visit_change(counts, changed(client, 1, ("manual_receipt", "pending")))
        record_visit_change(counts, changed(client, 2, gone=True))
        assert waiting(counts, client) == 0
        assert not record_visit_change(counts, changed(client, 1, ("manual_receipt", "pending")))
        assert waiting(counts, client) == 0

    def test_a_visit_moved_to_another_month_counts_in_that_month_only(self, counts):
        # GIVEN a visit of February moved to March: the same version leaves February and enters March
        client = new_pnr()
        record_visit_change(counts, changed(client, 1, ("manual_receipt", "pending"), month=(2026, 2)))
        record_visit_change(counts, changed(client, 2, month=(2026, 2), gone=True))
        record_visit_change(counts, changed(client, 2, ("manual_receipt", "pending"), month=MARCH))
        assert waiting(counts, client) == 1

    def test_each_visit_and_client_counts_on_its_own(self, counts):
        me, other = new_pnr(), new_pnr()
        record_visit_change(counts, changed(me, 1, ("manual_receipt", "pending"), visit_id="a"))
        record_visit_change(counts, changed(me, 7, ("over_granted_time", "pending"), visit_id="b"))
        record_visit_change(counts, changed(other, 1, ("manual_receipt", "pending"), visit_id="c"))
        assert waiting(counts, me) == 2 and waiting(counts, other) == 1
        assert pending_deviations(counts, [me, other], NOW) == 3

    def test_a_locked_month_is_not_counted(self, counts):
        # GIVEN (on 10 March) a deviation waiting in January, whose lock date has passed
        client = new_pnr()
        record_visit_change(counts, changed(client, 1, ("manual_receipt", "pending"), month=(2026, 1)))
        assert (2026, 1) not in open_months(NOW) and MARCH in open_months(NOW)
        assert waiting(counts, client) == 0

    def test_a_v1_event_carries_no_content_and_changes_nothing(self, counts):
        client = new_pnr()
        record_visit_change(counts, changed(client, 1, ("manual_receipt", "pending")))
        v1 = Envelope.model_validate({**changed(client, 2).model_dump(), "version": 1})
        assert not record_visit_change(counts, v1)
        assert waiting(counts, client) == 1

    def test_the_kinds_are_the_visits_services_own(self):
        from services.visits.usecases.deviations import CASE_WORKER_KINDS as VISITS_KINDS

        assert CASE_WORKER_KINDS == VISITS_KINDS


class TestTheConsumer:
    def test_visit_changes_and_delivery_statuses_go_each_to_their_own_and_a_bad_record_fails_alone(self):
        # GIVEN the eservices-inbox consumer over fakes
        cases = FakeCases()
        deps = eservices_deps(NOW, cases=cases, casework=fake_stores(cases))
        client = new_pnr()
        good = changed(client, 1, ("manual_receipt", "pending")).model_dump_json()
        unknown = Envelope.model_validate({**changed(client, 2).model_dump(), "version": 99}).model_dump_json()
        records = [{"messageId": "good", "body": good}, {"messageId": "v99", "body": unknown},
                   {"messageId": "again", "body": good}]
        # WHEN a batch with a visit change, an unknown version and a redelivery arrives
        result = on_events(deps, {"Records": records})
        # THEN only the unknown version fails (into the DLQ), and the visit counts once
        assert result == {"batchItemFailures": [{"itemIdentifier": "v99"}]}
        assert pending_deviations(deps.casework.visit_deviations, [client], NOW) == 1


class TestAttGora:
    def test_counts_the_deviations_waiting_on_the_clients_of_my_cases_under_investigation_and_decided(self):
        # GIVEN a case of mine under investigation, a decided one, a closed one and another case worker's
        deps = casework_deps(NOW)
        mine, decided, closed = (taken_in(deps, staff("hl-1")) for _ in range(3))
        for case, status in ((decided, "decided"), (closed, "decided"), (closed, "closed")):
            case = deps.cases.get(case.case_id)
            deps.cases.replace_now(case.moved_to(status, NOW, "hl-1"), expected_version=case.version)
        theirs = taken_in(deps, staff("hl-2"))
        # AND a waiting deviation on each client's visits (two on the decided one's)
        counts = deps.casework.visit_deviations
        for case in (mine, decided, closed, theirs):
            record_visit_change(counts, changed(str(case.owner), 1, ("manual_receipt", "pending")))
        record_visit_change(counts, changed(str(decided.owner), 1, ("over_granted_time", "pending"), visit_id="v-2"))
        # WHEN Att göra is counted for me
        items = {i.key: i for i in todo.todo_counts(deps, staff("hl-1")).items}
        # THEN the clients of my open and decided cases count, not the closed one's or another's
        assert items["visit_deviations"].count == 3
        assert items["visit_deviations"].label == "Avvikelser i besök att besluta om"
        assert todo.todo_counts(deps, staff("hl-1")).not_here == []
