"""An in-memory reports store with the adapter's semantics: optimistic versions (Conflict on a
stale write), change markers read by range, the highest version per client winning."""
from __future__ import annotations

import copy
import json

from services.domain.errors import Conflict
from services.reports.domain import ClientMonth, parse_month
from services.reports.ports import Grants

SHARDS = 4


class FakeReportsStore:
    shards = SHARDS

    def __init__(self) -> None:
        self.cms: dict[tuple[str, str], tuple[str, int]] = {}
        self.grant_items: dict[str, Grants] = {}
        self.markers: dict[str, list[tuple[str, str, int, dict]]] = {}
        self.months: dict[str, str] = {}
        self.pub: dict[str, dict[str, dict]] = {}
        self.reports: dict[str, dict] = {}
        self.nights: set[str] = set()
        self.fail_next_save: set[tuple[str, str]] = set()  # conflicts to inject

    @staticmethod
    def shard(client: str) -> int:
        return int(client) % SHARDS

    def client_months(self, keys):
        out = {}
        for month, client in keys:
            year, mon = parse_month(month)
            text, ver = self.cms.get((month, client), (None, 0))
            out[(month, client)] = ClientMonth.loads(year, mon, client, text, ver)
        return out

    def save_client_month(self, cm):
        key = cm.key
        if key in self.fail_next_save:
            self.fail_next_save.discard(key)
            raise Conflict("injected")
        if self.cms.get(key, (None, 0))[1] != cm.version:
            raise Conflict("stale")
        cm.version += 1
        self.cms[key] = (cm.dumps(), cm.version)

    def client_months_in(self, month, shard):
        for (m, client), (text, ver) in sorted(self.cms.items()):
            if m == month and self.shard(client) == shard:
                year, mon = parse_month(m)
                yield ClientMonth.loads(year, mon, client, text, ver)

    def touch(self, touched, at):
        for result, version in touched:
            month = result["month"]
            self.markers.setdefault(month, []).append((at, result["client"], version, json.loads(json.dumps(result))))
            self.months[month] = max(self.months.get(month, ""), at)

    def touched_months(self):
        return dict(self.months)

    def touched_since(self, month, since):
        latest = {}
        for at, client, version, result in self.markers.get(month, []):
            if at > (since or "") and (client not in latest or (version, at) > latest[client][:2]):
                latest[client] = (version, at, result)
        return {c: copy.deepcopy(r) for c, (_, _, r) in latest.items()}

    def grants(self, clients):
        return {c: copy.deepcopy(self.grant_items.get(c)) or Grants(c) for c in clients}

    def save_grants(self, grants):
        if self.grant_items.get(grants.client, Grants(grants.client)).version != grants.version:
            raise Conflict("stale")
        grants.version += 1
        self.grant_items[grants.client] = copy.deepcopy(grants)

    def published(self, month):
        return copy.deepcopy(self.pub.get(month, {}))

    def publish(self, month, results, changed=None):
        self.pub[month] = json.loads(json.dumps(results))

    def save_report(self, report):
        self.reports[report["month"]] = json.loads(json.dumps(report))

    def report(self, month):
        return copy.deepcopy(self.reports.get(month))

    def claim_night(self, night):
        if night in self.nights:
            return False
        self.nights.add(night)
        return True

    def release_night(self, night):
        self.nights.discard(night)
