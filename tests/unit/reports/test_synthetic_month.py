"""The synthetic month: deterministic from its seed, with the shares it promises."""
from collections import Counter
from datetime import date

from services.contracts.events import VisitChangedV2
from services.domain.personnummer import Personnummer
from services.synthetic import month_events, municipality


def test_given_one_seed_when_generated_twice_then_the_events_are_identical_and_another_seed_differs():
    a = [e.model_dump() for e in month_events(7, clients=40)]
    b = [e.model_dump() for e in month_events(7, clients=40)]
    c = [e.model_dump() for e in month_events(8, clients=40)]
    assert a == b and a != c


def test_given_the_default_size_when_the_municipality_is_made_then_it_has_1000_clients_70_percent_aged_65_plus():
    m = municipality()
    assert len(m.clients) == 1000 and len({c.pnr for c in m.clients}) == 1000
    old = sum(Personnummer(c.pnr).age_on(date(2026, 10, 1)) >= 65 for c in m.clients)
    assert 0.65 <= old / 1000 <= 0.75
    assert len({c.provider for c in m.clients}) == 4


def test_given_a_small_month_when_generated_then_visits_carry_the_promised_kinds_of_deviations():
    events = list(month_events(3, clients=200))
    latest = {}
    for e in events:
        parsed = e.parse()
        if isinstance(parsed, VisitChangedV2):
            if parsed.visit_id not in latest or latest[parsed.visit_id].visit_version < parsed.visit_version:
                latest[parsed.visit_id] = parsed
    visits = [v.visit for v in latest.values()]
    assert 60 <= len(visits) / 200 / 31 * 31 <= 130  # about 90 visits a client and month
    codes = Counter(d.code for v in visits for d in v.deviations)
    assert {"manual_receipt", "post_registration", "adjusted_time", "over_granted_time"} <= set(codes)
    assert 0.04 <= sum(v.double_staffing for v in visits) / len(visits) <= 0.15
    assert {e.event_type for e in events} == {"visit.changed", "decision.published", "absence.registered"}
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
