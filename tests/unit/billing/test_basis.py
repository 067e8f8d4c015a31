"""The invoice basis rules, one case each: billable time, granted time day by day, absence and
termination per pack, reference codes, amounts, corrections and reconciliation. No AWS."""
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.billing.domain import basis
from services.billing.domain.model import ClientProfile
from services.billing.domain.reconcile import ClaimedLine, reconcile
from tests.support.people import new_pnr
from tests.unit.billing.support import EXEMPEL_2026, HANINGE_2026, OLD, YOUNG, absence, client_month, grant, visit

MARCH = date(2026, 3, 1)
G3040 = [grant(3040, date(2026, 1, 1))]  # 3040 minutes a month: 100 minutes a day at 30.4


def line(visits=(), absences=(), grants=G3040, profile=ClientProfile(), pack=HANINGE_2026, client=OLD, **kw):
    return basis.line_for(client_month(client, visits, absences, **kw), grants, profile, pack)


# -- billable time ----------------------------------------------------------------------

def test_performed_time_up_to_the_granted_time_is_billable():
    got = line([visit(1, 60), visit(2, 45)], grants=[grant(600, MARCH)])
    assert (got.performed_minutes, got.billable_minutes, got.pending_approval_minutes) == (105, 105, 0)


def test_time_beyond_the_granted_is_pending_until_the_case_worker_approves_it():
    """GIVEN 100 granted minutes and visits of 60, 60, 30 WHEN nothing is approved THEN 100 are
    billable and 50 pending; the visit that crosses the line is split."""
    got = line([visit(1, 60), visit(2, 60), visit(3, 30)], grants=[grant(100, MARCH)])
    assert (got.billable_minutes, got.pending_approval_minutes, got.rejected_minutes) == (100, 50, 0)


def test_approved_time_beyond_the_granted_is_billable_and_rejected_is_not():
    got = line([visit(1, 60), visit(2, 60, over="approved"), visit(3, 30, over="rejected")],
               grants=[grant(100, MARCH)])
    assert (got.billable_minutes, got.approved_over_granted_minutes, got.rejected_minutes,
            got.pending_approval_minutes) == (120, 20, 30, 0)


def test_visits_without_time_or_with_the_client_absent_bill_nothing():
    got = line([visit(1, 60), visit(2, 40, counted=False)])
    assert got.performed_minutes == 60 and got.visit_ids == ["v0001"]


def test_without_a_decision_every_minute_waits_for_approval():
    got = line([visit(1, 60)], grants=[])
    assert (got.granted_minutes, got.billable_minutes, got.pending_approval_minutes) == (0, 0, 60)


# -- granted time, day by day -----------------------------------------------------------

def test_a_decision_changing_mid_month_is_weighed_day_by_day():
    """GIVEN 3000 min/month to March 15 and 6200 from March 16 THEN (3000·15 + 6200·16) / 31."""
    grants = [grant(3000, date(2026, 1, 1), date(2026, 3, 15)), grant(6200, date(2026, 3, 16), decided=5)]
    assert line(grants=grants).granted_minutes == round((3000 * 15 + 6200 * 16) / 31)


def test_the_latest_decided_decision_wins_a_day_and_a_refusal_revokes_nothing():
    grants = [grant(3000, date(2026, 1, 1)), grant(900, date(2026, 3, 1), decided=9),
              grant(0, date(2026, 3, 1), decided=20, outcome="refused")]
    assert line(grants=grants).granted_minutes == 900


def test_other_insatser_grant_no_home_care_time():
    assert line(grants=[grant(3000, MARCH, insats="trygghetslarm")]).granted_minutes == 0


# -- absence, Haninge's rules ----------------------------------------------------------

def test_unplanned_absence_is_paid_two_days_of_granted_time_each_one_30_4th():
    got = line(absences=[absence(date(2026, 3, 10), ends=date(2026, 3, 20))])
    assert got.absence_minutes == 200 and [d.day.day for d in got.absence_days] == [10, 11]
    assert got.absence_amount_ore == basis.round_half_up(basis.Fraction(200 * HANINGE_2026.hourly_rate_ore, 60))


