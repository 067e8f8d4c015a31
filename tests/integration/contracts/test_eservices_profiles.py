"""A person's profile: the in-memory fake and the DynamoDB adapter on the moto server keep one
contract — nobody's profile is an empty one, the last profile written wins, at once or committed."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.eservices.domain.people import Profile
from tests.support.fakes.common import FakeUnitOfWork
from tests.support.fakes.eservices import FakeProfiles
from tests.support.people import new_pnr

AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    """(the profile repository, a factory of units of work)."""
    if request.param == "memory":
        return FakeProfiles(), lambda: FakeUnitOfWork(source="eservices")
    request.getfixturevalue("aws")
    from services.eservices.adapters.people import DynamoProfileRepository
    from services.eservices.adapters.table import eservices_table, units_of_work

    table = eservices_table()
    return DynamoProfileRepository(table), units_of_work(table, "eservices")


def test_a_person_without_a_profile_has_an_empty_one(store):
    profiles, _ = store
    assert profiles.get(new_pnr()) == Profile()


def test_a_profile_saved_in_a_unit_of_work_is_kept_once_committed_and_the_last_one_wins(store):
    profiles, unit_of_work = store
    me = new_pnr()
    first = Profile(email="kari@example.se", mobile="+46707654321", notify_email=True, notify_sms=True, updated_at=AT)
    uow = unit_of_work()
    profiles.save(uow, me, first)
    assert profiles.get(me) == Profile()  # staged, not yet stored
    uow.commit()
    assert profiles.get(me) == first
    second = Profile(email=None, mobile="+46739998877", notify_sms=True, updated_at=AT)
    profiles.put(me, second)
    assert profiles.get(me) == second
    # AND another person's profile is their own
    assert profiles.get(new_pnr()) == Profile()
