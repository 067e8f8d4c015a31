"""Billing's inbox folds events into its read model whatever their order and however often they
come; a batch's failures stay with their own messages."""
from datetime import date, timedelta

from services.billing.usecases.consume import apply_batch
from tests.support.fakes.billing import InMemoryBillingStore
from tests.support.people import new_pnr
from tests.unit.billing.events import T0, absence_registered, decision, envelope, report_approved, visit_changed


def run(store, *envelopes):
    return apply_batch(store, [(f"m{i}", e) for i, e in enumerate(envelopes)])


def visits_of(store, client):
    cm, _ = store.client_month("p1", client, 2026, 3)
    return {v.visit_id: v for v in cm.visits}


def test_the_highest_visit_version_wins_whatever_the_order():
    store, client = InMemoryBillingStore(), new_pnr(1940)
    assert run(store, visit_changed("v1", client, version=3, minutes=50)) == set()
    assert run(store, visit_changed("v1", client, version=2, minutes=90)) == set()
    assert visits_of(store, client)["v1"].minutes == 50


def test_a_deleted_visit_stays_deleted_when_an_older_update_arrives_late():
    store, client = InMemoryBillingStore(), new_pnr(1940)
    run(store, visit_changed("v1", client, version=2, gone=True), visit_changed("v1", client, version=1))
    assert visits_of(store, client)["v1"].deleted


def test_a_redelivered_batch_writes_nothing_new():
    store, client = InMemoryBillingStore(), new_pnr(1940)
    batch = [visit_changed("v1", client), visit_changed("v2", client), decision(client, 900, date(2026, 1, 1))]
    run(store, *batch)
    writes = store.writes
    assert run(store, *batch) == set() and store.writes == writes


def test_a_batch_is_one_write_per_item_it_changes():
    store, client = InMemoryBillingStore(), new_pnr(1940)
    run(store, *[visit_changed(f"v{i}", client) for i in range(10)])
    assert store.writes == 1 and len(visits_of(store, client)) == 10


def test_an_unknown_version_fails_alone():
    store, client = InMemoryBillingStore(), new_pnr(1940)
    failed = run(store, envelope("visit.changed", 9, {}), visit_changed("v1", client))
    assert failed == {"m0"} and "v1" in visits_of(store, client)


def test_a_group_that_cannot_be_stored_fails_only_its_messages():
    store, a, b = InMemoryBillingStore(), new_pnr(1940), new_pnr(1941)
    store.fail_next_save = 3  # every attempt for the first group loses its race
    failed = run(store, visit_changed("v1", a), visit_changed("v2", b), visit_changed("v3", a))
    assert failed == {"m0", "m2"} and "v2" in visits_of(store, b)


def test_a_lost_race_is_retried():
    store, client = InMemoryBillingStore(), new_pnr(1940)
    store.fail_next_save = 1
    assert run(store, visit_changed("v1", client)) == set() and "v1" in visits_of(store, client)


def test_v1_visit_changes_carry_nothing_to_bill_and_are_acknowledged():
    store, client = InMemoryBillingStore(), new_pnr(1940)
    old = envelope("visit.changed", 1, {"visit_id": "v1", "client": client, "provider_id": "p1", "year": 2026,
                                        "month": 3, "visit_version": 1})
    assert run(store, old) == set() and visits_of(store, client) == {}


def test_over_granted_word_and_absent_client_are_kept():
    store, client = InMemoryBillingStore(), new_pnr(1940)
    run(store, visit_changed("v1", client, over="approved"), visit_changed("v2", client, over="pending"),
        visit_changed("v3", client, absent=True))
    got = visits_of(store, client)
    assert (got["v1"].over_granted, got["v2"].over_granted, got["v3"].counted) == ("approved", "pending", False)


def test_an_absence_across_the_month_end_is_kept_in_both_months():
    store, client = InMemoryBillingStore(), new_pnr(1940)
    run(store, absence_registered("a1", client, date(2026, 3, 31)))
    assert [a.absence_id for a in store.client_month("p1", client, 2026, 3)[0].absences] == ["a1"]
    assert [a.absence_id for a in store.client_month("p1", client, 2026, 4)[0].absences] == ["a1"]


def test_an_ended_absence_stays_ended_whatever_the_order_its_events_come_in():
    """GIVEN an absence registered open (revision 1, no revision field at all: as an older producer
    sent it) and then ended by the provider (the same event again, revision 2, with its end)
    WHEN billing receives them in either order, or the end twice
    THEN the month keeps the end, and compensation stops there."""
    client = new_pnr(1940)
    registered = absence_registered("a1", client, date(2026, 3, 10))
    ended = absence_registered("a1", client, date(2026, 3, 10), ends=date(2026, 3, 10), revision=2)
    for order in ((registered, ended), (ended, registered), (ended, registered, ended)):
        store = InMemoryBillingStore()
        for e in order:
            assert run(store, e) == set()
        [kept] = store.client_month("p1", client, 2026, 3)[0].absences
        assert (kept.ends_on, kept.revision) == (date(2026, 3, 10), 2), order


