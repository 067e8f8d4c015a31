"""The use cases of visits on an in-memory repository (no moto): processing the staff app's events,
approval, undo, edits, post-registration, corrections, lists in pages, and one writer per client-day."""
import random
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.auth.principal import Principal, Role
from services.contracts.events import VisitChangedV2
from services.domain.errors import Conflict, Forbidden
from services.visits.domain.model import Device, VisitEvent
from services.visits.schemas import EditVisit, PostRegistration, Reasoned, RejectedQuery, VisitQuery
from services.visits.usecases.approval import approve, unapprove
from services.visits.usecases.domain_events import on_domain_event
from services.visits.usecases.edits import edit, post_register
from services.visits.usecases.processing import ingest_events
from services.visits.usecases.reading import get_visit, list_visits, visits_page
from services.visits.usecases.rejected import correct_rejected, list_rejected
from tests.support.fakes.visits import FakeGrants, fake_visits_deps
from tests.support.people import new_pnr

NOW = datetime(2026, 11, 20, 18, tzinfo=timezone.utc)
MORNING = datetime(2026, 11, 19, 6, tzinfo=timezone.utc)
PROVIDER = "prov-unit"


@pytest.fixture
def deps():
    deps = fake_visits_deps(clock=lambda: NOW)
    for user in ("anna", "bo"):
        deps.staff.add_staff(PROVIDER, user)
    return deps


def staff(user="anna"):
    return Principal(subject=user, role=Role.PROVIDER_STAFF, user_id=user, provider_id=PROVIDER)


COORDINATOR = Principal(subject="cora", role=Role.PROVIDER_COORDINATOR, user_id="cora", provider_id=PROVIDER)


def new_client(deps, decision=True):
    pnr, tag = new_pnr(1936), f"TAG-{uuid.uuid4().hex[:8]}"
    deps.devices.put_device(Device(device_id=tag, kind="nfc", provider_id=PROVIDER, client=pnr, status="bound",
                                ordered_at=NOW, bound_at=NOW))
    if decision:
        deps.grants.put_granted({"decision_id": str(uuid.uuid4()), "client": pnr, "insats": "hemtjanst",
                               "outcome": "granted", "granted_minutes_per_month": 100_000,
                               "valid_from": "2000-01-01", "valid_to": None, "decided_at": "2000-01-01T00:00:00+00:00"})
    return pnr, tag


def event(kind, pnr, tag, at, staff_id="anna", **extra):
    return VisitEvent.model_validate({"event_id": str(uuid.uuid4()), "type": kind, "staff_id": staff_id,
                                      "provider_id": PROVIDER, "client": pnr, "device_time": at.isoformat(),
                                      "receipt": {"method": "nfc", "device_id": tag}, **extra})


def ingest(deps, events, per_message=10):
    batch = [(f"m-{i // per_message}", e) for i, e in enumerate(events)]
    return ingest_events(deps, batch)


def visits(deps, pnr=None, **query):
    return list_visits(deps, staff(), VisitQuery(month="2026-11", client=pnr, **query))


def a_visit(deps, minutes=30):
    pnr, tag = new_client(deps)
    assert ingest(deps, [event("arrival", pnr, tag, MORNING), event("departure", pnr, tag,
                                                                     MORNING + timedelta(minutes=minutes))]) == set()
    (v,) = visits(deps, pnr)
    return pnr, tag, v


