"""The stored contact details the one-off repair reads: the in-memory fake and the DynamoDB adapter
on the moto server keep one contract — profiles and messaging settings (nothing else) as raw items,
whose person they are, and a write back only if the watched attributes are unchanged."""
from __future__ import annotations

import pytest

from services.domain.errors import Conflict
from tests.support.fakes.common import FakeUnitOfWork
from tests.support.fakes.eservices import FakeContacts
from tests.support.people import new_pnr

WATCHED = ("mobile", "email", "notify_sms", "notify_email")


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    """(the stored contacts, a factory of units of work, a way to store a raw item)."""
    if request.param == "memory":
        contacts = FakeContacts()
        return (contacts, lambda: FakeUnitOfWork(source="eservices"),
                lambda item: contacts.items.__setitem__((item["pk"], item["sk"]), dict(item)))
    request.getfixturevalue("aws")
    from services.eservices.adapters.people import DynamoStoredContacts
    from services.eservices.adapters.table import eservices_table, units_of_work

    table = eservices_table()
    return DynamoStoredContacts(table), units_of_work(table, "eservices"), lambda item: table.put_item(Item=item)


def _profile(pnr: str, mobile: str | None = "070-765 43 21") -> dict:
    return {"pk": f"PERSON#{pnr}", "sk": "PROFILE", "mobile": mobile, "email": None, "notify_sms": True,
            "notify_email": False, "updated_at": "2026-01-01T00:00:00+00:00"}


def _mine(contacts, pnr: str) -> list[dict]:
    return sorted((i for i in contacts.all() if i["pk"] == f"PERSON#{pnr}"), key=lambda i: i["sk"])


def test_profiles_and_messaging_settings_are_read_as_stored_and_nothing_else(store):
    contacts, _, stored = store
    pnr = new_pnr()
    profile = _profile(pnr)
    messaging = {"pk": f"PERSON#{pnr}", "sk": "MESSAGING", "phone1": "0701234567", "phone2": None,
                 "sms_alert": True, "sms_phone": 1, "email": None, "email_alert": False}
    for item in (profile, messaging, {"pk": f"PERSON#{pnr}", "sk": "DRAFT#d1", "mobile": "0701234567"}):
        stored(item)
    assert _mine(contacts, pnr) == [messaging, profile]
    assert {contacts.person_of(i) for i in _mine(contacts, pnr)} == {pnr}


def test_an_item_is_written_back_only_if_its_watched_attributes_are_unchanged(store):
    contacts, unit_of_work, stored = store
    pnr = new_pnr()
    old = _profile(pnr)
    stored(old)
    repaired = {**old, "mobile": "+46707654321"}
    uow = unit_of_work()
    contacts.replace_if_unchanged(uow, old, repaired, WATCHED)
    uow.commit()
    assert _mine(contacts, pnr) == [repaired]
    # AND a repair of what was read before loses to the change made meanwhile
    uow = unit_of_work()
    contacts.replace_if_unchanged(uow, old, {**old, "mobile": None}, WATCHED)
    with pytest.raises(Conflict):
        uow.commit()
    assert _mine(contacts, pnr) == [repaired]


def test_an_item_removed_meanwhile_is_not_written_back(store):
    contacts, unit_of_work, _ = store
    gone = _profile(new_pnr(), mobile=None)
    uow = unit_of_work()
    contacts.replace_if_unchanged(uow, {**gone, "email": None, "notify_sms": None, "notify_email": None}, gone,
                                  WATCHED)
    with pytest.raises(Conflict):
        uow.commit()
    assert _mine(contacts, contacts.person_of(gone)) == []
