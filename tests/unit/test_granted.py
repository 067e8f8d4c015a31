"""Granted time is one rule for visits, reports and billing: per insats and day the latest decided
decision in force; the month is the days' minutes over the month's days, rounded half up."""
from datetime import date, datetime, timezone

from services.billing.domain.basis import granted_in_month
from services.billing.domain.model import GrantFacts
from services.domain.granted import HOME_CARE, Grant, granted_minutes, latest_home_care_minutes


def _decision(decision_id: str, minutes: int, valid_from: date, valid_to: date | None, decided_day: int) -> dict:
    return {"decision_id": decision_id, "insats": HOME_CARE, "outcome": "granted", "granted_minutes_per_month": minutes,
            "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat() if valid_to else None,
            "decided_at": datetime(2026, 9, decided_day, tzinfo=timezone.utc).isoformat()}


# An open-ended decision, replaced from 11 October by a later one that is open-ended too.
DECISIONS = [_decision("old", 600, date(2026, 1, 1), None, 1),
             _decision("new", 900, date(2026, 10, 11), None, 20)]


def _as_grants(decisions: list[dict]) -> list[Grant]:
    return [Grant(d["insats"], d["granted_minutes_per_month"], date.fromisoformat(d["valid_from"]),
                  date.fromisoformat(d["valid_to"]) if d["valid_to"] else None, (d["decided_at"], d["decision_id"]))
            for d in decisions]


def _as_facts(decisions: list[dict]) -> list[GrantFacts]:
    return [GrantFacts.model_validate({**d, "valid_to": d["valid_to"]}) for d in decisions]


def test_given_a_later_decision_on_the_same_insats_when_both_are_open_then_it_replaces_the_former():
    # 10 days of 600 and 21 days of 900 over 31 days: 803.2 → 803, never 600 + 900
    expected = round((10 * 600 + 21 * 900) / 31)
    assert granted_minutes(_as_grants(DECISIONS), 2026, 10) == {HOME_CARE: expected}


def test_given_the_same_decisions_then_visits_reports_and_billing_read_the_same_granted_time():
    reports = granted_minutes(_as_grants(DECISIONS), 2026, 10)[HOME_CARE]
    billing = granted_in_month(_as_facts(DECISIONS), 2026, 10, (HOME_CARE,))
    visits = latest_home_care_minutes(DECISIONS, 2026, 10)
    assert reports == billing == visits


def test_a_half_minute_rounds_up_as_billing_rounds_it():
    # 15 minutes a month in force on 1 day of November's 30: 0.5 → 1 (half up, not to even)
    assert granted_minutes([Grant("x", 15, date(2026, 11, 30), None)], 2026, 11) == {"x": 1}


def test_no_day_in_force_leaves_the_insats_out():
    assert granted_minutes([Grant("x", 600, date(2026, 11, 1), None)], 2026, 10) == {}
