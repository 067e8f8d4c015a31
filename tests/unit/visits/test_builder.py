"""The visit builder: the same events give the same visits whatever order they arrive in."""
import random
import uuid
from datetime import datetime, timedelta, timezone

from services.visits.domain.builder import build
from services.visits.domain.model import StoredEvent
from tests.unit.visits.support import PEOPLE

CLIENT = PEOPLE["client"]
T0 = datetime(2026, 11, 20, 7, 0, tzinfo=timezone.utc)


def ev(kind, minutes, staff="s1", **extra):
    receipt = extra.pop("receipt", {"method": "nfc", "device_id": "TAG-1"})
    return StoredEvent(event_id=uuid.uuid4(), type=kind, staff_id=staff, provider_id="p", client=CLIENT,
                       device_time=T0 + timedelta(minutes=minutes), receipt=receipt, received_at=T0, **extra)


def shape(built):
    return sorted((v.staff_id, v.started_at, v.ended_at, tuple(v.insatser), v.double_staffing, v.supervision,
                   tuple(d.code for d in v.deviations)) for v in built.visits)


def run(events):
    return build(events, [], long_visit_minutes=600, now=T0 + timedelta(days=1))


def test_any_order_and_duplicates_give_the_same_visits():
    events = [ev("arrival", 0), ev("insats", 5, insats="personlig_omsorg"), ev("insats", 10, insats="service"),
              ev("departure", 30), ev("arrival", 120), ev("insats", 125, insats="dusch"), ev("departure", 150),
              ev("arrival", 0, staff="s2"), ev("double_staffing", 1, staff="s2"), ev("departure", 31, staff="s2")]
    expected = shape(run(events))
    rng = random.Random(4)
    for _ in range(25):
        shuffled = events + rng.sample(events, 4)
        rng.shuffle(shuffled)
        assert shape(run(list({e.event_id: e for e in shuffled}.values()))) == expected


def test_a_visit_holds_several_insatser_and_its_times():
    built = run([ev("arrival", 0), ev("insats", 5, insats="personlig_omsorg"), ev("insats", 9, insats="service"),
                 ev("departure", 40)])
    (visit,) = built.visits
    assert visit.insatser == ["personlig_omsorg", "service"] and visit.minutes == 40 and visit.status == "registered"


def test_a_departure_before_its_arrival_waits_for_it():
    dep = ev("departure", 30)
    built = run([dep])
    assert built.visits == [] and built.unpaired == [dep]
    assert run([dep, ev("arrival", 0)]).visits[0].ended_at == dep.device_time


def test_supervision_is_never_merged_with_other_insatser():
    bad = ev("insats", 10, insats="tillsyn_service")
    built = run([ev("arrival", 0), ev("insats", 5, insats="personlig_omsorg"), bad, ev("departure", 20)])
    assert built.visits[0].insatser == ["personlig_omsorg"]
    assert [e for e, _ in built.rejected] == [bad]


def test_outside_the_home_is_never_merged_with_in_the_home():
    bad = ev("insats", 10, insats="inkop", location="outside")
    built = run([ev("arrival", 0), ev("insats", 5, insats="service"), bad, ev("departure", 20)])
    assert [e for e, _ in built.rejected] == [bad]


def test_double_staffing_marked_by_one_reaches_both():
    built = run([ev("arrival", 0), ev("departure", 30), ev("arrival", 1, staff="s2"),
                 ev("double_staffing", 2, staff="s2"), ev("departure", 31, staff="s2")])
    a, b = built.visits
    assert a.double_staffing and b.double_staffing
    assert a.partner_visit_id == b.visit_id and b.partner_visit_id == a.visit_id
    assert not any(d.code == "double_staffing_marked_twice" for d in a.deviations + b.deviations)


def test_double_staffing_marked_by_both_is_a_deviation():
    built = run([ev("arrival", 0), ev("double_staffing", 1), ev("departure", 30), ev("arrival", 1, staff="s2"),
                 ev("double_staffing", 2, staff="s2"), ev("departure", 31, staff="s2")])
    assert all(any(d.code == "double_staffing_marked_twice" for d in v.deviations) for v in built.visits)


