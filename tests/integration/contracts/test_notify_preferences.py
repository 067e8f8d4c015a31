"""Notify's preferences port: the in-memory fake and the DynamoDB adapter on the moto server keep
one contract — the newest change wins, each preferences name apart, providers listed."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.contracts.events import Recipient
from services.notify.domain.preferences import ContactPreferences
from tests.support.fakes.notify import FakePreferences
from tests.support.people import new_pnr

AT = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "dynamodb"])
def preferences(request):
    if request.param == "memory":
        return FakePreferences()
    request.getfixturevalue("aws")
    from services.notify.adapters.dynamo import DynamoPreferences, notify_table

    return DynamoPreferences(notify_table())


def _person() -> Recipient:
    return Recipient(kind="person", ref=new_pnr())


def test_kept_preferences_are_found_as_they_were_given(preferences):
    me = _person()
    assert preferences.find(me, "profile") is None
    mine = ContactPreferences(email="a@example.se", phone="+46707654321", email_on=True, sms_on=False, changed_at=AT)
    assert preferences.keep(me, "profile", mine) is True
    assert preferences.find(me, "profile") == mine
    # AND a name with nothing kept under it is still nothing
    assert preferences.find(me, "alerts") is None


def test_the_newest_change_wins_and_an_older_one_arriving_late_changes_nothing(preferences):
    me = _person()
    first = ContactPreferences(phone="+46707654321", sms_on=True, changed_at=AT)
    newer = ContactPreferences(phone="+46739998877", sms_on=True, changed_at=AT + timedelta(hours=1))
    older = ContactPreferences(phone="+46730000000", sms_on=True, changed_at=AT - timedelta(days=5))
    preferences.keep(me, "alerts", first)
    assert preferences.keep(me, "alerts", newer) is True
    assert preferences.keep(me, "alerts", older) is False
    assert preferences.find(me, "alerts") == newer
    # AND a change at the same moment is kept (a redelivered event)
    again = ContactPreferences(phone="+46739998877", sms_on=False, changed_at=newer.changed_at)
    assert preferences.keep(me, "alerts", again) is True
    assert preferences.find(me, "alerts") == again
    # AND the other preferences name is untouched
    assert preferences.find(me, "profile") is None


def test_providers_with_preferences_are_listed_and_people_are_not(preferences):
    provider, person = Recipient(kind="provider", ref=f"prov-{uuid.uuid4().hex[:8]}"), _person()
    assert provider not in preferences.providers()
    preferences.keep(provider, "profile", ContactPreferences(email="rapport@a.example", email_on=True, changed_at=AT))
    preferences.keep(person, "profile", ContactPreferences(email="a@example.se", email_on=True, changed_at=AT))
    listed = preferences.providers()
    assert provider in listed and all(r.kind == "provider" for r in listed)
