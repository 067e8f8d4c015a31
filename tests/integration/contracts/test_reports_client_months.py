"""The client-months port: a client-month read as stored (or empty at version 0), written only at
the version it was read at, and listed part by part in client order; the adapter and the fake alike."""
from __future__ import annotations

import pytest

from services.domain.errors import Conflict

from .reports_ports import a_client, a_client_month, a_month, a_result, store  # noqa: F401


def test_a_client_month_not_stored_is_read_empty_at_version_0(store):
    month, client = a_month(), a_client()
    cm = store.client_months([(month, client)])[(month, client)]
    assert (cm.key, cm.version, cm.empty, cm.result, cm.previous) == ((month, client), 0, True, None, None)


def test_a_saved_client_month_is_read_back_with_its_state_result_and_the_one_before(store):
    month = a_month()
    cm = a_client_month(month)
    first, second = a_result(seed=7), a_result(seed=8)
    store.save_client_month(cm, first)
    assert (cm.version, cm.result, cm.previous) == (1, first, None)
    store.save_client_month(cm, second)
    assert (cm.version, cm.result, cm.previous) == (2, second, first)
    read = store.client_months([cm.key])[cm.key]
    assert read.dumps() == cm.dumps()
    assert (read.version, read.result, read.previous) == (2, second, first)


def test_a_client_month_written_meanwhile_is_a_conflict_and_stays_as_the_other_writer_left_it(store):
    month = a_month()
    cm = a_client_month(month)
    store.save_client_month(cm, a_result(seed=7))
    mine, theirs = (store.client_months([cm.key])[cm.key] for _ in range(2))
    store.save_client_month(theirs, a_result(seed=8))
    with pytest.raises(Conflict):
        store.save_client_month(mine, a_result(seed=9))
    assert mine.version == 1  # nothing moved on a refused write
    # a new client-month (version 0) over a stored one is refused too
    with pytest.raises(Conflict):
        store.save_client_month(a_client_month(month, cm.client), a_result(seed=9))
    read = store.client_months([cm.key])[cm.key]
    assert (read.version, read.result) == (2, a_result(seed=8))


def test_a_months_client_months_are_listed_once_part_by_part_in_client_order(store):
    month, other_month = a_month(), a_month()
    clients = sorted(a_client() for _ in range(6))
    for client in clients:
        store.save_client_month(a_client_month(month, client), a_result())
    store.save_client_month(a_client_month(other_month, clients[0]), a_result())
    parts = [[cm.client for cm in store.client_months_in(month, shard)] for shard in range(store.shards)]
    for part in parts:
        assert part == sorted(part)
    assert sorted(c for part in parts for c in part) == clients
    read = next(cm for part in range(store.shards) for cm in store.client_months_in(month, part))
    assert (read.version, read.result, read.key[0]) == (1, a_result(), month)


def test_the_states_of_named_clients_are_read_without_their_results_and_a_client_without_one_is_left_out(store):
    month = a_month()
    cm = a_client_month(month)
    store.save_client_month(cm, a_result(seed=7))
    store.save_client_month(cm, a_result(seed=8))
    nobody = a_client()
    read = store.client_month_states(month, [cm.client, nobody])
    assert sorted(read) == [cm.client]
    got = read[cm.client]
    assert got.dumps() == cm.dumps() and got.visits  # every visit, as the consumer keeps it
    assert (got.key, got.version, got.result, got.previous) == (cm.key, 2, None, None)
    assert store.client_month_states(a_month(), [cm.client]) == {}  # another month's: none
