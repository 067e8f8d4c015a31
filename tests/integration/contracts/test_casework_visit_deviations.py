"""The projection of ``visit.changed``: the DynamoDB adapter on moto and the in-memory fake keep one
contract — per client, visit and month the count of the highest version stands (a conditional
write: an equal or older version is not kept), and counting reads only the months asked for."""
from __future__ import annotations

import uuid

from services.eservices.casework.domain.visit_deviations import VisitDeviationCount
from tests.support.people import new_pnr

from .casework_ports import ports  # noqa: F401


def count(client: str, version: int, pending: int, *, visit_id: str = "v-1", month=(2026, 3)) -> VisitDeviationCount:
    return VisitDeviationCount(client=client, visit_id=visit_id, year=month[0], month=month[1], version=version,
                               pending=pending)


def test_nothing_waits_for_a_client_nothing_was_heard_of(ports):
    assert ports.repos.visit_deviations.pending(new_pnr(), [(2026, 2), (2026, 3)]) == 0


def test_the_highest_version_of_a_visits_month_stands(ports):
    counts, client = ports.repos.visit_deviations, new_pnr()
    assert counts.record(count(client, 2, 1))
    assert not counts.record(count(client, 2, 5))  # the same version again (a redelivery): not kept
    assert not counts.record(count(client, 1, 3))  # an older one, late: not kept
    assert counts.pending(client, [(2026, 3)]) == 1
    assert counts.record(count(client, 3, 0))  # decided, or the visit deleted
    assert counts.pending(client, [(2026, 3)]) == 0


def test_visits_months_and_clients_count_on_their_own(ports):
    counts, me, other = ports.repos.visit_deviations, new_pnr(), new_pnr()
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    counts.record(count(me, 1, 1, visit_id=a))
    counts.record(count(me, 9, 2, visit_id=b))
    counts.record(count(me, 1, 4, visit_id=a, month=(2026, 2)))  # the same visit id in another month
    counts.record(count(me, 1, 8, visit_id=a, month=(2025, 12)))
    counts.record(count(other, 5, 1, visit_id=a))
    assert counts.pending(me, [(2026, 3)]) == 3
    assert counts.pending(me, [(2026, 2), (2026, 3)]) == 7
    assert counts.pending(me, []) == 0
    assert counts.pending(other, [(2026, 3)]) == 1