def test_absence_days_count_from_the_day_the_provider_learned_of_it():
    learned = datetime(2026, 3, 12, 7, tzinfo=timezone.utc)
    got = line(absences=[absence(date(2026, 3, 10), learned=learned)])
    assert [d.day.day for d in got.absence_days] == [12, 13]


def test_an_absence_announced_48_hours_before_is_not_compensated_47_is():
    starts = date(2026, 3, 10)
    began = datetime(2026, 3, 10, tzinfo=basis.STOCKHOLM)
    assert line(absences=[absence(starts, announced=began - timedelta(hours=48))]).absence_minutes == 0
    assert line(absences=[absence(starts, announced=began - timedelta(hours=47))]).absence_minutes == 200


def test_a_one_day_absence_is_one_day():
    assert line(absences=[absence(date(2026, 3, 10), ends=date(2026, 3, 10))]).absence_minutes == 100


def test_termination_pays_five_days_unless_the_provider_mismanaged_it():
    ended = absence(date(2026, 3, 10), kind="terminated")
    assert line(absences=[ended]).absence_minutes == 500
    assert line(absences=[ended.model_copy(update={"provider_mismanaged": True})]).absence_minutes == 0


def test_overlapping_absences_pay_a_day_once():
    both = [absence(date(2026, 3, 10), absence_id="a1"), absence(date(2026, 3, 11), absence_id="a2")]
    got = line(absences=both)
    assert got.absence_minutes == 300 and sorted(got.absence_ids) == ["a1", "a2"]


def test_an_absence_across_the_month_end_is_billed_in_each_month_for_its_own_days():
    across = absence(date(2026, 3, 31))
    assert line(absences=[across]).absence_minutes == 100
    assert line(absences=[across], month=4).absence_minutes == 100


def test_other_absence_kinds_are_not_compensated():
    assert line(absences=[absence(date(2026, 3, 10), kind="other")]).absence_minutes == 0


# -- absence, the second municipality ----------------------------------------------------

def test_exempel_pays_day_one_at_75_and_days_two_to_five_at_25_percent():
    got = line(absences=[absence(date(2026, 3, 10), ends=date(2026, 3, 30))], pack=EXEMPEL_2026)
    assert got.absence_minutes == 75 + 4 * 25 and len(got.absence_days) == 5


def test_a_day_of_changed_granted_time_uses_that_days_decision():
    grants = [grant(3040, date(2026, 1, 1), date(2026, 3, 10)), grant(6080, date(2026, 3, 11), decided=3)]
    got = line(absences=[absence(date(2026, 3, 10))], grants=grants)
    assert got.absence_minutes == 100 + 200


# -- reference codes, supplements, amounts --------------------------------------------------

@pytest.mark.parametrize("client,social,code", [(OLD, False, "780201"), (YOUNG, False, "350101"),
                                                (YOUNG, True, "333601"), (OLD, True, "780201")],
                         ids=["over-65", "under-65", "under-65-social-psychiatry", "over-65-social-psychiatry"])
def test_reference_code_by_age_and_social_psychiatry(client, social, code):
    assert line(client=client, profile=ClientProfile(social_psychiatry=social)).reference_code == code


def test_a_client_turning_65_on_the_first_of_the_month_is_65():
    born = new_pnr(1961, 3, 1)
    assert line(client=born).reference_code == "780201"
    assert line(client=born, month=2).reference_code == "350101"


def test_rural_time_earns_the_supplement_and_island_time_is_reported_apart():
    visits = [visit(1, 60)]
    rural = line(visits, profile=ClientProfile(area="rural"))
    island = line(visits, profile=ClientProfile(area="island"))
    assert rural.rural_minutes == 60 and rural.rural_supplement_ore == HANINGE_2026.supplements.rural_per_hour_ore
    assert island.island_minutes == 60 and island.amount_ore == HANINGE_2026.hourly_rate_ore  # the grant is apart


