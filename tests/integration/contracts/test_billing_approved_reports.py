"""Billing's ``ReportStore`` port: the fake and the DynamoDB adapter answer alike."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from services.billing.domain.model import ApprovedReport
from tests.integration.contracts.billing_stores import store, unique_month  # noqa: F401 - the fixture
from tests.support.people import new_pnr


PERSON = new_pnr(1975)


def _report(case_id: str, year: int, month: int, *, km: float = 12.5, fee: int = 147_000) -> ApprovedReport:
    return ApprovedReport(case_id=case_id, assignment_id="as-1", contact_person=PERSON, kind="monthly",
                          year=year, month=month, km=km, fee_ore=fee, allowance_ore=49_000, terms_year=2025,
                          approved_at=datetime(2026, 2, 3, 10, tzinfo=timezone.utc))


def test_given_no_reports_when_a_month_is_read_then_none(store):
    assert store.reports(*unique_month()) == []


def test_a_months_reports_come_back_whole_by_case_id_once_each(store):
    year, month = unique_month()
    b, a = sorted((f"case-{uuid.uuid4().hex}", f"case-{uuid.uuid4().hex}"), reverse=True)
    first_b = _report(b, year, month)
    store.put_report(first_b)
    store.put_report(_report(a, year, month, km=0.3))
    store.put_report(first_b)
    assert store.reports(year, month) == [_report(a, year, month, km=0.3), first_b]


def test_a_report_stored_again_replaces_the_one_of_its_case_and_month(store):
    year, month = unique_month()
    case = f"case-{uuid.uuid4().hex}"
    store.put_report(_report(case, year, month, fee=100_000))
    again = _report(case, year, month, fee=120_000)
    store.put_report(again)
    assert store.reports(year, month) == [again]


def test_a_report_belongs_to_the_month_it_reports(store):
    year, month = unique_month()
    case = f"case-{uuid.uuid4().hex}"
    later = (year, month + 1) if month < 12 else (year + 1, 1)
    this, next_one = _report(case, year, month), _report(case, *later)
    store.put_report(this)
    store.put_report(next_one)
    assert store.reports(year, month) == [this] and store.reports(*later) == [next_one]
