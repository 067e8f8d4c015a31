"""Properties of the billing rules over generated months (hypothesis): billable time never
exceeds performed time nor granted plus approved time; absence pays at most the pack's days;
amounts add up to the totals."""
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction

from hypothesis import given, settings, strategies as st

from services.billing.domain import basis
from services.billing.domain.model import AbsenceFacts, ClientMonth, ClientProfile, GrantFacts, VisitFacts
from tests.unit.billing.support import EXEMPEL_2026, HANINGE_2026
from tests.support.people import new_pnr

CLIENTS = [new_pnr(1930 + 7 * i) for i in range(6)]
MARCH = [date(2026, 3, d) for d in range(1, 32)]

visits = st.lists(st.builds(
    VisitFacts, visit_id=st.uuids().map(str), version=st.just(1),
    started_at=st.datetimes(min_value=datetime(2026, 3, 1), max_value=datetime(2026, 3, 31, 22),
                            timezones=st.just(timezone.utc)),
    minutes=st.integers(0, 600), counted=st.booleans(),
    over_granted=st.sampled_from(["none", "pending", "approved", "rejected"]),
    attested=st.sampled_from(["approved", "approved", "unapproved", "awaiting_decision"])), max_size=40)

grants = st.lists(st.builds(
    GrantFacts, decision_id=st.uuids().map(str), insats=st.sampled_from(["hemtjanst", "trygghetslarm"]),
    outcome=st.sampled_from(["granted", "granted", "refused"]), granted_minutes_per_month=st.integers(0, 20_000),
    valid_from=st.sampled_from(MARCH[:20] + [date(2025, 12, 1)]),
    valid_to=st.one_of(st.none(), st.sampled_from(MARCH[5:])),
    decided_at=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 3, 31),
                            timezones=st.just(timezone.utc))), max_size=4)


@st.composite
def absences(draw):
    starts = draw(st.sampled_from([date(2026, 2, 27)] + MARCH))
    learned = datetime.combine(starts, datetime.min.time(), timezone.utc) + timedelta(hours=draw(st.integers(-72, 96)))
    announced = draw(st.one_of(st.none(), st.just(learned - timedelta(hours=draw(st.integers(0, 100))))))
    ends = draw(st.one_of(st.none(), st.sampled_from([d for d in MARCH if d >= starts] or [starts])))
    return AbsenceFacts(absence_id=draw(st.uuids().map(str)),
                        kind=draw(st.sampled_from(["hospital", "short_term_stay", "other", "terminated"])),
                        starts_on=starts, ends_on=ends, learned_at=learned, announced_at=announced,
                        provider_mismanaged=draw(st.booleans()))


packs = st.sampled_from([HANINGE_2026, EXEMPEL_2026])

# The rules restated here from their text, so that a bound is not taken from the code it checks.
ABSENCE_DAY = Fraction(10, 304)  # each compensated absence day is 1/30.4 of the granted monthly time (seed 004)


def granted_that_day(gs, day):
    """Monthly home-care minutes in force on ``day``: the latest decided granting decision whose
    validity covers the day (none: 0)."""
    covering = [g for g in gs if g.outcome == "granted" and g.insats == "hemtjanst"
                and g.valid_from <= day and (g.valid_to is None or day <= g.valid_to)]
    return max(covering, key=lambda g: (g.decided_at, g.decision_id)).granted_minutes_per_month if covering else 0


def half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2)) if value >= 0 else -half_up(-value)


def granted_in_march(gs):
    """The month's granted time: the days' monthly minutes averaged over March's 31 days, half up."""
    return half_up(Fraction(sum(granted_that_day(gs, d) for d in MARCH), len(MARCH)))
profiles = st.builds(ClientProfile, area=st.sampled_from(["standard", "rural", "island"]), social_psychiatry=st.booleans())


@settings(max_examples=300, deadline=None)
@given(visits, grants, packs)
def test_billable_never_exceeds_performed_nor_granted_plus_approved(vs, gs, pack):
    cm = ClientMonth(provider_id="p", client=CLIENTS[0], year=2026, month=3, visits=tuple(vs))
    line = basis.line_for(cm, gs, ClientProfile(), pack)
    assert line.billable_minutes <= line.performed_minutes
    assert line.billable_minutes <= granted_in_march(gs) + line.approved_over_granted_minutes
    assert line.billable_minutes + line.pending_approval_minutes + line.rejected_minutes == line.performed_minutes
    approved = sum(v.minutes for v in vs if v.counted and v.over_granted == "approved")
    assert line.approved_over_granted_minutes <= approved
    verified = sum(v.minutes for v in vs if v.counted and v.attested == "approved" and v.over_granted != "pending")
    assert line.performed_minutes == verified  # unverified time is listed apart, never billed
    assert line.performed_minutes + line.unapproved_minutes + line.awaiting_decision_minutes == \
        sum(v.minutes for v in vs if v.counted)


@settings(max_examples=300, deadline=None)
@given(st.lists(absences(), max_size=4), grants, packs)
def test_absence_pays_at_most_the_packs_days_per_absence(abs_, gs, pack):
    cm = ClientMonth(provider_id="p", client=CLIENTS[1], year=2026, month=3, absences=tuple(abs_))
    line = basis.line_for(cm, gs, ClientProfile(), pack)
    unplanned = 2 if pack is HANINGE_2026 else 5  # Haninge's two days; the second municipality's five
    limit = {"hospital": unplanned, "short_term_stay": unplanned, "terminated": 5, "other": 0}
    for a in abs_:
        assert sum(1 for d in line.absence_days if d.absence_id == a.absence_id) <= limit[a.kind]
    assert len({d.day for d in line.absence_days}) == len(line.absence_days)
    # at most a whole day's share of the time granted that day, for each day paid
    assert line.absence_minutes <= half_up(sum((granted_that_day(gs, d.day) * ABSENCE_DAY for d in line.absence_days),
                                               Fraction(0)))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(CLIENTS), visits, st.lists(absences(), max_size=2), profiles),
                max_size=6, unique_by=lambda t: t[0]), grants, packs)
def test_amounts_add_up_to_the_totals(rows, gs, pack):
    months = [ClientMonth(provider_id="p", client=c, year=2026, month=3, visits=tuple(vs), absences=tuple(a))
              for c, vs, a, _ in rows]
    got = basis.compute("p", 2026, 3, months, {c: gs for c, *_ in rows}, {c: p for c, _, _, p in rows}, pack)
    for line in got.lines:
        assert line.amount_ore == line.visits_amount_ore + line.absence_amount_ore + line.rural_supplement_ore
        assert line.amount_ore >= 0
    for field in basis.SUMMED:
        assert getattr(got.totals, field) == sum(getattr(line, field) for line in got.lines)


@settings(max_examples=300, deadline=None)
@given(grants)
def test_the_months_granted_time_is_the_average_of_its_days(gs):
    """The fast month sum agrees with the day-by-day rule it implements."""
    assert basis.granted_in_month(gs, 2026, 3, ("hemtjanst",)) == granted_in_march(gs)