def test_an_hour_is_the_hourly_rate_the_same_any_day_or_hour():
    night = replace(visit(1, 60), started_at=datetime(2026, 3, 8, 23, tzinfo=timezone.utc))
    assert line([night]).amount_ore == line([visit(2, 60)]).amount_ore == HANINGE_2026.hourly_rate_ore


def test_totals_are_the_sums_of_the_lines():
    months = [client_month(new_pnr(1940), [visit(i, 17 * i + 3)]) for i in range(1, 6)]
    got = basis.compute("p1", 2026, 3, months, {}, {}, HANINGE_2026)
    assert got.totals.amount_ore == sum(line.amount_ore for line in got.lines) and got.totals.clients == 5


def test_a_correction_lists_what_changed():
    client = OLD
    old = basis.compute("p1", 2026, 3, [client_month(client, [visit(1, 60)])], {client: G3040}, {}, HANINGE_2026)
    new = basis.compute("p1", 2026, 3, [client_month(client, [visit(1, 60), visit(2, 30)])], {client: G3040}, {},
                        HANINGE_2026)
    lines, totals = basis.difference(new, old)
    assert lines[0].changes["billable_minutes"] == 30 and totals["billable_minutes"] == 30


def test_payment_is_due_30_days_after_the_invoice_was_received():
    assert basis.due_date(date(2026, 4, 10), HANINGE_2026.payment_terms_days) == date(2026, 5, 10)


# -- reconciliation --------------------------------------------------------------------------

def test_reconciliation_lists_every_difference_line_by_line():
    a, b, c = new_pnr(1940), new_pnr(1941), new_pnr(1942)
    got = basis.compute("p1", 2026, 3, [client_month(a, [visit(1, 60)]), client_month(b, [visit(2, 30)])],
                        {a: G3040, b: G3040}, {}, HANINGE_2026)
    rate = HANINGE_2026.hourly_rate_ore
    claim = [ClaimedLine(client=a, hours=Decimal("1.5"), amount_ore=rate), ClaimedLine(client=c, hours=1, amount_ore=5)]
    result = reconcile(got, claim, date(2026, 4, 7))
    assert not result.matches and result.due_date == date(2026, 5, 7)
    found = {(d.client, d.field, d.difference) for d in result.differences}
    assert found == {(a, "billed_minutes", 30), (b, "line", None), (c, "line", None)}


def test_an_invoice_that_matches_the_basis_has_no_differences():
    got = basis.compute("p1", 2026, 3, [client_month(OLD, [visit(1, 90)])], {OLD: G3040}, {}, HANINGE_2026)
    claim = [ClaimedLine(client=OLD, hours=Decimal("1.5"), amount_ore=got.lines[0].amount_ore)]
    assert reconcile(got, claim, date(2026, 4, 7)).matches


def test_a_termination_finance_found_mismanaged_pays_nothing_and_an_absence_is_not_affected():
    ended = absence(date(2026, 3, 10), kind="terminated", absence_id="t1")
    ill = absence(date(2026, 3, 20), absence_id="h1")
    profile = ClientProfile(mismanaged_terminations=("t1", "h1"))
    got = line(absences=[ended, ill], profile=profile)
    assert got.absence_minutes == 200 and {d.absence_id for d in got.absence_days} == {"h1"}


# -- only verified time is billed (issue 20, item 1) -----------------------------------------

def test_unapproved_and_undecided_visits_are_listed_apart_and_never_billed():
    """GIVEN an approved visit of 60, one of 45 the coordinator has not approved, and one of 30
    whose manual receipt waits for the case worker WHEN the basis is computed THEN only the 60 are
    performed and billable, and the others stand on lines of their own with their minutes."""
    visits = [visit(1, 60), visit(2, 45, attested="unapproved"), visit(3, 30, attested="awaiting_decision")]
    got = basis.compute("p1", 2026, 3, [client_month(OLD, visits)], {OLD: G3040}, {}, HANINGE_2026)
    (only,) = got.lines
    assert (only.performed_minutes, only.billable_minutes, only.visit_ids) == (60, 60, ["v0001"])
    assert (only.unapproved_minutes, only.awaiting_decision_minutes) == (45, 30)
    assert got.totals.billable_minutes == 60 and got.totals.amount_ore == HANINGE_2026.hourly_rate_ore
    assert [(u.label, u.minutes, u.visit_ids) for u in got.unverified] == \
        [("Ej godkänt", 45, ["v0002"]), ("Väntar på beslut", 30, ["v0003"])]


