"""Kept month summaries (the delta rule; redelivered and reordered events leave them equal to a
recount) and the provider's month overview and month basis over the fakes."""
import random
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from services.auth.principal import Principal, Role
from services.domain.errors import Forbidden
from services.visits.domain.days import ClientDay, DayKey
from services.visits.domain.model import Absence, Deviation, Device, Visit, VisitEvent
from services.visits.domain.summaries import day_counts, delta, recount
from services.visits.usecases.approval import approve
from services.visits.schemas import Reasoned
from services.visits.usecases.overview import month_basis, month_overview
from services.visits.usecases.processing import ingest_events
from tests.support.fakes.visits import fake_visits_deps
from tests.support.people import new_pnr

NOW = datetime(2026, 11, 20, 18, tzinfo=timezone.utc)  # a Friday; November's lock date is 3 December
PROVIDER = "prov-sum"
COORDINATOR = Principal(subject="cora", role=Role.PROVIDER_COORDINATOR, user_id="cora", provider_id=PROVIDER)
MANAGER = Principal(subject="mia", role=Role.PROVIDER_MANAGER, user_id="mia", provider_id=PROVIDER)


@pytest.fixture
def deps():
    deps = fake_visits_deps(clock=lambda: NOW)
    deps.staff.add_staff(PROVIDER, "anna")
    return deps


def client(deps, granted=600):
    pnr, tag = new_pnr(1936), f"TAG-{uuid.uuid4().hex[:8]}"
    deps.devices.put_device(Device(device_id=tag, kind="nfc", provider_id=PROVIDER, client=pnr, status="bound",
                                   ordered_at=NOW, bound_at=NOW))
    if granted is not None:
        deps.grants.put_granted({"decision_id": str(uuid.uuid4()), "client": pnr, "insats": "hemtjanst",
                                 "outcome": "granted", "granted_minutes_per_month": granted,
                                 "valid_from": "2000-01-01", "valid_to": None,
                                 "decided_at": "2000-01-01T00:00:00+00:00"})
    return pnr, tag


def event(kind, pnr, tag, at, **extra):
    return VisitEvent.model_validate({"event_id": str(uuid.uuid4()), "type": kind, "staff_id": "anna",
                                      "provider_id": PROVIDER, "client": pnr, "device_time": at.isoformat(),
                                      "receipt": {"method": "nfc", "device_id": tag}, **extra})


def visits_of(pnr, tag, day, count, open_last=False):
    out = []
    for k in range(count):
        at = datetime(2026, 11, day, 6, tzinfo=timezone.utc) + timedelta(hours=2 * k)
        out.append(event("arrival", pnr, tag, at))
        if not (open_last and k == count - 1):
            out.append(event("departure", pnr, tag, at + timedelta(minutes=30 + k)))
    return out


def kept(deps):
    return {s.client: dict(s.counts) for s in deps.days.month_summaries(PROVIDER, 2026, 11)}


def recounted(deps):
    return recount(d for k, d in deps.days.days.items() if (k.provider, k.day.month) == (PROVIDER, 11))


class TestTheDeltaRule:
    def test_the_delta_is_the_new_counts_less_those_added_before_without_zeros(self):
        assert delta({"registered": 3, "minutes": 90}, {"registered": 3, "minutes": 60, "open": 1}) == \
            {"minutes": 30, "open": -1}
        assert delta({"registered": 1}, {"registered": 1}) == {}
        assert delta({}, {}) == {}

    def test_a_days_counts_are_its_visits_counts_with_open_visits_per_day_and_no_time_dependent_kind(self):
        day = ClientDay(DayKey(PROVIDER, new_pnr(1940), date(2026, 11, 5)), ref="r")
        at = datetime(2026, 11, 5, 7, tzinfo=timezone.utc)
        day.visits = {
            "a": Visit(visit_id="a", provider_id=PROVIDER, client=day.key.client, staff_id="anna", started_at=at,
                       ended_at=at + timedelta(minutes=40), status="approved", version=1),
            "b": Visit(visit_id="b", provider_id=PROVIDER, client=day.key.client, staff_id="anna",
                       started_at=at - timedelta(days=3), status="open", version=1,  # long open: not kept as missing
                       deviations=[Deviation(code="manual_receipt", by="system", at=at, reason="")]),
        }
        assert day_counts(day) == {"registered": 2, "minutes": 40, "approved": 1, "approved_minutes": 40,
                                   "open": 1, "open_05": 1, "x_manual_without_reason": 1}


