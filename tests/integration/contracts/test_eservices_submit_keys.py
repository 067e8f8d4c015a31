"""The submits' Idempotency-Keys: the in-memory fake and the DynamoDB adapter on the moto server
keep one contract — an unused key is nothing, a used one names its draft, a key used twice loses."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from services.domain.errors import Conflict
from tests.support.fakes.common import FakeUnitOfWork
from tests.support.fakes.eservices import FakeSubmitKeys
from tests.support.people import new_pnr

AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    """(the submit keys, a factory of units of work)."""
    if request.param == "memory":
        return FakeSubmitKeys(), lambda: FakeUnitOfWork(source="eservices")
    request.getfixturevalue("aws")
    from services.eservices.adapters.drafts import DynamoSubmitKeys
    from services.eservices.adapters.table import eservices_table, units_of_work

    table = eservices_table()
    return DynamoSubmitKeys(table), units_of_work(table, "eservices")


def _use(store, owner: str, key: str, draft_id: str) -> None:
    keys, unit_of_work = store
    uow = unit_of_work()
    keys.add(uow, owner, key, draft_id, "case-1", AT)
    uow.commit()


def test_an_unused_key_is_nothing_and_a_used_one_names_its_draft(store):
    keys, _ = store
    owner, key = new_pnr(), str(uuid.uuid4())
    assert keys.draft_of(owner, key) is None
    _use(store, owner, key, "draft-1")
    assert keys.draft_of(owner, key) == "draft-1"
    # AND the same key is another person's own
    assert keys.draft_of(new_pnr(), key) is None


def test_a_key_used_twice_loses_and_keeps_its_first_draft(store):
    keys, _ = store
    owner, key = new_pnr(), str(uuid.uuid4())
    _use(store, owner, key, "draft-1")
    with pytest.raises(Conflict):
        _use(store, owner, key, "draft-2")
    assert keys.draft_of(owner, key) == "draft-1"
    # AND another person may use the same key
    other = new_pnr()
    _use(store, other, key, "draft-3")
    assert keys.draft_of(other, key) == "draft-3"
