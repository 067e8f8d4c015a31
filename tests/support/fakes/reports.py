"""The in-memory fake of reports' port ``ReportsStore`` with the adapter's semantics: optimistic
versions (Conflict on a stale write), summaries never replaced by a lower version, each version's
result kept. ``tests/integration/contracts/test_reports_store.py`` holds it to the DynamoDB adapter.

``Clock`` is here until ``tests/support/fakes/common.py`` (the shared fakes) lands; it has the shared
clock's interface (``now``/``at``, ``advance``), so it is replaced by an import."""
from __future__ import annotations

import copy
import json
from typing import Any

from services.domain.errors import Conflict
from services.reports.domain.client_month import ClientMonth, parse_month
from services.reports.domain.grants import Grants
from services.reports.domain.totals import Accumulator

SHARDS = 4
ACC_SHARDS = 2


def _copy(value):
    return json.loads(json.dumps(value))


class FakeReportsStore:
    shards = SHARDS
    acc_shards = ACC_SHARDS

    def __init__(self) -> None:
        self.cms: dict[tuple[str, str], tuple[str, int, dict | None, dict | None]] = {}
        self.grant_items: dict[str, Grants] = {}
        self.sums: dict[tuple[str, str], tuple[int, dict]] = {}
        self.records: dict[tuple[str, str, int], dict] = {}
        self.accs: dict[tuple[str, int], Accumulator] = {}
        self.months: dict[str, str] = {}
        self.reports: dict[str, dict] = {}
        self.nights: set[str] = set()
        self.fail_next_save: set[tuple[str, str]] = set()  # conflicts to inject
        self.fail_next_accumulator = 0  # conflicts to inject on the month's totals

    @staticmethod
    def shard(client: str) -> int:
        return int(client) % SHARDS

    def accumulator_of(self, client: str) -> int:
        return self.shard(client) % ACC_SHARDS

    def client_months(self, keys):
        out = {}
        for month, client in keys:
            year, mon = parse_month(month)
            text, ver, res, pres = self.cms.get((month, client), (None, 0, None, None))
            out[(month, client)] = ClientMonth.loads(year, mon, client, text, ver, _copy(res), _copy(pres))
        return out

    def client_month_states(self, month, clients):
        year, mon = parse_month(month)
        return {c: ClientMonth.loads(year, mon, c, self.cms[(month, c)][0], self.cms[(month, c)][1])
                for c in set(clients) if (month, c) in self.cms}

    def save_client_month(self, cm, result):
        key = cm.key
        if key in self.fail_next_save:
            self.fail_next_save.discard(key)
            raise Conflict("injected")
        if self.cms.get(key, (None, 0))[1] != cm.version:
            raise Conflict("stale")
        self.cms[key] = (cm.dumps(), cm.version + 1, _copy(result), _copy(cm.result))
        cm.version += 1
        cm.previous, cm.result = cm.result, result

    def save_summaries(self, summaries, at):
        for month, client, version, result in summaries:
            if self.sums.get((month, client), (0,))[0] < version:
                self.sums[(month, client)] = (version, _copy(result))
            self.records[(month, client, version)] = _copy(result)
            self.months[month] = at  # as the adapter: the last save's time

    def summaries_in(self, month, shard):
        for (m, client), (version, result) in sorted(self.sums.items()):
            if m == month and self.shard(client) == shard:
                yield client, version, _copy(result)

    def results_at(self, month, versions):
        # As the adapter: a version no longer kept gives the current summary; no summary, no row.
        out = {}
        for client, version in versions.items():
            if (month, client, version) in self.records:
                out[client] = _copy(self.records[(month, client, version)])
            elif (month, client) in self.sums:
                out[client] = _copy(self.sums[(month, client)][1])
        return out

    def client_months_in(self, month, shard):
        for (m, client), (text, ver, res, pres) in sorted(self.cms.items()):
            if m == month and self.shard(client) == shard:
                year, mon = parse_month(m)
                yield ClientMonth.loads(year, mon, client, text, ver, _copy(res), _copy(pres))

    def accumulators(self, keys):
        return {k: copy.deepcopy(self.accs.get(k)) or Accumulator(*k) for k in keys}

    def save_accumulator(self, acc):
        if self.fail_next_accumulator:
            self.fail_next_accumulator -= 1
            raise Conflict("injected")
        key = (acc.month, acc.shard)
        if self.accs.get(key, Accumulator(*key)).version != acc.version:
            raise Conflict("stale")
        acc.version += 1
        self.accs[key] = copy.deepcopy(acc)

    def touched_months(self):
        return dict(self.months)

    def grants(self, clients):
        return {c: copy.deepcopy(self.grant_items.get(c)) or Grants(c) for c in clients}

    def save_grants(self, grants):
        if self.grant_items.get(grants.client, Grants(grants.client)).version != grants.version:
            raise Conflict("stale")
        grants.version += 1
        kept = copy.deepcopy(grants)
        kept.months.sort()  # as the adapter keeps them
        self.grant_items[grants.client] = kept

    def save_report(self, report):
        self.reports[report["month"]] = _copy(report)

    def report(self, month):
        return copy.deepcopy(self.reports.get(month))

    def claim_night(self, night):
        if night in self.nights:
            return False
        self.nights.add(night)
        return True

    def release_night(self, night):
        self.nights.discard(night)

