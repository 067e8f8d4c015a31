"""The month totals port: each part read as stored (or empty at version 0), written only at the
version it was read at; a client's part is one of ``acc_shards``; the adapter and the fake alike."""
from __future__ import annotations

import pytest

from services.domain.errors import Conflict
from services.reports.domain.totals import Accumulator, bring

from .reports_ports import a_client, a_month, a_result, store  # noqa: F401


def test_a_clients_part_is_one_of_the_months_parts_and_always_the_same(store):
    for client in (a_client() for _ in range(20)):
        assert 0 <= store.accumulator_of(client) < store.acc_shards
        assert store.accumulator_of(client) == store.accumulator_of(client)


def test_parts_not_stored_are_read_empty_at_version_0(store):
    month = a_month()
    keys = [(month, part) for part in range(store.acc_shards)]
    assert store.accumulators(keys) == {key: Accumulator(*key) for key in keys}


def test_a_saved_part_is_read_back_with_its_totals_versions_and_marks(store):
    month, client = a_month(), a_client()
    key = (month, store.accumulator_of(client))
    acc = store.accumulators([key])[key]
    result = a_result()
    bring(acc, client, 1, {0: None, 1: result})
    store.save_accumulator(acc)
    assert acc.version == 1
    assert store.accumulators([key]) == {key: acc}
    acc.dirty = True
    store.save_accumulator(acc)
    read = store.accumulators([key])[key]
    assert (read.providers, read.versions, read.latest, read.dirty, read.version) == (
        acc.providers, {client: 1}, result["touched_at"], True, 2)


def test_a_part_written_meanwhile_is_a_conflict_and_stays_as_the_other_writer_left_it(store):
    month, client = a_month(), a_client()
    key = (month, store.accumulator_of(client))
    store.save_accumulator(Accumulator(*key))
    mine, theirs = store.accumulators([key])[key], store.accumulators([key])[key]
    bring(theirs, client, 1, {0: None, 1: a_result(seed=8)})
    store.save_accumulator(theirs)
    bring(mine, client, 1, {0: None, 1: a_result(seed=9)})
    with pytest.raises(Conflict):
        store.save_accumulator(mine)
    assert mine.version == 1
    with pytest.raises(Conflict):
        store.save_accumulator(Accumulator(*key))  # a new part over a stored one
    assert store.accumulators([key])[key] == theirs