class TestProcessing:
    def test_an_arrival_and_a_departure_make_one_visit_written_once_and_announced(self, deps):
        pnr, tag = new_client(deps)
        # WHEN an arrival, an insats and a departure come in one batch
        assert ingest(deps, [event("arrival", pnr, tag, MORNING),
                             event("insats", pnr, tag, MORNING + timedelta(minutes=5), insats="dusch"),
                             event("departure", pnr, tag, MORNING + timedelta(minutes=40))]) == set()
        # THEN one visit of 40 minutes, its client-day written once, a VisitChanged for it
        (v,) = visits(deps, pnr)
        assert (v.minutes, v.insatser, v.status) == (40, ["dusch"], "registered")
        assert deps.days.saves == 1
        assert [e.visit_id for e in deps.days.published if isinstance(e, VisitChangedV2)] == [v.visit_id]

    def test_shuffled_and_redelivered_events_give_the_same_visits(self, deps):
        pnr, tag = new_client(deps)
        events = []
        for n in range(4):
            at = MORNING + timedelta(hours=2 * n)
            events += [event("arrival", pnr, tag, at), event("departure", pnr, tag, at + timedelta(minutes=25))]
        # GIVEN the events once, in order
        ingest(deps, events)
        orderly = [(v.visit_id, v.started_at, v.ended_at) for v in visits(deps, pnr)]
        # WHEN they come again, shuffled and partly twice, to another repository
        decisions = FakeGrants()
        decisions.decisions = deps.grants.decisions
        other = fake_visits_deps(staff=deps.staff, devices=deps.devices, grants=decisions, clock=lambda: NOW)
        again = events + events[:3]
        random.Random(3).shuffle(again)
        for i in range(0, len(again), 3):
            assert ingest(other, again[i:i + 3]) == set()
        # THEN the same visits, with the same ids (the day's name aside)
        same = [(v.visit_id.split("-", 1)[1], v.started_at, v.ended_at) for v in visits(other, pnr)]
        assert same == [(i.split("-", 1)[1], s, e) for i, s, e in orderly]

    def test_a_writer_that_meets_another_reads_again_and_loses_nothing(self, deps):
        pnr, tag, v = a_visit(deps)
        late = event("insats", pnr, tag, MORNING + timedelta(minutes=10), insats="service")
        # GIVEN the coordinator approves the visit just before the processor writes its day
        deps.days.before_save.append(lambda: approve(deps, COORDINATOR, v.visit_id,
                                                             Reasoned(reason="stämmer", version=v.version)))
        # WHEN an event of that visit is processed
        assert ingest(deps, [late]) == set()
        # THEN the approval stands (the approved visit is frozen: the event is held, not lost)
        (after,) = visits(deps, pnr)
        assert after.status == "approved"
        held = list_rejected(deps, staff(), RejectedQuery())
        assert [r.event_id for r in held] == [str(late.event_id)] and "approved" in held[0].reasons[0]

    def test_an_event_failing_a_check_is_listed_and_never_a_visit(self, deps):
        pnr, _ = new_client(deps)
        assert ingest(deps, [event("arrival", pnr, "TAG-unknown", MORNING)]) == set()
        assert visits(deps, pnr) == []
        (r,) = list_rejected(deps, staff(), RejectedQuery())
        assert r.origin == "checks" and "not registered" in r.reasons[0]