def test_unverified_time_takes_no_granted_time_from_the_verified():
    """GIVEN 100 granted minutes, an unapproved visit of 80 first, then an approved one of 90 THEN
    the approved visit bills 90 (none of it is beyond the granted time)."""
    got = line([visit(1, 80, attested="unapproved"), visit(2, 90)], grants=[grant(100, MARCH)])
    assert (got.billable_minutes, got.pending_approval_minutes, got.unapproved_minutes) == (90, 0, 80)


def test_time_beyond_the_granted_waiting_for_the_case_worker_holds_the_whole_visit():
    got = line([visit(1, 60), visit(2, 70, over="pending")], grants=[grant(100, MARCH)])
    assert (got.billable_minutes, got.pending_approval_minutes, got.awaiting_decision_minutes) == (60, 0, 70)


# -- a visit on a compensated absence day is billed once (issue 20, item 3) --------------------

def test_approved_visit_time_on_a_compensated_absence_day_wins_and_the_compensation_is_dropped():
    """GIVEN a hospital stay from March 10 (compensated the 10th and 11th, 100 minutes each) and an
    approved visit of 40 minutes on the 10th WHEN the basis is computed THEN the 10th is billed as
    the visit only, the 11th as absence, and the 10th is flagged."""
    client = client_month(OLD, [visit(1, 40, day=10)], [absence(date(2026, 3, 10), ends=date(2026, 3, 20))])
    got = basis.compute("p1", 2026, 3, [client], {OLD: G3040}, {}, HANINGE_2026)
    (only,) = got.lines
    assert (only.billable_minutes, only.absence_minutes) == (40, 100)
    assert [d.day.day for d in only.absence_days] == [11]
    rate = HANINGE_2026.hourly_rate_ore  # each part rounded on its own
    assert only.amount_ore == sum(basis.round_half_up(basis.Fraction(m * rate, 60)) for m in (40, 100))
    (flag,) = got.visits_on_absence_days
    assert (flag.client, flag.day, flag.absence_id, flag.absence_kind, flag.visit_ids, flag.visit_minutes,
            flag.billed_visit_minutes, flag.compensation_minutes, flag.billed) == \
        (OLD, date(2026, 3, 10), "a1", "hospital", ["v0001"], 40, 40, "100", "visit")


def test_an_unverified_visit_on_a_compensated_day_leaves_the_compensation_and_is_flagged():
    client = client_month(OLD, [visit(1, 40, day=11, attested="unapproved")], [absence(date(2026, 3, 10))])
    got = basis.compute("p1", 2026, 3, [client], {OLD: G3040}, {}, HANINGE_2026)
    assert (got.lines[0].billable_minutes, got.lines[0].absence_minutes) == (0, 200)
    assert [(f.day.day, f.billed, f.billed_visit_minutes) for f in got.visits_on_absence_days] == [(11, "absence", 0)]


def test_a_visit_on_an_absence_day_without_compensation_is_not_flagged():
    """The hospital stay was announced in time: nothing is compensated, nothing is billed twice."""
    began = datetime(2026, 3, 10, tzinfo=basis.STOCKHOLM)
    ill = absence(date(2026, 3, 10), announced=began - timedelta(hours=72))
    got = basis.compute("p1", 2026, 3, [client_month(OLD, [visit(1, 40, day=10)], [ill])], {OLD: G3040}, {},
                        HANINGE_2026)
    assert got.lines[0].billable_minutes == 40 and got.visits_on_absence_days == []
