"""Billing's ``ClientMonthStore`` port: the fake and the DynamoDB adapter answer alike."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from services.billing.domain.model import ClientMonth, VisitFacts
from services.domain.errors import Conflict
from tests.integration.contracts.billing_stores import new_provider, store, unique_month  # noqa: F401 - fixture
from tests.support.people import new_pnr
from tests.unit.billing.support import absence, visit

STOCKHOLM_SUMMER = timezone(timedelta(hours=2))


def _month(provider: str, client: str, year: int = 2026, month: int = 3, **parts) -> ClientMonth:
    return ClientMonth(provider_id=provider, client=client, year=year, month=month, **parts)


def test_given_nothing_stored_when_a_client_month_is_read_then_it_is_empty_at_revision_0(store):
    provider, client = new_provider(), new_pnr(1940)
    assert store.client_month(provider, client, 2026, 3) == (_month(provider, client), 0)
    assert store.month(provider, 2026, 3) == []


def test_given_a_saved_client_month_when_read_then_its_visits_and_absences_come_back_at_revision_1(store):
    provider, client = new_provider(), new_pnr(1940)
    started = datetime(2026, 3, 2, 9, 15, 30, 250_000, tzinfo=STOCKHOLM_SUMMER)
    visits = (visit(1, 60), visit(2, 45, over="pending", attested="awaiting_decision"),
              visit(3, 0, counted=False, attested="unapproved"))
    visits += (VisitFacts(visit_id="v0004", version=7, started_at=started, minutes=30, deleted=True, counted=False),)
    cm = _month(provider, client, visits=visits, absences=(absence(date(2026, 3, 10), kind="terminated"),
                                                           absence(date(2026, 3, 20), absence_id="a2")))
    store.save_client_month(cm, 0)
    got, rev = store.client_month(provider, client, 2026, 3)
    assert rev == 1
    assert got.absences == cm.absences and got.visits[:3] == cm.visits[:3]
    # a visit's start is kept to the second, in UTC
    assert got.visits[3].started_at == datetime(2026, 3, 2, 7, 15, 30, tzinfo=timezone.utc)
    assert got.visits[3].started_at.utcoffset() == timedelta(0)
    assert (got.visits[3].version, got.visits[3].deleted, got.visits[3].counted) == (7, True, False)


def test_given_a_stale_revision_when_saved_then_conflict_and_the_stored_month_stands(store):
    provider, client = new_provider(), new_pnr(1940)
    first = _month(provider, client, visits=(visit(1, 60),))
    store.save_client_month(first, 0)
    with pytest.raises(Conflict):
        store.save_client_month(_month(provider, client, visits=(visit(2, 30),)), 0)
    store.save_client_month(_month(provider, client, visits=(visit(1, 60), visit(2, 30))), 1)
    with pytest.raises(Conflict):
        store.save_client_month(first, 1)
    got, rev = store.client_month(provider, client, 2026, 3)
    assert rev == 2 and [v.visit_id for v in got.visits] == ["v0001", "v0002"]


def test_a_providers_month_is_its_client_months_by_client_and_nothing_else(store):
    provider, other = new_provider(), new_provider()
    clients = sorted(new_pnr(1940 + i) for i in range(3))
    for client in reversed(clients):
        store.save_client_month(_month(provider, client, visits=(visit(1, 10),)), 0)
    store.save_client_month(_month(provider, clients[0], month=4), 0)
    store.save_client_month(_month(other, clients[0]), 0)
    assert [cm.client for cm in store.month(provider, 2026, 3)] == clients
    assert all(cm.provider_id == provider and (cm.year, cm.month) == (2026, 3) for cm in store.month(provider, 2026, 3))


def test_the_providers_of_a_month_are_those_with_anything_stored_sorted(store):
    year, month = unique_month()
    b, a = sorted((new_provider(), new_provider()), reverse=True)
    store.save_client_month(_month(b, new_pnr(1940), year, month), 0)
    store.save_client_month(_month(a, new_pnr(1941), year, month), 0)
    store.save_client_month(_month(a, new_pnr(1942), year, month), 0)
    assert store.providers(year, month) == [a, b]
    assert store.providers(*unique_month()) == []