class TestChanges:
    def test_approve_undo_edit_each_a_version_with_who_and_why(self, deps):
        _, _, v = a_visit(deps)
        a = approve(deps, COORDINATOR, v.visit_id, Reasoned(reason="stämmer", version=v.version))
        u = unapprove(deps, COORDINATOR, v.visit_id, Reasoned(reason="ändras", version=a.version))
        e = edit(deps, staff(), v.visit_id, EditVisit(reason="glömde dusch", version=u.version,
                                                                 insatser=["dusch"]))
        assert [h.change for h in e.history] == ["created", "approved", "unapproved", "edited"]
        assert (a.approved_by, u.approved_by, e.insatser) == ("provider_coordinator:cora", None, ["dusch"])

    def test_a_stale_version_is_a_conflict_and_changes_nothing(self, deps):
        _, _, v = a_visit(deps)
        with pytest.raises(Conflict, match="reload"):
            approve(deps, COORDINATOR, v.visit_id, Reasoned(reason="stämmer", version=v.version + 1))
        assert get_visit(deps, staff(), v.visit_id).status == "registered"

    def test_nobody_approves_their_own_visit(self, deps):
        _, _, v = a_visit(deps)
        me = Principal(subject="anna", role=Role.PROVIDER_COORDINATOR, user_id="anna", provider_id=PROVIDER)
        with pytest.raises(Forbidden):
            approve(deps, me, v.visit_id, Reasoned(reason="stämmer", version=v.version))

    def test_a_single_coordinators_post_registration_is_approved_by_the_providers_manager(self, deps):
        # GIVEN a provider whose one coordinator post-registered a visit for a staff member
        pnr, _ = new_client(deps)
        made = post_register(deps, COORDINATOR, PostRegistration(
            client=pnr, staff_id="anna", started_at=MORNING, ended_at=MORNING + timedelta(minutes=20),
            insatser=["service"], reason_code="technology_failure", reason="telefonen dog"))
        # WHEN the coordinator tries to approve it, THEN it is refused (separation of duties)
        with pytest.raises(Forbidden, match="registered or changed"):
            approve(deps, COORDINATOR, made.visit_id, Reasoned(reason="stämmer", version=made.version))
        # WHEN the provider's manager approves it, THEN it is approved, by the manager
        manager = Principal(subject="vera", role=Role.PROVIDER_MANAGER, user_id="vera", provider_id=PROVIDER)
        done = approve(deps, manager, made.visit_id, Reasoned(reason="stämmer", version=made.version))
        assert (done.status, done.approved_by) == ("approved", "provider_manager:vera")

    def test_a_post_registration_is_a_visit_found_by_its_id_with_its_deviation(self, deps):
        pnr, _ = new_client(deps)
        body = PostRegistration(client=pnr, started_at=MORNING, ended_at=MORNING + timedelta(minutes=20),
                                insatser=["service"], reason_code="technology_failure", reason="telefonen dog")
        made = post_register(deps, staff(), body)
        assert get_visit(deps, staff(), made.visit_id).minutes == 20
        assert [d.code for d in made.deviations] == ["post_registration"]

    def test_a_post_registered_visit_moved_to_another_day_is_found_there(self, deps):
        pnr, _ = new_client(deps)
        made = post_register(deps, staff(), PostRegistration(
            client=pnr, started_at=MORNING, ended_at=MORNING + timedelta(minutes=20), insatser=["service"],
            reason_code="technology_failure", reason="telefonen dog"))
        earlier = MORNING - timedelta(days=1)
        moved = edit(deps, staff("bo"), made.visit_id, EditVisit(
            reason="fel dag", version=made.version, started_at=earlier, ended_at=earlier + timedelta(minutes=20)))
        assert get_visit(deps, staff(), made.visit_id).started_at == earlier == moved.started_at
        assert [v.visit_id for v in visits(deps, pnr)] == [made.visit_id]

    def test_a_correction_replaces_the_rejected_event(self, deps):
        pnr, tag = new_client(deps)
        wrong = event("departure", pnr, tag, MORNING)  # no arrival before it: held as an orphan
        ingest(deps, [wrong])
        (r,) = list_rejected(deps, staff(), RejectedQuery())
        assert r.origin == "orphan"
        fixed = {**wrong.model_dump(mode="json", exclude={"staff_id", "sent_by"}), "event_id": str(uuid.uuid4()),
                 "type": "arrival"}
        from services.visits.domain.model import StaffAppEvent
        correct_rejected(deps, staff(), r.event_id, StaffAppEvent.model_validate(fixed))
        (after,) = list_rejected(deps, staff(), RejectedQuery())
        assert after.status == "corrected" and deps.send.bodies  # the correction went to the queue


class TestPages:
    def test_a_month_is_read_page_by_page_with_a_cursor_and_nothing_twice(self, deps):
        # GIVEN 7 clients with 3 visits each
        expected = set()
        for _ in range(7):
            pnr, tag = new_client(deps)
            events = []
            for n in range(3):
                at = MORNING + timedelta(hours=n)
                events += [event("arrival", pnr, tag, at), event("departure", pnr, tag, at + timedelta(minutes=20))]
            ingest(deps, events)
        expected = {v.visit_id for v in visits(deps)}
        assert len(expected) == 21
        # WHEN read 4 at a time
        seen, cursor, pages = [], None, 0
        while True:
            page, cursor = visits_page(deps, staff(), VisitQuery(month="2026-11", limit=4, cursor=cursor))
            assert len(page) <= 4
            seen += [v.visit_id for v in page]
            pages += 1
            if cursor is None:
                break
        # THEN every visit once, in 6 pages
        assert sorted(seen) == sorted(expected) and pages == 6

    def test_the_limit_is_bounded(self):
        with pytest.raises(ValueError):
            VisitQuery(month="2026-11", limit=1001)
        assert VisitQuery(month="2026-11").limit == 200


