"""The grants port: the projection of published decisions (as the events carried them, in the
order they took effect; a redelivery sets the same value) and the months waiting for one; the
adapter and the fake alike."""
from __future__ import annotations

from datetime import date

from tests.support.people import new_pnr

from .visits_ports import a_provider, ports  # noqa: F401


def a_decision(client: str, decision_id: str, valid_from: date) -> dict:
    return {"decision_id": decision_id, "client": client, "insats": "hemtjanst", "outcome": "granted",
            "granted_minutes_per_month": 600, "valid_from": valid_from, "valid_to": None}


def test_decisions_come_back_as_the_events_carried_them_in_the_order_they_took_effect(ports):
    client = new_pnr(1938)
    assert ports.grants.decisions_of(client) == []
    later, earlier = a_decision(client, "d-2", date(2026, 6, 1)), a_decision(client, "d-1", date(2026, 1, 1))
    for d in (later, earlier, later):  # the later one redelivered
        ports.grants.put_granted(d)
    found = ports.grants.decisions_of(client)
    assert [d["decision_id"] for d in found] == ["d-1", "d-2"]
    assert found[0]["valid_from"] == "2026-01-01" and found[0]["granted_minutes_per_month"] == 600


def test_months_waiting_for_a_decision_are_marked_listed_and_stopped(ports):
    client, provider = new_pnr(1938), a_provider()
    ports.grants.put_waiting([(client, provider, (2026, 11)), (client, provider, (2026, 10)),
                              (client, provider, (2026, 11))])
    assert ports.grants.waiting_months(client) == [(provider, 2026, 10), (provider, 2026, 11)]
    ports.grants.stop_waiting(client, provider, 2026, 10)
    assert ports.grants.waiting_months(client) == [(provider, 2026, 11)]
    assert ports.grants.waiting_months(new_pnr(1938)) == []


def test_a_case_workers_clients_are_those_whose_decisions_name_them_once_each(ports):
    # GIVEN two clients decided by one case worker (one decision redelivered), one by another, one naming none
    cw, other = f"cw-{new_pnr(1970)}", f"cw-{new_pnr(1971)}"
    first, second, theirs, nobodys = (new_pnr(1938) for _ in range(4))
    for client, decided_by, decision_id in ((first, cw, "d-1"), (first, cw, "d-1"), (second, cw, "d-2"),
                                             (theirs, other, "d-3"), (nobodys, None, "d-4")):
        ports.grants.put_granted({**a_decision(client, decision_id, date(2026, 1, 1)), "case_worker_id": decided_by})
    # THEN each case worker's clients come back once each, and nobody else's
    assert ports.grants.clients_of_case_worker(cw) == sorted([first, second])
    assert ports.grants.clients_of_case_worker(other) == [theirs]
    assert ports.grants.clients_of_case_worker(f"cw-{new_pnr(1972)}") == []
