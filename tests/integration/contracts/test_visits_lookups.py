"""The ingest lookups port: what a batch of events needs, read at once (devices found, which
senders are registered staff, each client's decisions, the client-days); the adapter and the fake
alike."""
from __future__ import annotations

from datetime import date, timedelta

from services.visits.domain.days import DayKey
from services.visits.domain.model import Device
from tests.support.people import new_pnr

from .visits_ports import NOW, a_day, a_provider, a_visit, ports  # noqa: F401


def test_a_batch_reads_its_devices_staff_decisions_and_days_at_once(ports):
    # GIVEN a provider with one registered staff member, one tag, one client with a decision, one day
    provider, client, bare = a_provider(), new_pnr(1939), new_pnr(1939)
    ports.staff.add_staff(provider, "anna")
    tag = Device(device_id=f"TAG-{provider}", kind="nfc", provider_id=provider, client=client, status="bound",
                 ordered_at=NOW, bound_at=NOW)
    ports.devices.put_device(tag)
    ports.grants.put_granted({"decision_id": "d-1", "client": client, "insats": "hemtjanst", "outcome": "granted",
                              "granted_minutes_per_month": 600, "valid_from": date(2026, 1, 1), "valid_to": None})
    key = a_day(provider, client)
    before = ports.days.load_day(key)
    day = before.copy()
    v = a_visit(day, NOW - timedelta(hours=2))
    day.visits[v.visit_id] = v
    ports.days.index_days([(before, day)])
    assert ports.days.save_day(day, [], NOW)
    empty = DayKey(provider, bare, key.day)
    # WHEN a batch asks for them and for what does not exist
    devices, staff, decisions, days = ports.lookups.lookups(
        [tag.device_id, "TAG-NONE"], [(provider, "anna"), (provider, "bo")], [client, bare], [key, empty, key])
    # THEN only what exists is found; every client and day asked has an answer
    assert devices == {tag.device_id: tag}
    assert staff == {(provider, "anna")}
    assert [d["decision_id"] for d in decisions[client]] == ["d-1"] and decisions[bare] == []
    assert decisions[client][0]["valid_from"] == "2026-01-01"
    assert days.keys() == {key, empty}
    assert days[key].visits == {v.visit_id: v} and days[key].version == 1
    assert days[empty].version == 0 and days[empty].visits == {}
