"""The reports table (DynamoDB): every key and expression of reports lives here.

Items (``<m>`` = yyyy-mm, ``<s>`` = the client's shard, 0–31, from a CRC of the personnummer):

- ``CM#<m>#<s>`` / ``<client>``: a client-month's state (visits, absences, open rejected events) as
  one compact JSON string, with ``ver`` for optimistic writes. A month is 32 partitions, read by a
  full rebuild with one paginated query each.
- ``TOUCHED#<m>`` / ``<at>#<id>``: the changes of one consumer batch for the next nightly build:
  the client-months' results as the consumer computed them, each with the ``ver`` it was computed
  from; read by range (no deletes: a build reads what came after the previous one, the highest
  ``ver`` per client; TTL).
- ``MONTHS`` / ``<m>``: the months with changes, and when last.
- ``GRANTS#<client>`` / ``GRANTS``: the client's decisions and months, with ``ver``.
- ``PUB#<m>`` / ``<part>``: the results the month's report was built from, zlib-compressed JSON in
  8 parts (a report reads 8 items, never the states).
- ``REPORT#<m>`` / ``SUMMARY``: the month's report; ``NIGHT`` / ``<date>``: the run-once records.

The low-level client is used on purpose: items are strings, not maps, so nothing is converted.
"""
from __future__ import annotations

import json
import time
import uuid
import zlib
from typing import Any, Iterator

from botocore.exceptions import ClientError

from ..adapters.dynamo import translated_errors
from ..domain.errors import Conflict
from .domain import ClientMonth, parse_month
from .ports import Grants

SHARDS = 32
PUBLISHED_PARTS = 8  # ~40 KB compressed each for 1,000 clients; far below the 400 KB an item holds
TOUCH_TTL_DAYS = 120


def shard_of(client: str) -> int:
    return zlib.crc32(client.encode()) % SHARDS


def _s(v: str) -> dict:
    return {"S": v}


def _n(v: int) -> dict:
    return {"N": str(v)}


class DynamoReportsStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self.db = client
        self.table = table_name

    # -- reading helpers ---------------------------------------------------------------------
    def _batch_get(self, keys: list[dict], projection: str | None = None) -> list[dict]:
        out: list[dict] = []
        for i in range(0, len(keys), 100):
            request: dict[str, Any] = {"Keys": keys[i:i + 100]}
            if projection:
                request["ProjectionExpression"] = projection
            pending = {self.table: request}
            while pending:
                with translated_errors():
                    got = self.db.batch_get_item(RequestItems=pending)
                out.extend(got["Responses"].get(self.table, []))
                pending = got.get("UnprocessedKeys") or {}
        return out

    def _query(self, pk: str, *, start: str | None = None, projection: str | None = None) -> Iterator[dict]:
        kwargs: dict[str, Any] = {"TableName": self.table, "KeyConditionExpression": "pk = :pk",
                                  "ExpressionAttributeValues": {":pk": _s(pk)}}
        if start is not None:
            kwargs["KeyConditionExpression"] += " AND sk > :start"
            kwargs["ExpressionAttributeValues"][":start"] = _s(start)
        if projection:
            kwargs["ProjectionExpression"] = projection
        while True:
            with translated_errors():
                page = self.db.query(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _batch_write(self, requests: list[dict]) -> None:
        for i in range(0, len(requests), 25):
            pending = {self.table: requests[i:i + 25]}
            while pending:
                with translated_errors():
                    pending = self.db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def _put(self, item: dict, condition: str, values: dict) -> None:
        extra = {"ExpressionAttributeValues": values} if values else {}
        try:
            self.db.put_item(TableName=self.table, Item=item, ConditionExpression=condition, **extra)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise Conflict("the client-month changed meanwhile") from None
            with translated_errors():
                raise

    # -- client-months -------------------------------------------------------------------------
    @staticmethod
    def _cm_key(month: str, client: str) -> dict:
        return {"pk": _s(f"CM#{month}#{shard_of(client)}"), "sk": _s(client)}

    @staticmethod
    def _cm_of(item: dict) -> ClientMonth:
        month = item["pk"]["S"].split("#")[1]
        year, mon = parse_month(month)
        return ClientMonth.loads(year, mon, item["sk"]["S"], item["state"]["S"], int(item["ver"]["N"]))

    def client_months(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], ClientMonth]:
        found = {(cm.key): cm for cm in map(self._cm_of, self._batch_get([self._cm_key(m, c) for m, c in set(keys)]))}
        out = {}
        for month, client in keys:
            year, mon = parse_month(month)
            out[(month, client)] = found.get((month, client)) or ClientMonth(year, mon, client)
        return out

    def save_client_month(self, cm: ClientMonth) -> None:
        month, client = cm.key
        item = {**self._cm_key(month, client), "state": _s(cm.dumps()), "ver": _n(cm.version + 1)}
        if cm.version == 0:
            self._put(item, "attribute_not_exists(pk) OR ver = :v", {":v": _n(0)})
        else:
            self._put(item, "ver = :v", {":v": _n(cm.version)})
        cm.version += 1

    shards = SHARDS

    def client_months_in(self, month: str, shard: int) -> Iterator[ClientMonth]:
        for item in self._query(f"CM#{month}#{shard}"):
            yield self._cm_of(item)

    def raw_read(self, month: str) -> int:
        """The bare paginated read of a month's client-months (for the benchmark): items read."""
        return sum(1 for shard in range(SHARDS) for _ in self._query(f"CM#{month}#{shard}"))

    # -- changes for the nightly build ------------------------------------------------------------
    def touch(self, touched: list[tuple[dict, int]], at: str) -> None:
        # One change item per month and batch (at most 100 results each): a night reads a few
        # items, not one per client-month.
        expires = _n(int(time.time()) + TOUCH_TTL_DAYS * 86400)
        by_month: dict[str, dict[str, list]] = {}
        for result, version in touched:
            by_month.setdefault(result["month"], {})[result["client"]] = [version, result]
        requests = []
        for month, results in sorted(by_month.items()):
            clients = sorted(results)
            for i in range(0, len(clients), 100):
                part = {c: results[c] for c in clients[i:i + 100]}
                requests.append({"PutRequest": {"Item": {
                    "pk": _s(f"TOUCHED#{month}"), "sk": _s(f"{at}#{uuid.uuid4().hex}"), "ttl": expires,
                    "results": {"B": zlib.compress(json.dumps(part, separators=(",", ":")).encode(), 6)}}}})
            requests.append({"PutRequest": {"Item": {"pk": _s("MONTHS"), "sk": _s(month), "touched_at": _s(at)}}})
        self._batch_write(requests)

    def touched_months(self) -> dict[str, str]:
        return {i["sk"]["S"]: i["touched_at"]["S"] for i in self._query("MONTHS")}

    def touched_since(self, month: str, since: str) -> dict[str, dict]:
        latest: dict[str, tuple[int, str, dict]] = {}
        for item in self._query(f"TOUCHED#{month}", start=since or None):
            at = item["sk"]["S"].split("#", 1)[0]
            for client, (version, result) in json.loads(zlib.decompress(item["results"]["B"])).items():
                if client not in latest or (version, at) > latest[client][:2]:
                    latest[client] = (version, at, result)
        return {client: mark[2] for client, mark in latest.items()}

    # -- grants ----------------------------------------------------------------------------------
    def grants(self, clients: list[str]) -> dict[str, Grants]:
        keys = [{"pk": _s(f"GRANTS#{c}"), "sk": _s("GRANTS")} for c in sorted(set(clients))]
        found = {}
        for item in self._batch_get(keys):
            data = json.loads(item["data"]["S"])
            client = item["pk"]["S"].removeprefix("GRANTS#")
            found[client] = Grants(client, data["decisions"], data["months"], int(item["ver"]["N"]))
        return {c: found.get(c) or Grants(c) for c in clients}

    def save_grants(self, grants: Grants) -> None:
        item = {"pk": _s(f"GRANTS#{grants.client}"), "sk": _s("GRANTS"), "ver": _n(grants.version + 1),
                "data": _s(json.dumps({"decisions": grants.decisions, "months": sorted(grants.months)},
                                      separators=(",", ":")))}
        if grants.version == 0:
            self._put(item, "attribute_not_exists(pk) OR ver = :v", {":v": _n(0)})
        else:
            self._put(item, "ver = :v", {":v": _n(grants.version)})
        grants.version += 1

    # -- what reports were built from, and the reports -------------------------------------------
    def published(self, month: str) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for item in self._query(f"PUB#{month}"):
            out.update(json.loads(zlib.decompress(item["data"]["B"])))
        return out

    def publish(self, month: str, results: dict[str, dict], changed: set[str] | None = None) -> None:
        shards: dict[int, dict[str, dict]] = {s: {} for s in range(PUBLISHED_PARTS)}
        for client, result in results.items():
            shards[shard_of(client) % PUBLISHED_PARTS][client] = result
        wanted = range(PUBLISHED_PARTS) if changed is None else sorted({shard_of(c) % PUBLISHED_PARTS
                                                                          for c in changed})
        self._batch_write([{"PutRequest": {"Item": {
            "pk": _s(f"PUB#{month}"), "sk": _s(f"{s:02d}"),
            "data": {"B": zlib.compress(json.dumps(shards[s], separators=(",", ":")).encode(), 6)}}}}
            for s in wanted])

    def save_report(self, report: dict) -> None:
        with translated_errors():
            self.db.put_item(TableName=self.table, Item={
                "pk": _s(f"REPORT#{report['month']}"), "sk": _s("SUMMARY"),
                "data": {"B": zlib.compress(json.dumps(report, separators=(",", ":")).encode(), 6)}})

    def report(self, month: str) -> dict | None:
        with translated_errors():
            item = self.db.get_item(TableName=self.table, Key={"pk": _s(f"REPORT#{month}"), "sk": _s("SUMMARY")},
                                    ConsistentRead=True).get("Item")
        return json.loads(zlib.decompress(item["data"]["B"])) if item else None

    def claim_night(self, night: str) -> bool:
        try:
            self._put({"pk": _s("NIGHT"), "sk": _s(night), "claimed_at": _s(str(int(time.time())))},
                      "attribute_not_exists(pk)", {})
        except Conflict:
            return False
        return True

    def release_night(self, night: str) -> None:
        with translated_errors():
            self.db.delete_item(TableName=self.table, Key={"pk": _s("NIGHT"), "sk": _s(night)})
