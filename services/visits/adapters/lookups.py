"""What a batch of staff-app events needs — its devices, which senders are registered staff, the
clients' decisions and the client-days — in the same batched reads (one ``BatchGetItem`` per hundred
keys, across the aggregates' items)."""
from __future__ import annotations

from typing import Any, Iterable

from ..domain.days import ClientDay, DayKey
from ..domain.model import Device
from .batches import batch_get
from .client_days import day_from, day_key, day_pk
from .devices import device_from, device_key
from .grants import decisions_from, decisions_key
from .staff import staff_key


class DynamoIngestLookups:
    def __init__(self, table: Any) -> None:
        self.table = table

    def lookups(self, devices: Iterable[str], staff: Iterable[tuple[str, str]], clients: Iterable[str],
                days: Iterable[DayKey] = ()) -> tuple[dict[str, Device], set[tuple[str, str]],
                                                      dict[str, list[dict[str, Any]]], dict[DayKey, ClientDay]]:
        """The devices, which (provider, user) are registered staff, each client's decisions and the
        client-days — all in the same batched reads."""
        devices, staff, clients, days = list(devices), list(staff), list(clients), list(dict.fromkeys(days))
        keys = ([device_key(d) for d in devices] + [staff_key(p, u) for p, u in staff]
                + [decisions_key(c) for c in clients] + [day_key(k) for k in days])
        found = batch_get(self.table, keys)

        def item(key: dict[str, str]) -> dict | None:
            return found.get((key["pk"], key["sk"]))

        got_days = {k: day_from(k, found.get((day_pk(k), "DAY"))) for k in days}
        got_devices = {d: device_from(i) for d in devices if (i := item(device_key(d))) is not None}
        got_staff = {(p, u) for p, u in staff if item(staff_key(p, u)) is not None}
        decisions = {c: decisions_from(item(decisions_key(c))) for c in clients}
        return got_devices, got_staff, decisions, got_days