class TestAgainstDecisions:
    def test_time_beyond_the_granted_time_waits_for_the_case_worker(self, deps):
        # GIVEN 45 granted minutes a month
        pnr, tag = new_client(deps, decision=False)
        deps.grants.put_granted({"decision_id": "d-1", "client": pnr, "insats": "hemtjanst", "outcome": "granted",
                               "granted_minutes_per_month": 45, "valid_from": "2026-01-01", "valid_to": None,
                               "decided_at": "2026-01-01T00:00:00+00:00"})
        # WHEN two 30-minute visits are registered, on two days
        for day in (0, 1):
            at = MORNING - timedelta(days=day)
            assert ingest(deps, [event("arrival", pnr, tag, at),
                                 event("departure", pnr, tag, at + timedelta(minutes=30))]) == set()
        # THEN the later one passes the granted time: pending for the case worker
        flags = [[d.code for d in v.deviations] for v in sorted(visits(deps, pnr), key=lambda v: v.started_at)]
        assert flags == [[], ["over_granted_time"]]

    def test_a_decision_published_later_withdraws_no_decision(self, deps):
        from services.contracts.events import DecisionPublished

        # GIVEN a visit of a client with no decision yet
        pnr, tag = new_client(deps, decision=False)
        ingest(deps, [event("arrival", pnr, tag, MORNING),
                      event("departure", pnr, tag, MORNING + timedelta(minutes=20))])
        (v,) = visits(deps, pnr)
        assert [d.code for d in v.deviations] == ["no_decision"]
        # WHEN a decision granting home care over its day is published
        published = DecisionPublished(decision_id="d-2", case_id="c-1", case_number="2026-000001", client=pnr,
                                      insats="hemtjanst", law="SoL", outcome="granted", granted_minutes_per_month=600,
                                      valid_from=MORNING.date() - timedelta(days=30), valid_to=None,
                                      decided_at=NOW).envelope("eservices")
        assert on_domain_event(deps, published) == "granted"
        # THEN the pending deviation is withdrawn (a new version) and the month waits no more
        (after,) = visits(deps, pnr)
        assert after.deviations == [] and after.version == v.version + 1
        assert deps.grants.waiting_months(pnr) == []


