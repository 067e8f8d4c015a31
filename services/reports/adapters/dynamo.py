"""The reports table (DynamoDB): every key and expression of reports lives here.

Items (``<m>`` = yyyy-mm, ``<s>`` = the client's shard, 0–31, from a CRC of the personnummer):

- ``CM#<m>#<s>`` / ``<client>``: a client-month's state (visits, absences, open rejected events,
  the previous month's last days) as one compact JSON string, its result (``res``) and the one
  before (``pres``), with ``ver`` for optimistic writes. Only the consumer reads these.
- ``SUM#<m>#<s>`` / ``<client>``: the client-month's result (its summary) and ``ver``: what a full
  rebuild reads, one paginated query per shard (a month is ~1,000 of them, ~1 KB each).
- ``CHG#<m>#<s>`` / ``<client>#<ver>``: each version's result for a while (TTL), so a report shows
  the rows of the versions it was built from even after they changed.
- ``ACC#<m>`` / ``<k>``: a month's totals in ``ACC_SHARDS`` parts (a client's part from its
  shard), kept up to date by the consumer with ``ver``: what the nightly build reads (one call).
- ``MONTHS`` / ``<m>``: the months with changes, and when last.
- ``GRANTS#<client>`` / ``GRANTS``: the client's decisions and months, with ``ver``.
- ``REPORT#<m>`` / ``SUMMARY``: the month's report with the versions it was built from;
  ``NIGHT`` / ``<date>``: the run-once records.

The low-level client is used on purpose: items are strings, not maps, so nothing is converted.
Every ``ClientError`` stops here: a failed condition is ``Conflict``, the rest the domain's errors
(``translated_errors``).
"""
from __future__ import annotations

import json
import time
import zlib
from typing import Any, Iterator

from botocore.exceptions import ClientError

from ...adapters.dynamo import translated_errors
from ...domain.errors import Conflict
from ...observability import get_logger
from ..domain.client_month import ClientMonth, parse_month
from ..domain.grants import Grants
from ..domain.totals import Accumulator

