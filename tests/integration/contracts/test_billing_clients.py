"""Billing's ``ClientStore`` port: the fake and the DynamoDB adapter answer alike."""
from __future__ import annotations

from datetime import date

import pytest

from services.billing.domain.model import ClientProfile, ClientRecord
from services.domain.errors import Conflict
from tests.integration.contracts.billing_stores import store  # noqa: F401 - the fixture
from tests.support.people import new_pnr
from tests.unit.billing.support import grant


def _record(client: str) -> ClientRecord:
    return ClientRecord(client=client, grants=(grant(900, date(2026, 1, 1), decision_id="d-2"),
                                               grant(1200, date(2026, 2, 1), decision_id="d-1", outcome="refused")),
                        terminations=("t-1",), profile=ClientProfile(area="rural", mismanaged_terminations=("t-1",)),
                        social_psychiatry_decided=True)


def test_given_nothing_stored_when_a_client_is_read_then_an_empty_record_at_revision_0(store):
    client = new_pnr(1940)
    assert store.client(client) == ClientRecord(client=client, rev=0)


def test_given_a_saved_record_when_read_then_all_of_it_comes_back_grants_by_decision_id(store):
    client = new_pnr(1940)
    record = _record(client)
    store.save_client(record, 0)
    got = store.client(client)
    assert got.rev == 1
    assert [g.decision_id for g in got.grants] == ["d-1", "d-2"]
    assert got.model_copy(update={"rev": 0, "grants": record.grants}) == record
    assert sorted(got.grants, key=lambda g: g.decision_id) == sorted(record.grants, key=lambda g: g.decision_id)


def test_given_a_stale_revision_when_saved_then_conflict_and_the_stored_record_stands(store):
    client = new_pnr(1940)
    store.save_client(_record(client), 0)
    with pytest.raises(Conflict):
        store.save_client(ClientRecord(client=client), 0)
    with pytest.raises(Conflict):
        store.save_client(ClientRecord(client=client), 2)
    store.save_client(store.client(client).model_copy(update={"terminations": ("t-1", "t-2")}), 1)
    assert (store.client(client).rev, store.client(client).terminations) == (2, ("t-1", "t-2"))


def test_clients_answers_every_client_asked_once_stored_or_not_past_one_batch(store):
    stored = [new_pnr(1940) for _ in range(101)]
    for client in stored:
        store.save_client(ClientRecord(client=client, terminations=(f"t-{client}",)), 0)
    unknown = new_pnr(1950)
    got = store.clients(stored + [unknown, stored[0]])
    assert set(got) == {*stored, unknown}
    assert all(got[c].terminations == (f"t-{c}",) and got[c].rev == 1 for c in stored)
    assert got[unknown] == ClientRecord(client=unknown)


def test_set_profile_keeps_the_rest_of_the_record_and_moves_its_revision(store):
    client = new_pnr(1940)
    store.save_client(_record(client), 0)
    profile = ClientProfile(area="island", social_psychiatry=True)
    returned = store.set_profile(client, profile)
    got = store.client(client)
    assert returned == got
    assert (got.profile, got.rev, got.terminations, len(got.grants)) == (profile, 2, ("t-1",), 2)
    unknown = new_pnr(1950)
    assert store.set_profile(unknown, profile) == store.client(unknown) == ClientRecord(client=unknown, profile=profile,
                                                                                           rev=1)


def test_the_classifications_history_comes_back_whole_and_a_stale_change_is_refused(store):
    """GIVEN a record WHEN two changes of the classification are saved, each conditioned on the
    revision read THEN both come back in their order with who, when, from when and why; a change
    written on a stale revision is a Conflict and the history stands."""
    from datetime import datetime, timezone

    from services.billing.domain.model import ProfileChange, profile_in_force, with_profile_change

    client = new_pnr(1940)
    store.save_client(_record(client), 0)
    first = ProfileChange(profile=ClientProfile(area="island"), applies_from=date(2026, 3, 1),
                          changed_at=datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc), changed_by="fia",
                          changed_by_name="Fia Ekström", reason="Bor på Ornö")
    record = store.client(client)
    store.save_client(with_profile_change(record, first), record.rev)
    second = first.model_copy(update={"profile": ClientProfile(), "applies_from": date(2026, 9, 1),
                                      "reason": "Flyttat till tätort"})
    stale = record
    record = store.client(client)
    store.save_client(with_profile_change(record, second), record.rev)
    with pytest.raises(Conflict):
        store.save_client(with_profile_change(stale, second), stale.rev)
    got = store.client(client)
    # the classification kept before the history began is its first entry
    assert [c.reason for c in got.profile_history] == ["Klassificering från före historiken", "Bor på Ornö",
                                                       "Flyttat till tätort"]
    assert got.profile_history[1] == first and got.rev == 3
    assert [profile_in_force(got, 2026, m).area for m in (2, 3, 8, 9)] == ["rural", "island", "island", "standard"]