def test_decisions_of_either_version_are_kept_and_v2_tells_social_psychiatry():
    store, client = InMemoryBillingStore(), new_pnr(1985)
    later = T0 + timedelta(days=1)
    run(store, decision(client, 1200, date(2026, 2, 1), version=2, social_psychiatry=True, decided=later),
        decision(client, 900, date(2026, 1, 1)))  # the older decision arrives last and says nothing
    record = store.client(client)
    assert sorted(g.granted_minutes_per_month for g in record.grants) == [900, 1200]
    assert record.social_psychiatry_decided


def test_approved_contact_reports_are_kept_once_per_case():
    store, person = InMemoryBillingStore(), new_pnr(1975)
    run(store, report_approved("case-1", person, km=12), report_approved("case-1", person, km=12))
    assert [r.case_id for r in store.reports(2026, 1)] == ["case-1"]


def test_the_shared_v2_contracts_are_read_as_billing_reads_them():
    """GIVEN a visit.changed v2 built from the shared contract (as visits emits it) THEN billing
    keeps its minutes, its over-granted word and its version."""
    from services.contracts.events import VisitChangedV2, VisitContent, VisitDeviation, split_minutes

    store, client = InMemoryBillingStore(), new_pnr(1940)
    content = VisitContent(staff_id="anna", started_at=T0, ended_at=T0 + timedelta(minutes=40), minutes=40,
                           insatser=split_minutes(40, ["dusch", "service"]), status="approved",
                           deviations=[VisitDeviation(code="over_granted_time", status="approved")])
    event = VisitChangedV2(visit_id="v9", client=client, provider_id="p1", year=2026, month=3, visit_version=4,
                           change="approved", visit=content)
    assert run(store, event.envelope("visits")) == set()
    kept = visits_of(store, client)["v9"]
    assert (kept.minutes, kept.over_granted, kept.version, kept.counted) == (40, "approved", 4, True)


def test_an_event_naming_no_valid_personnummer_fails_alone():
    store, client = InMemoryBillingStore(), new_pnr(1940)
    failed = run(store, visit_changed("v1", "197001011234"), visit_changed("v2", client))
    assert failed == {"m0"} and "v2" in visits_of(store, client)


def test_a_visit_is_billable_only_when_approved_and_nothing_waits_for_the_case_worker():
    """GIVEN visits as visits emits them: approved, registered (not approved), and approved-looking
    with a manual receipt still pending THEN billing keeps approved, unapproved and awaiting decision."""
    store, client = InMemoryBillingStore(), new_pnr(1940)
    run(store, visit_changed("v1", client), visit_changed("v2", client, status="registered"),
        visit_changed("v3", client, status="registered", deviations=(("manual_receipt", "pending"),)),
        visit_changed("v4", client, deviations=(("manual_receipt", "approved"),)))
    got = visits_of(store, client)
    assert [got[v].attested for v in ("v1", "v2", "v3", "v4")] == \
        ["approved", "unapproved", "awaiting_decision", "approved"]


def test_fields_a_producer_added_are_ignored_by_billing_reading_the_shared_contract():
    """GIVEN a visit.changed v2 and a decision v2 with fields the contract does not name (on the
    event and inside the visit) THEN billing reads them as it reads the others."""
    store, client = InMemoryBillingStore(), new_pnr(1940)
    visit = visit_changed("v1", client, minutes=40)
    added = envelope("visit.changed", 2, {**visit.payload, "route_id": "r-7",
                                          "visit": {**visit.payload["visit"], "weather": "snö"}})
    later = decision(client, 900, date(2026, 1, 1), version=2, social_psychiatry=True)
    assert run(store, added, envelope("decision.published", 2, {**later.payload, "priority": "hög"})) == set()
    assert visits_of(store, client)["v1"].minutes == 40 and store.client(client).social_psychiatry_decided


def test_a_v2_decision_that_says_nothing_of_social_psychiatry_leaves_the_earlier_word_standing():
    store, client = InMemoryBillingStore(), new_pnr(1985)
    said = decision(client, 1200, date(2026, 2, 1), version=2, social_psychiatry=True)
    silent = decision(client, 900, date(2026, 3, 1), version=2, decided=T0 + timedelta(days=2))
    silent = envelope("decision.published", 2, {k: v for k, v in silent.payload.items() if k != "social_psychiatry"})
    run(store, said, silent)
    assert store.client(client).social_psychiatry_decided
