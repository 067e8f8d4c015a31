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