SHARDS = 32
# Few enough for the nightly build to read in one call, enough that consumers running side by side
# seldom write the same one (a conflict is retried).
ACC_SHARDS = 8
RECORD_TTL_DAYS = 14  # a report's versions are a night old, at most a few when builds fail
logger = get_logger("reports")


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
    def _batch_get(self, keys: list[dict], projection: str | None = None,
                   names: dict[str, str] | None = None) -> list[dict]:
        out: list[dict] = []
        for i in range(0, len(keys), 100):
            request: dict[str, Any] = {"Keys": keys[i:i + 100]}
            if projection:
                request["ProjectionExpression"] = projection
            if names:
                request["ExpressionAttributeNames"] = names
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
                raise Conflict("the item changed meanwhile") from None
            with translated_errors():
                raise

    # -- client-months -------------------------------------------------------------------------
    shards = SHARDS
    acc_shards = ACC_SHARDS

    @staticmethod
    def accumulator_of(client: str) -> int:
        return shard_of(client) % ACC_SHARDS

    @staticmethod
    def _key(kind: str, month: str, client: str) -> dict:
        return {"pk": _s(f"{kind}#{month}#{shard_of(client)}"), "sk": _s(client)}

    @staticmethod
    def _cm_of(item: dict) -> ClientMonth:
        month = item["pk"]["S"].split("#")[1]
        year, mon = parse_month(month)
        return ClientMonth.loads(year, mon, item["sk"]["S"], item["state"]["S"], int(item["ver"]["N"]),
                                 json.loads(item["res"]["S"]) if "res" in item else None,
                                 json.loads(item["pres"]["S"]) if "pres" in item else None)

    def client_months(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], ClientMonth]:
        found = {cm.key: cm for cm in map(self._cm_of, self._batch_get([self._key("CM", m, c) for m, c in set(keys)]))}
        out = {}
        for month, client in keys:
            year, mon = parse_month(month)
            out[(month, client)] = found.get((month, client)) or ClientMonth(year, mon, client)
        return out

    def client_month_states(self, month: str, clients: list[str]) -> dict[str, ClientMonth]:
        # the state only: a client-month's two results are as large again and not needed here
        items = self._batch_get([self._key("CM", month, c) for c in sorted(set(clients))],
                                "pk, sk, #st, ver", {"#st": "state"})
        return {cm.client: cm for cm in map(self._cm_of, items)}

    def save_client_month(self, cm: ClientMonth, result: dict) -> None:
        month, client = cm.key
        item = {**self._key("CM", month, client), "state": _s(cm.dumps()), "ver": _n(cm.version + 1),
                "res": _s(json.dumps(result, separators=(",", ":")))}
        if cm.result is not None:
            item["pres"] = _s(json.dumps(cm.result, separators=(",", ":")))
        if cm.version == 0:
            self._put(item, "attribute_not_exists(pk) OR ver = :v", {":v": _n(0)})
        else:
            self._put(item, "ver = :v", {":v": _n(cm.version)})
        cm.version += 1
        cm.previous, cm.result = cm.result, result

    def save_summaries(self, summaries: list[tuple[str, str, int, dict]], at: str) -> None:
        expires = _n(int(time.time()) + RECORD_TTL_DAYS * 86400)
        records, months = [], set()
        for month, client, version, result in summaries:
            text = _s(json.dumps(result, separators=(",", ":")))
            try:  # never over a higher version (a slower consumer of an older one)
                self._put({**self._key("SUM", month, client), "res": text, "ver": _n(version)},
                          "attribute_not_exists(ver) OR ver < :v", {":v": _n(version)})
            except Conflict:
                pass
            records.append({"PutRequest": {"Item": {"pk": _s(f"CHG#{month}#{shard_of(client)}"),
                                                    "sk": _s(f"{client}#{version:08d}"), "res": text,
                                                    "ttl": expires}}})
            months.add(month)
        records += [{"PutRequest": {"Item": {"pk": _s("MONTHS"), "sk": _s(m), "touched_at": _s(at)}}}
                    for m in sorted(months)]
        self._batch_write(records)

    def summaries_in(self, month: str, shard: int) -> Iterator[tuple[str, int, dict]]:
        for item in self._query(f"SUM#{month}#{shard}"):
            yield item["sk"]["S"], int(item["ver"]["N"]), json.loads(item["res"]["S"])

    def raw_read(self, month: str) -> int:
        """The bare paginated read of what a full rebuild reads (a month's summaries; for the
        benchmark): items read."""
        return sum(1 for shard in range(SHARDS) for _ in self._query(f"SUM#{month}#{shard}"))

    def summaries_by_key(self, month: str, clients: list[str]) -> int:
        """The same summaries read by key (for the benchmark's scale line): items read."""
        return len(self._batch_get([self._key("SUM", month, c) for c in clients]))

    def results_at(self, month: str, versions: dict[str, int]) -> dict[str, dict]:
        # The report names its clients: their summaries by key (a call per 100) rather than every
        # shard's query (32 calls, most of a cold read of a small month).
        out, current = {}, {}
        for item in self._batch_get([self._key("SUM", month, c) for c in versions]):
            client, version = item["sk"]["S"], int(item["ver"]["N"])
            (out if versions[client] == version else current)[client] = json.loads(item["res"]["S"])
        older = [c for c in versions if c not in out]
        for item in self._batch_get([{"pk": _s(f"CHG#{month}#{shard_of(c)}"), "sk": _s(f"{c}#{versions[c]:08d}")}
                                     for c in older]):
            out[item["sk"]["S"].split("#")[0]] = json.loads(item["res"]["S"])
        for client in older:
            if client not in out and client in current:
                logger.warning("a report's version is no longer kept; its newer result is shown")
                out[client] = current[client]
        return out

    def client_months_in(self, month: str, shard: int) -> Iterator[ClientMonth]:
        for item in self._query(f"CM#{month}#{shard}"):
            yield self._cm_of(item)

    # -- a month's totals ---------------------------------------------------------------------------
    def accumulators(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], Accumulator]:
        wanted = sorted(set(keys))
        out = {k: Accumulator(k[0], k[1]) for k in wanted}
        for item in self._batch_get([{"pk": _s(f"ACC#{m}"), "sk": _s(f"{k:02d}")} for m, k in wanted]):
            month, shard = item["pk"]["S"].split("#")[1], int(item["sk"]["S"])
            data = json.loads(zlib.decompress(item["data"]["B"]))
            out[(month, shard)] = Accumulator(month, shard, data["p"], data["v"], data["t"], data["dirty"],
                                              int(item["ver"]["N"]))
        return out

    def save_accumulator(self, acc: Accumulator) -> None:
        data = {"p": acc.providers, "v": acc.versions, "t": acc.latest, "dirty": acc.dirty}
        item = {"pk": _s(f"ACC#{acc.month}"), "sk": _s(f"{acc.shard:02d}"), "ver": _n(acc.version + 1),
                "data": {"B": zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 1)}}
        if acc.version == 0:
            self._put(item, "attribute_not_exists(pk) OR ver = :v", {":v": _n(0)})
        else:
            self._put(item, "ver = :v", {":v": _n(acc.version)})
        acc.version += 1

    def touched_months(self) -> dict[str, str]:
        return {i["sk"]["S"]: i["touched_at"]["S"] for i in self._query("MONTHS")}

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

    # -- reports ---------------------------------------------------------------------------------
    def save_report(self, report: dict) -> None:
        with translated_errors():
            self.db.put_item(TableName=self.table, Item={
                "pk": _s(f"REPORT#{report['month']}"), "sk": _s("SUMMARY"),
                "data": {"B": zlib.compress(json.dumps(report, separators=(",", ":")).encode(), 1)}})

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


def reports_store() -> DynamoReportsStore:
    """The reports table of this stage, on the shared lazily built client (the bootstrap's wiring)."""
    from ...adapters.aws import client
    from ...settings import settings

    return DynamoReportsStore(client("dynamodb"), settings().name("reports"))


def web_sessions() -> Any:
    """The follow-up section's web sessions: the web toolkit's session store over the reports table
    (``WEBSESSION#<sha-256>`` items, TTL), as the visits section keeps its own in the visits table."""
    import importlib

    from ...adapters.aws import table

    store = importlib.import_module("...entrypoints.web.adapters.sessions", __package__).SessionRepository
    return store(table("reports"))