class TestCaseWorkersWaitingDeviations:
    """``pending_for_case_worker`` / ``decide_pending``: what the visits section's Avvikelser i besök shows
    and decides."""

    @staticmethod
    def mine(deps, pnr, case_worker):
        deps.grants.put_granted({"decision_id": str(uuid.uuid4()), "client": pnr, "insats": "hemtjanst",
                                 "outcome": "granted", "granted_minutes_per_month": 100_000, "valid_from": "2000-01-01",
                                 "valid_to": None, "decided_at": "2000-01-01T00:00:00+00:00",
                                 "provider_id": PROVIDER, "case_worker_id": case_worker})

    def manual(self, deps, case_worker, hours=0):
        pnr, tag = new_client(deps)
        self.mine(deps, pnr, case_worker)
        manual = {"receipt": {"method": "manual", "manual_reason": "technical_fault"}}
        at = MORNING + timedelta(hours=hours)
        assert ingest(deps, [event("arrival", pnr, tag, at, **manual),
                             event("departure", pnr, tag, at + timedelta(minutes=20))]) == set()
        return pnr

    def test_only_the_case_workers_own_clients_pending_deviations_are_listed_and_filtered(self, deps):
        from services.visits.usecases.deviations import pending_for_case_worker

        # GIVEN a manual visit of each of two of hl-1's clients and one of hl-2's
        first, second = self.manual(deps, "hl-1"), self.manual(deps, "hl-1", hours=2)
        self.manual(deps, "hl-2")
        hl1 = Principal(subject="hl-1", role=Role.CASE_WORKER, user_id="hl-1")
        # WHEN hl-1 lists THEN only their two, oldest first; the client and kind filters narrow
        found = pending_for_case_worker(deps, hl1)
        assert [p.visit.client for p in found] == [first, second]
        assert all(p.deviation.code == "manual_receipt" for p in found)
        assert [p.visit.client for p in pending_for_case_worker(deps, hl1, client=second)] == [second]
        assert pending_for_case_worker(deps, hl1, kind="over_granted_time") == []
        assert pending_for_case_worker(deps, hl1, day_from=MORNING.date() + timedelta(days=1)) == []

    def test_several_are_approved_with_one_reason_and_a_foreign_key_stores_nothing(self, deps):
        from services.visits.usecases.deviations import decide_pending, pending_for_case_worker

        first, second = self.manual(deps, "hl-1"), self.manual(deps, "hl-1", hours=2)
        theirs = self.manual(deps, "hl-2", hours=4)
        hl1 = Principal(subject="hl-1", role=Role.CASE_WORKER, user_id="hl-1")
        hl2 = Principal(subject="hl-2", role=Role.CASE_WORKER, user_id="hl-2")
        keys = [p.key for p in pending_for_case_worker(deps, hl1)]
        foreign = pending_for_case_worker(deps, hl2)[0].key
        # WHEN hl-1 names one of hl-2's with their own THEN nothing is decided
        with pytest.raises(Conflict):
            decide_pending(deps, hl1, [keys[0], foreign], "approved", "låset fungerade inte")
        assert len(pending_for_case_worker(deps, hl1)) == 2 and len(pending_for_case_worker(deps, hl2)) == 1
        # WHEN hl-1 approves their two with one reason THEN both are approved, by them, with the reason
        decided = decide_pending(deps, hl1, keys, "approved", "låset fungerade inte")
        assert [v.deviations[0].status for v in decided] == ["approved", "approved"]
        assert all(v.deviations[0].decided_by and v.history[-1].why == "approved: låset fungerade inte"
                   for v in decided)
        assert pending_for_case_worker(deps, hl1) == [] and len(pending_for_case_worker(deps, hl2)) == 1

    def test_another_case_worker_deciding_a_deviation_finds_no_visit_and_nothing_changes(self, deps):
        from services.domain.errors import NotFound
        from services.visits.usecases.deviations import decide_deviation

        # GIVEN a manual receipt waiting for hl-1, and hl-2, the case worker of another client
        pnr = self.manual(deps, "hl-1")
        self.manual(deps, "hl-2", hours=2)
        hl2 = Principal(subject="hl-2", role=Role.CASE_WORKER, user_id="hl-2")
        (before,) = visits(deps, pnr)
        # WHEN hl-2 decides it, whatever the index THEN not found, as for a visit that does not exist
        for index in (0, 5):
            with pytest.raises(NotFound) as refused:
                decide_deviation(deps, hl2, before.visit_id, index, "approved", "ser bra ut")
            with pytest.raises(NotFound) as unknown:
                decide_deviation(deps, hl2, "no-such-visit", index, "approved", "ser bra ut")
            assert str(refused.value) == str(unknown.value)
        # THEN it still waits, read back: the same version, undecided
        (after,) = visits(deps, pnr)
        assert after.version == before.version and after.history == before.history
        assert [(d.status, d.decided_by) for d in after.deviations] == [("pending", None)]

    def test_the_clients_own_case_worker_decides_a_deviation(self, deps):
        from services.visits.usecases.deviations import decide_deviation

        # GIVEN a manual receipt waiting for hl-1
        pnr = self.manual(deps, "hl-1")
        (before,) = visits(deps, pnr)
        hl1 = Principal(subject="hl-1", role=Role.CASE_WORKER, user_id="hl-1")
        # WHEN hl-1 rejects it with a reason THEN it is rejected, by them, and so it reads back
        decided = decide_deviation(deps, hl1, before.visit_id, 0, "rejected", "ingen teknisk störning")
        assert decided.deviations[0].status == "rejected"
        (after,) = visits(deps, pnr)
        assert after.version == before.version + 1
        assert [(d.status, d.decided_by) for d in after.deviations] == [("rejected", "case_worker:hl-1")]
        assert after.history[-1].why == "rejected: ingen teknisk störning"