class TestSummariesKept:
    def test_redelivered_and_reordered_events_leave_the_summaries_equal_to_a_recount(self, deps):
        # GIVEN three clients' events over several days, some visits left open
        events = []
        for n in range(3):
            pnr, tag = client(deps)
            for day in (3, 4, 10 + n):
                events += visits_of(pnr, tag, day, 2 + n, open_last=(day == 4))
        rng = random.Random(24)
        # WHEN they arrive shuffled, in small batches, and every batch is delivered twice, some thrice
        shuffled = events[:]
        rng.shuffle(shuffled)
        for i in range(0, len(shuffled), 5):
            batch = [(f"m-{i}-{j}", e) for j, e in enumerate(shuffled[i:i + 5])]
            for _ in range(2 + (i % 3 == 0)):
                assert ingest_events(deps, batch) == set()
        # AND once more all at once, in another order
        rng.shuffle(shuffled)
        assert ingest_events(deps, [(f"x-{j}", e) for j, e in enumerate(shuffled)]) == set()
        # THEN the kept summaries equal a recount of the stored days
        assert kept(deps) == recounted(deps)
        assert sum(c["registered"] for c in kept(deps).values()) == 3 * (2 + 3 + 4)
        assert sum(c.get("open", 0) for c in kept(deps).values()) == 3

    def test_a_writer_that_meets_another_adds_its_difference_once(self, deps):
        # GIVEN a client's day with two visits
        pnr, tag = client(deps)
        assert ingest_events(deps, [(f"m{j}", e) for j, e in enumerate(visits_of(pnr, tag, 5, 2))]) == set()
        visit = deps.days.visits_of_month(PROVIDER, 2026, 11)[0]
        # WHEN it is approved while another writer changes the same day (the approval reads again)
        key = DayKey(PROVIDER, pnr, date(2026, 11, 5))

        def meanwhile():
            other = deps.days.load_day(key)
            other.events.update({})
            deps.days.save_day(other, [], NOW)
        deps.days.before_save.append(meanwhile)
        approve(deps, COORDINATOR, visit.visit_id, Reasoned(version=visit.version, reason="Kontrollerat"))
        # THEN the approval counts once, and the summary equals a recount
        assert kept(deps)[pnr]["approved"] == 1
        assert kept(deps) == recounted(deps)


