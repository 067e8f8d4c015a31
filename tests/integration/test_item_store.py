"""The generic store and its in-memory twin keep one contract: the unit tier's fakes behave
as the DynamoDB store does (found, missing, add twice, replace at a stale version, all or
nothing in one unit of work)."""
from __future__ import annotations

import uuid

import pytest
from pydantic import BaseModel

from services.adapters.store import ItemStore
from services.domain.errors import Conflict, NotFound
from tests.support.fakes.common import FakeUnitOfWork, InMemoryStore


class Thing(BaseModel):
    thing_id: str
    name: str
    version: int = 1


class ThingStore(ItemStore[Thing]):
    model = Thing
    entity = "test_thing"
    missing = "no such thing"

    def key(self, thing_id: str) -> dict[str, str]:
        return {"pk": f"TESTTHING#{thing_id}", "sk": "THING"}

    def ident(self, thing: Thing) -> tuple[str]:
        return (thing.thing_id,)


class FakeThings(InMemoryStore[Thing]):
    missing = "no such thing"

    def ident(self, thing: Thing) -> tuple[str]:
        return (thing.thing_id,)


def _store_and_uow(request, over_dynamodb, in_memory):
    """The DynamoDB store or its in-memory twin, with a matching unit-of-work factory."""
    if request.param == "memory":
        return in_memory(), FakeUnitOfWork
    request.getfixturevalue("aws")
    from services.adapters.dynamo import UnitOfWork
    from services.adapters.aws import table

    store = over_dynamodb(table("eservices"))
    return store, lambda: UnitOfWork(store.table, "test")


@pytest.fixture(params=["dynamodb", "memory"])
def store_and_uow(request):
    return _store_and_uow(request, ThingStore, FakeThings)


def test_a_missing_aggregate_is_none_to_find_and_not_found_to_get(store_and_uow):
    things, _ = store_and_uow
    assert things.find(str(uuid.uuid4())) is None
    with pytest.raises(NotFound, match="no such thing"):
        things.get(str(uuid.uuid4()))


def test_added_aggregate_reads_back_and_a_second_add_conflicts(store_and_uow):
    things, new_uow = store_and_uow
    thing = Thing(thing_id=str(uuid.uuid4()), name="Åsa")
    uow = new_uow()
    things.add(uow, thing)
    uow.commit()
    assert things.get(thing.thing_id) == thing
    uow = new_uow()
    things.add(uow, thing.model_copy(update={"name": "other"}))
    with pytest.raises(Conflict):
        uow.commit()
    assert things.get(thing.thing_id).name == "Åsa"


def test_replace_moves_the_version_on_and_a_stale_version_conflicts(store_and_uow):
    things, new_uow = store_and_uow
    thing = things.add_now(Thing(thing_id=str(uuid.uuid4()), name="v1"))
    uow = new_uow()
    saved = things.replace(uow, thing.model_copy(update={"name": "v2"}), expected_version=1)
    uow.commit()
    assert saved.version == 2 and things.get(thing.thing_id) == saved
    with pytest.raises(Conflict):
        things.replace_now(thing.model_copy(update={"name": "stale"}), expected_version=1)
    assert things.get(thing.thing_id).name == "v2"


def test_one_conflict_in_a_unit_of_work_stores_nothing_of_it(store_and_uow):
    things, new_uow = store_and_uow
    existing = things.add_now(Thing(thing_id=str(uuid.uuid4()), name="there"))
    fresh = Thing(thing_id=str(uuid.uuid4()), name="fresh")
    uow = new_uow()
    things.add(uow, fresh)
    things.replace(uow, existing, expected_version=7)
    with pytest.raises(Conflict):
        uow.commit()
    assert things.find(fresh.thing_id) is None


class Ticket(BaseModel):
    ticket_id: str
    status: str = "open"
    version: int = 1


class TicketStore(ItemStore[Ticket]):
    model = Ticket
    entity = "test_ticket"

    def key(self, ticket_id: str) -> dict[str, str]:
        return {"pk": f"TESTTICKET#{ticket_id}", "sk": "TICKET"}

    def ident(self, ticket: Ticket) -> tuple[str]:
        return (ticket.ticket_id,)


class FakeTickets(InMemoryStore[Ticket]):
    def ident(self, ticket: Ticket) -> tuple[str]:
        return (ticket.ticket_id,)


@pytest.fixture(params=["dynamodb", "memory"])
def tickets_and_uow(request):
    return _store_and_uow(request, TicketStore, FakeTickets)


def test_replace_only_if_an_attribute_still_holds(tickets_and_uow):
    """GIVEN a ticket closed at version 2 WHEN replaced at version 2 only if still open THEN conflict."""
    tickets, new_uow = tickets_and_uow
    ticket = tickets.add_now(Ticket(ticket_id=str(uuid.uuid4())))
    closed = tickets.replace_now(ticket.model_copy(update={"status": "closed"}), expected_version=1)
    with pytest.raises(Conflict):
        tickets.replace_now(closed.model_copy(update={"status": "done"}), expected_version=2,
                            only_if={"status": "open"})
    uow = new_uow()
    tickets.replace(uow, closed.model_copy(update={"status": "archived"}), expected_version=2,
                    only_if={"status": "closed"})
    uow.commit()
    assert tickets.get(ticket.ticket_id).status == "archived"


def test_put_overwrites_and_remove_needs_the_version(tickets_and_uow):
    tickets, _ = tickets_and_uow
    ticket = tickets.put_now(Ticket(ticket_id=str(uuid.uuid4())))
    tickets.put_now(ticket.model_copy(update={"status": "again"}))
    assert tickets.get(ticket.ticket_id).status == "again"
    with pytest.raises(Conflict):
        tickets.remove_now(ticket, expected_version=5)
    tickets.remove_now(ticket, expected_version=1)
    assert tickets.find(ticket.ticket_id) is None
