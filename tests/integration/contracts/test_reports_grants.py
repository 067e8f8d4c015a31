"""The grants port: a client's decisions and months read as stored (or empty at version 0), written
only at the version they were read at, months kept in order; the adapter and the fake alike."""
from __future__ import annotations

import pytest

from services.domain.errors import Conflict
from services.reports.domain.grants import Grants

from .reports_ports import a_client, store  # noqa: F401

ENTRY = ["hemtjanst", 600, "2026-10-01", None, "prov-kommunal", "2026-09-20T10:00:00+00:00#d1", "cw-1"]


def test_grants_not_stored_are_read_empty_at_version_0_for_each_client_asked(store):
    a, b = a_client(), a_client()
    assert store.grants([a, b]) == {a: Grants(a), b: Grants(b)}


def test_saved_grants_are_read_back_with_their_months_in_order(store):
    client = a_client()
    grants = store.grants([client])[client]
    grants.decisions["d1"] = [ENTRY]
    grants.months += ["2026-11", "2026-10"]
    store.save_grants(grants)
    assert grants.version == 1
    read = store.grants([client])[client]
    assert read == Grants(client, {"d1": [ENTRY]}, ["2026-10", "2026-11"], 1)
    assert read.entries == [ENTRY]


def test_grants_written_meanwhile_are_a_conflict_and_stay_as_the_other_writer_left_them(store):
    client = a_client()
    store.save_grants(Grants(client, {"d1": [ENTRY]}, ["2026-10"]))
    mine, theirs = store.grants([client])[client], store.grants([client])[client]
    theirs.months.append("2026-11")
    store.save_grants(theirs)
    mine.decisions["d2"] = [ENTRY]
    with pytest.raises(Conflict):
        store.save_grants(mine)
    with pytest.raises(Conflict):
        store.save_grants(Grants(client))  # new grants over stored ones
    assert store.grants([client])[client] == Grants(client, {"d1": [ENTRY]}, ["2026-10", "2026-11"], 2)
