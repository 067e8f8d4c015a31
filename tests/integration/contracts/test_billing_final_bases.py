"""Billing's ``FinalStore`` port: the fake and the DynamoDB adapter answer alike."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from services.billing.domain import basis as rules
from services.billing.domain.basis import FinalBasis, UnverifiedConfirmation
from services.domain.errors import Conflict
from tests.integration.contracts.billing_stores import new_provider, store  # noqa: F401 - the fixture
from tests.support.people import new_pnr
from tests.unit.billing.support import HANINGE_2026, client_month, grant, visit

AT = datetime(2026, 4, 8, 9, tzinfo=timezone.utc)


def _final(provider: str, version: int, minutes: int) -> FinalBasis:
    client = new_pnr(1940)
    cm = client_month(client, [visit(1, minutes), visit(2, 30, attested="unapproved")]).model_copy(
        update={"provider_id": provider})
    basis = rules.compute(provider, 2026, 3, [cm], {client: (grant(3040, date(2026, 1, 1)),)}, {}, HANINGE_2026, [])
    confirmation = UnverifiedConfirmation(reason="godkänt av ekonomi", confirmed_by="ekonom", confirmed_at=AT,
                                          unapproved_visits=1, unapproved_minutes=30, awaiting_decision_visits=0,
                                          awaiting_decision_minutes=0)
    return FinalBasis(version=version, basis=basis, finalized_at=AT, finalized_by="ekonom",
                      corrects_version=version - 1 or None, unverified_confirmation=confirmation)


def test_given_no_final_version_when_read_then_none(store):
    provider = new_provider()
    assert store.latest_final(provider, 2026, 3) is None
    assert store.final(provider, 2026, 3, 1) is None


def test_given_a_first_version_when_read_then_it_comes_back_whole(store):
    provider = new_provider()
    first = _final(provider, 1, 60)
    store.add_final(first)
    assert store.latest_final(provider, 2026, 3) == first == store.final(provider, 2026, 3, 1)
    assert store.latest_final(provider, 2026, 4) is None and store.final(provider, 2026, 3, 2) is None


def test_a_version_is_added_only_as_the_next_one_and_never_replaced(store):
    provider = new_provider()
    first = _final(provider, 1, 60)
    store.add_final(first)
    for wrong in (_final(provider, 1, 90), _final(provider, 3, 90)):
        with pytest.raises(Conflict):
            store.add_final(wrong)
    second = _final(provider, 2, 90)
    store.add_final(second)
    assert store.latest_final(provider, 2026, 3) == second
    assert store.final(provider, 2026, 3, 1) == first
    with pytest.raises(Conflict):
        store.add_final(_final(provider, 2, 120))
    assert store.final(provider, 2026, 3, 2) == second