class TestMonthOverview:
    def test_the_month_at_a_glance_from_the_kept_summaries(self, deps):
        # GIVEN two clients: one with 3 ended visits and an open one from 4 November, one with an open
        # visit today and a manual receipt without reason
        first, tag1 = client(deps, granted=300)
        second, tag2 = client(deps, granted=None)
        events = visits_of(first, tag1, 3, 3) + visits_of(first, tag1, 4, 1, open_last=True)
        events += [event("arrival", second, tag2, NOW - timedelta(hours=2))]
        assert ingest_events(deps, [(f"m{j}", e) for j, e in enumerate(events)]) == set()
        done = [v for v in deps.days.visits_of_month(PROVIDER, 2026, 11) if v.status == "registered"][0]
        approve(deps, COORDINATOR, done.visit_id, Reasoned(version=done.version, reason="Kontrollerat"))
        # WHEN the coordinator opens November
        def no_day(keys):
            assert not list(keys), "the overview reads no client-day"
            return {}
        deps.days.load_days, deps.days.load_day, deps.days.visits_page = no_day, None, None
        o = month_overview(deps, COORDINATOR, 2026, 11)
        # THEN the totals, the open visits split by day and the exceptions
        assert (o.registered, o.approved, o.waiting) == (5, 1, 2)
        assert (o.open.missing_departure, o.open.under_way) == (1, 1)
        assert o.exceptions["missing_departure"] == 1
        assert o.exceptions.get("waiting_for_case_worker", 0) >= 1  # no decision behind the second client
        # AND the lock date with the working days left (Mon 23 – Thu 3 Dec: 9 working days)
        assert o.lock_date == date(2026, 12, 3) and o.working_days_left == 9 and o.month_open
        # AND what blocks the month
        assert o.blockers["unapproved"] == 4 and o.blockers["red"] >= 2
        # AND per client performed against granted
        rows = {r.client: r for r in o.clients}
        assert rows[first].performed == 30 + 31 + 32 and rows[first].granted == 300
        assert rows[first].share == round(100 * 93 / 300)
        assert rows[second].granted is None and rows[second].share is None

    def test_the_manager_sees_it_too_and_nobody_else(self, deps):
        assert month_overview(deps, MANAGER, 2026, 11).registered == 0
        for who in (Principal(subject="s", role=Role.PROVIDER_STAFF, user_id="s", provider_id=PROVIDER),
                    Principal(subject="h", role=Role.CASE_WORKER, user_id="h")):
            with pytest.raises(Forbidden):
                month_overview(deps, who, 2026, 11)
            with pytest.raises(Forbidden):
                month_basis(deps, who, 2026, 11)

    def test_another_providers_coordinator_sees_only_their_own_month(self, deps):
        pnr, tag = client(deps)
        assert ingest_events(deps, [(f"m{j}", e) for j, e in enumerate(visits_of(pnr, tag, 3, 2))]) == set()
        other = Principal(subject="o", role=Role.PROVIDER_COORDINATOR, user_id="o", provider_id="prov-other")
        assert month_overview(deps, other, 2026, 11).registered == 0
        assert month_overview(deps, COORDINATOR, 2026, 11).registered == 2


class TestMonthBasis:
    def test_the_preliminary_basis_is_billings_rule_over_visits_data(self, deps):
        # GIVEN a client granted 600 minutes with two visits, one approved, and a hospital stay
        pnr, tag = client(deps, granted=600)
        assert ingest_events(deps, [(f"m{j}", e) for j, e in enumerate(visits_of(pnr, tag, 3, 2))]) == set()
        first = deps.days.visits_of_month(PROVIDER, 2026, 11)[0]
        approve(deps, COORDINATOR, first.visit_id, Reasoned(version=first.version, reason="Kontrollerat"))
        learned = datetime(2026, 11, 10, 8, tzinfo=timezone.utc)
        deps.absences.add_absence(Absence(provider_id=PROVIDER, client=pnr, kind="hospital",
                                          starts_on=date(2026, 11, 10), ends_on=date(2026, 11, 14),
                                          learned_at=learned, registered_by="cora", registered_at=learned),
                                  None, NOW)
        # WHEN the month page computes it
        m = month_basis(deps, COORDINATOR, 2026, 11)
        # THEN per client granted, performed, approved, absence and what billing would bill
        (row,) = m.rows
        assert (row.client, row.granted, row.performed, row.approved) == (pnr, 600, 61, 30)
        assert row.billable_minutes == 30 and row.unverified_minutes == 31
        assert row.absence_minutes > 0 and row.amount_ore == m.totals.amount_ore > 0
        assert "area" in m.not_known


def test_working_days_until_the_lock_date_skip_weekends_and_holidays():
    from services.domain.calendar import working_days_until

    # Friday 20 November to Thursday 3 December 2026: 23–27 Nov, 30 Nov, 1–3 Dec
    assert working_days_until(date(2026, 11, 20), date(2026, 12, 3)) == 9
    # over Christmas: 23 Dec to 7 Jan 2027 (24–26, 31 Dec, 1 and 6 Jan are holidays; weekends)
    assert working_days_until(date(2026, 12, 23), date(2027, 1, 7)) == 6
    assert working_days_until(date(2026, 12, 3), date(2026, 12, 3)) == 0
    assert working_days_until(date(2026, 12, 4), date(2026, 12, 3)) == 0