def test_manual_receipts_long_visits_absence_and_temporary_stay():
    manual = {"method": "manual", "manual_reason": "technical_fault"}
    built = run([ev("arrival", 0, receipt=manual, temporary_stay=True, unplanned=True),
                 ev("insats", 5, insats="dusch"), ev("client_absent", 6), ev("departure", 700)])
    (visit,) = built.visits
    codes = {d.code: d.status for d in visit.deviations}
    assert codes == {"manual_receipt": "pending", "long_visit": "noted", "client_absent": "noted"}
    assert visit.insatser == ["tillfallig_vistelse"] and visit.temporary_stay and visit.unplanned


def test_a_superseded_event_no_longer_counts():
    # GIVEN a departure a correction replaced WHEN the day is built THEN the visit stays open
    wrong = ev("departure", 20).model_copy(update={"superseded_by": str(uuid.uuid4())})
    built = run([ev("arrival", 0), wrong])
    assert built.visits[0].ended_at is None and built.unpaired == []


def test_an_insats_with_no_visit_open_is_unpaired_not_lost():
    stray = ev("insats", 50, insats="dusch")
    built = run([ev("arrival", 0), ev("departure", 30), stray])
    assert built.unpaired == [stray] and built.visits[0].insatser == []


def test_a_departure_before_the_arrival_of_the_same_staff_is_unpaired():
    early = ev("departure", -10)
    built = run([ev("arrival", 0), early])
    assert built.unpaired == [early] and built.visits[0].ended_at is None


def test_frozen_visits_keep_their_events():
    first = run([ev("arrival", 0), ev("departure", 30)])
    frozen = [first.visits[0].model_copy(update={"status": "approved"})]
    events = [ev("arrival", 0), ev("departure", 30)]
    events = [e.model_copy(update={"event_id": uuid.UUID(i)}) for e, i in zip(events, frozen[0].event_ids)]
    again = build(events, frozen, long_visit_minutes=600, now=T0 + timedelta(days=1))
    assert again.visits == [] and again.unpaired == [] and again.claimed() == set(frozen[0].event_ids)


def test_an_unplanned_visit_is_registered_as_usual():
    (visit,) = run([ev("arrival", 0, unplanned=True), ev("insats", 1, insats="service"),
                    ev("departure", 15)]).visits
    assert visit.unplanned and visit.insatser == ["service"] and visit.minutes == 15


def test_supervision_on_its_own_is_a_supervision_visit():
    (visit,) = run([ev("arrival", 0), ev("insats", 1, insats="tillsyn_vard_omsorg"), ev("departure", 5)]).visits
    assert visit.supervision and visit.insatser == ["tillsyn_vard_omsorg"]


def test_a_visit_exactly_at_the_limit_is_no_deviation():
    (visit,) = run([ev("arrival", 0), ev("departure", 600)]).visits
    assert visit.deviations == []


def test_a_visit_with_manual_arrival_and_departure_has_one_manual_receipt_deviation():
    # GIVEN both receipts of a visit made by hand WHEN it is built THEN one deviation for the case
    # worker to decide, naming each reason given
    manual = {"method": "manual", "manual_reason": "technical_fault"}
    outside = {"method": "manual", "manual_reason": "ended_outside_home"}
    (visit,) = run([ev("arrival", 0, receipt=manual), ev("departure", 30, receipt=manual)]).visits
    assert [(d.code, d.reason, d.status) for d in visit.deviations] == [("manual_receipt", "technical_fault",
                                                                         "pending")]
    (visit,) = run([ev("arrival", 0, receipt=manual), ev("departure", 30, receipt=outside)]).visits
    assert [(d.code, d.reason) for d in visit.deviations] == [("manual_receipt",
                                                               "technical_fault, ended_outside_home")]
