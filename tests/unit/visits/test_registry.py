"""The provider's registry on fakes: absences ended once and shown with billing's compensation,
devices with their failures, and a staff member's own month."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from services.auth.principal import Principal, Role
from services.domain.errors import Conflict, NotFound, PeriodLocked, ValidationFailed
from services.visits.schemas import EndAbsence, RegisterAbsence
from services.visits.usecases.absences import absence_compensation, end_absence, register_absence
from tests.support.fakes.visits import fake_visits_deps
from tests.support.people import new_pnr

NOW = datetime(2026, 11, 20, 18, tzinfo=timezone.utc)
PROVIDER, OTHER = "prov-unit", "prov-other"
COORDINATOR = Principal(subject="cora", role=Role.PROVIDER_COORDINATOR, user_id="cora", provider_id=PROVIDER)
ELSEWHERE = Principal(subject="olle", role=Role.PROVIDER_COORDINATOR, user_id="olle", provider_id=OTHER)


@pytest.fixture
def deps():
    return fake_visits_deps(clock=lambda: NOW)


def granted(deps, pnr, minutes=3040):
    deps.grants.put_granted({"decision_id": str(uuid.uuid4()), "client": pnr, "insats": "hemtjanst",
                             "outcome": "granted", "granted_minutes_per_month": minutes, "valid_from": "2026-01-01",
                             "valid_to": None, "decided_at": "2026-01-01T00:00:00+00:00"})


def register(deps, pnr, starts=date(2026, 11, 10), kind="hospital", ends=None, announced=None):
    return register_absence(deps, COORDINATOR, RegisterAbsence(
        client=pnr, kind=kind, starts_on=starts, ends_on=ends,
        learned_at=datetime(starts.year, starts.month, starts.day, 8, tzinfo=timezone.utc), announced_at=announced))


class TestEndAbsence:
    def test_an_open_absence_is_ended_and_billing_is_told_with_the_next_revision(self, deps):
        # GIVEN an open hospital stay
        pnr = new_pnr(1938)
        view = register(deps, pnr)
        # WHEN the coordinator ends it
        ended = end_absence(deps, COORDINATOR, view.absence_id, EndAbsence(ends_on=date(2026, 11, 12)))
        # THEN it is listed ended, and absence.registered went out twice: revision 1 open, revision 2 ended
        assert ended.ends_on == date(2026, 11, 12)
        [stored] = deps.absences.absences_of(PROVIDER)
        assert (stored.ends_on, stored.revision, stored.ended_by) == (date(2026, 11, 12), 2, COORDINATOR.actor)
        assert [(e.revision, e.ends_on) for e in deps.absences.published] == [(1, None), (2, date(2026, 11, 12))]

    def test_an_ended_absence_is_not_ended_again(self, deps):
        view = register(deps, new_pnr(1938), ends=date(2026, 11, 11))
        with pytest.raises(Conflict):
            end_absence(deps, COORDINATOR, view.absence_id, EndAbsence(ends_on=date(2026, 11, 12)))
        assert len(deps.absences.published) == 1

    def test_an_end_before_the_start_is_named_and_nothing_is_stored(self, deps):
        view = register(deps, new_pnr(1938))
        with pytest.raises(ValidationFailed) as caught:
            end_absence(deps, COORDINATOR, view.absence_id, EndAbsence(ends_on=date(2026, 11, 9)))
        assert caught.value.errors[0].field == "ends_on"
        assert deps.absences.absences_of(PROVIDER)[0].ends_on is None

    def test_another_providers_absence_is_not_found(self, deps):
        view = register(deps, new_pnr(1938))
        with pytest.raises(NotFound):
            end_absence(deps, ELSEWHERE, view.absence_id, EndAbsence(ends_on=date(2026, 11, 12)))
        assert deps.absences.absences_of(PROVIDER)[0].ends_on is None

    def test_an_end_in_a_locked_month_is_refused(self):
        # GIVEN an absence registered in October, and the clock now in November past October's lock date
        deps = fake_visits_deps(clock=lambda: NOW - timedelta(days=45))
        view = register(deps, new_pnr(1938), starts=date(2026, 10, 1))
        late = fake_visits_deps(absences=deps.absences, clock=lambda: NOW)
        with pytest.raises(PeriodLocked):
            end_absence(late, COORDINATOR, view.absence_id, EndAbsence(ends_on=date(2026, 10, 3)))
        assert deps.absences.absences_of(PROVIDER)[0].ends_on is None


class TestCompensation:
    def test_a_hospital_stay_gives_two_days_of_granted_time_as_billing_computes_it(self, deps):
        # GIVEN 3040 minutes a month granted (100 a day under Haninge's divisor 30.4) and a hospital stay
        pnr = new_pnr(1938)
        granted(deps, pnr)
        view = register(deps, pnr)
        # WHEN its compensation is computed
        [absence] = deps.absences.absences_of(PROVIDER)
        got = absence_compensation(deps, [absence])[view.absence_id]
        # THEN the pack's two whole days from when the provider learned of it: 200 minutes at its hourly rate
        assert got.days == (date(2026, 11, 10), date(2026, 11, 11))
        assert got.minutes == 200 and got.amount_ore == 200 * 49700 // 60 + 1  # 165 666,67 öre rounded half up
        assert got.pack.startswith("haninge-hemtjanst")

    def test_an_absence_ended_the_first_day_gives_one_day(self, deps):
        pnr = new_pnr(1938)
        granted(deps, pnr)
        view = register(deps, pnr)
        end_absence(deps, COORDINATOR, view.absence_id, EndAbsence(ends_on=date(2026, 11, 10)))
        got = absence_compensation(deps, deps.absences.absences_of(PROVIDER))[view.absence_id]
        assert (got.days, got.minutes) == ((date(2026, 11, 10),), 100)

    def test_an_absence_announced_in_time_or_of_another_kind_gives_none_and_says_why(self, deps):
        pnr = new_pnr(1938)
        granted(deps, pnr)
        early = register(deps, pnr, announced=datetime(2026, 11, 1, 8, tzinfo=timezone.utc))
        other = register(deps, pnr, starts=date(2026, 11, 15), kind="other")
        got = absence_compensation(deps, deps.absences.absences_of(PROVIDER))
        assert (got[early.absence_id].minutes, got[other.absence_id].minutes) == (0, 0)
        assert "48 timmar" in got[early.absence_id].why_none
        assert "ingen ersättning" in got[other.absence_id].why_none

    def test_without_granted_time_the_days_give_nothing_and_it_says_why(self, deps):
        view = register(deps, new_pnr(1938))
        got = absence_compensation(deps, deps.absences.absences_of(PROVIDER))[view.absence_id]
        assert (got.minutes, got.amount_ore) == (0, 0) and "ingen beviljad tid" in got.why_none


class TestOwnMonthAndDeviceFailures:
    """Over the fakes, with events through the processor (``test_use_cases``' helpers)."""

    @pytest.fixture
    def busy(self):
        from tests.unit.visits import test_use_cases as uc

        deps = fake_visits_deps(clock=lambda: uc.NOW)
        for user in ("anna", "bo"):
            deps.staff.add_staff(uc.PROVIDER, user)
        pnr, tag = uc.new_client(deps)
        other, _ = uc.new_client(deps)
        manual = {"receipt": {"method": "manual", "manual_reason": "technical_fault"}}
        assert uc.ingest(deps, [
            uc.event("arrival", pnr, tag, uc.MORNING, **manual),
            uc.event("departure", pnr, tag, uc.MORNING + timedelta(minutes=30)),
            uc.event("arrival", pnr, tag, uc.MORNING + timedelta(hours=2), staff_id="bo"),
            uc.event("departure", pnr, tag, uc.MORNING + timedelta(hours=2, minutes=15), staff_id="bo"),
            uc.event("arrival", other, tag, uc.MORNING + timedelta(hours=4)),  # the tag is not the other's
            uc.event("arrival", other, tag, uc.MORNING + timedelta(hours=5), staff_id="bo"),
        ]) == set()
        return deps, uc, pnr, tag

    def test_a_staff_member_reads_only_their_own_visits_and_open_rejected_events(self, busy):
        from services.visits.usecases.own import own_month

        deps, uc, pnr, tag = busy
        # WHEN anna reads her month THEN her one visit and her one rejected event, not bo's
        mine = own_month(deps, uc.staff("anna"), 2026, 11)
        assert [(v.staff_id, v.minutes) for v in mine.visits] == [("anna", 30)]
        assert [r.event.staff_id for r in mine.rejected.events] == ["anna"] and mine.rejected.complete
        assert [v.minutes for v in own_month(deps, uc.staff("bo"), 2026, 11).visits] == [15]
        # AND another month, or another provider's staff member of the same name, reads nothing
        assert own_month(deps, uc.staff("anna"), 2026, 10).visits == []
        elsewhere = Principal(subject="anna", role=Role.PROVIDER_STAFF, user_id="anna", provider_id=OTHER)
        got = own_month(deps, elsewhere, 2026, 11)
        assert (got.visits, got.rejected.events) == ([], [])

    def test_the_rejected_events_are_looked_through_within_a_bound(self, busy):
        from services.visits.domain.model import RejectedEvent
        from services.visits.usecases import own

        deps, uc, pnr, tag = busy
        # GIVEN more unprocessable rejected events than the look through reads
        for i in range(own.REJECTED_PAGE * own.REJECTED_PAGES):
            e = uc.event("arrival", pnr, tag, uc.MORNING + timedelta(minutes=i), staff_id="bo")
            deps.days.add_unprocessable(RejectedEvent(event=e, reasons=["x"], received_at=uc.NOW, origin="unprocessable"))
        pages = []
        real = deps.days.rejected_page
        deps.days.rejected_page = lambda *a, **k: pages.append(1) or real(*a, **k)
        # WHEN anna's page is read THEN at most REJECTED_PAGES pages are, and it says it did not reach the end
        got = own.own_month(deps, uc.staff("anna"), 2026, 11)
        assert len(pages) == own.REJECTED_PAGES and got.rejected.complete is False

    def test_a_devices_failures_are_its_clients_manual_receipts_and_the_rejected_events_naming_it(self, busy):
        from services.visits.usecases.devices import device_failures

        deps, uc, pnr, tag = busy
        found = device_failures(deps, uc.COORDINATOR, tag, 2026, 11)
        assert [v.staff_id for v in found.manual_visits] == ["anna"]
        assert sorted(r.event.staff_id for r in found.rejected) == ["anna", "bo"] and found.complete
        assert device_failures(deps, uc.COORDINATOR, tag, 2026, 10).manual_visits == []
        with pytest.raises(NotFound):
            device_failures(deps, ELSEWHERE, tag, 2026, 11)
