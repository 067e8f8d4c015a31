"""visits_ingest and visits_ingest_growth, against a moto server in its own process (its garbage
collections stay out of our timed windows), measured in one run:

- ``visits_ingest``: N visit events through the real path (the visits API handler → SQS → the
  processor → the table) ÷ a raw BatchWriteItem of N items to the same table;
- ``visits_ingest_growth``: that ratio after 20,000 visits are already stored ÷ the ratio on the
  empty table (the cost must not grow with the table).

Each window is taken five times (``BENCH_VISITS_REPEATS``; fresh clients and keys each time), the
collector settled before each, and the medians kept. Beside the ratios: the AWS calls per event
(counted with a botocore ``before-call`` hook) and the write units per event (1 per started KB of
each item written, as DynamoDB bills a standard table without its indexes). A comment line gives
the floor: the calls one run of ours made, replayed bare through the low-level clients, ÷ raw, so
what our code adds and what its calls cost on this store can be told apart; and the same replay
with the conditional client-day puts sent as batch writes (what a design with one writer per
client by construction could send).
"""
from __future__ import annotations

import base64
import gc
import json
import math
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N_EVENTS = int(os.environ.get("BENCH_VISIT_EVENTS", "300"))
REPEATS = int(os.environ.get("BENCH_VISITS_REPEATS", "5"))
STORED_VISITS = int(os.environ.get("BENCH_VISITS_STORED", "20000"))
# With a granted home-care decision per client, the months are compared with it (one more batched read)
DECISIONS = os.environ.get("BENCH_VISITS_DECISIONS", "") == "1"


def _attribute_size(value: dict) -> int:
    """DynamoDB's size of a typed attribute value (strings and binaries by length, numbers about
    half their digits, containers their members plus a few bytes)."""
    (kind, raw), = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "B":
        return len(raw) * 3 // 4  # base64 on the wire
    if kind == "N":
        return len(raw) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(_attribute_size(v) + 1 for v in raw)
    if kind == "M":
        return 3 + sum(len(k.encode()) + _attribute_size(v) + 1 for k, v in raw.items())
    return sum(len(x) for x in raw)  # sets


def write_units(item: dict) -> int:
    return max(1, math.ceil(sum(len(k.encode()) + _attribute_size(v) for k, v in item.items()) / 1024))


class Meter:
    """Counts the AWS calls and the write units of what goes through the hooked clients."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self.units = 0
        self.on = False
        self.recorded: list[tuple[str, str, dict]] | None = None  # the calls' requests, when asked
        self._started: dict[int, float] = {}

    def started(self, model, **_):  # noqa: ANN001, ANN003 - botocore's before-send
        self._started[threading.get_ident()] = time.perf_counter()

    def done(self, model, **_):  # noqa: ANN001, ANN003 - botocore's after-call
        begun = self._started.pop(threading.get_ident(), None)
        if self.on and begun is not None:
            self.seconds[model.name] += time.perf_counter() - begun

    def hook(self, model, params, **_):  # noqa: ANN001, ANN003 - botocore's before-call
        if not self.on:
            return
        self.calls[model.name] += 1
        body = params.get("body") or b"{}"
        service = model.service_model.service_name
        request = json.loads(body) if service == "dynamodb" or self.recorded is not None else {}
        if self.recorded is not None:
            self.recorded.append((service, model.name, request))
        if model.name == "PutItem":
            self.units += write_units(request["Item"])
        elif model.name == "BatchWriteItem":
            self.units += sum(write_units(w["PutRequest"]["Item"]) for ws in request["RequestItems"].values()
                              for w in ws if "PutRequest" in w)
            self.units += sum(1 for ws in request["RequestItems"].values() for w in ws if "DeleteRequest" in w)
        elif model.name == "TransactWriteItems":  # a transactional write costs twice the units of each item
            for entry in request["TransactItems"]:
                if "Put" in entry:
                    self.units += 2 * write_units(entry["Put"]["Item"])
                elif "Update" in entry:  # a month summary: a few small counts
                    self.units += 2 * write_units({**entry["Update"]["Key"], **{
                        f"a{n}": v for n, v in enumerate(entry["Update"].get("ExpressionAttributeValues", {}).values())}})


def main() -> None:
    from bench.moto_process import moto_process

    with moto_process(str(ROOT)) as port:
        try:
            _run(port)
        finally:
            from services.visits.bootstrap import deps

            deps.cache_clear()


def _run(port: int) -> None:
    from infra.apps import app_dir, load_app
    from infra.provision import local_session, provision
    from services.auth.dev_issuer import DevIssuer
    from services.adapters.aws import client, queue_url, table
    from services.visits.bootstrap import deps
    from services.visits.domain.model import Device
    from tests.support.people import new_pnr
    from tests.support.stack import AppClient

    provision(local_session(f"http://127.0.0.1:{port}", "eu-north-1"), prefix="insats", region="eu-north-1")
    issuer_dir = os.environ.get("DEV_ISSUER_DIR") or tempfile.mkdtemp()
    from services.settings import settings

    issuer = DevIssuer(Path(issuer_dir), issuer=settings().token_issuer, audience=settings().token_audience)
    visits = AppClient(load_app("visits"), app_dir("visits"))
    meter = Meter()
    for c in (table("visits").meta.client, client("dynamodb"), client("sqs")):  # every table's client is that one
        c.meta.events.register("before-call.*.*", meter.hook)
        c.meta.events.register("before-call.*.*", meter.started)
        c.meta.events.register("after-call.*.*", meter.done)
    sqs, url, name = client("sqs"), queue_url("visits-ingest"), table("visits").name
    now = datetime.now(timezone.utc)
    start_of_day = now.replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=1)

    def workload() -> tuple[str, str, list[dict]]:
        """N/2 visits, each an arrival and a departure, for N/10 clients with a bound tag each."""
        provider = f"prov-{uuid.uuid4().hex[:8]}"
        deps().staff.add_staff(provider, "anna")
        token = issuer.token_for("provider_staff", user_id="anna", provider_id=provider)
        clients = []
        for _ in range(max(1, N_EVENTS // 10)):
            pnr, tag = new_pnr(1940), f"TAG-{uuid.uuid4().hex[:10]}"
            deps().devices.put_device(Device(device_id=tag, kind="nfc", provider_id=provider, client=pnr,
                                          status="bound", ordered_at=now, bound_at=now))
            if DECISIONS:
                deps().grants.put_granted({"decision_id": str(uuid.uuid4()), "client": pnr, "insats": "hemtjanst",
                                         "outcome": "granted", "granted_minutes_per_month": 6000,
                                         "valid_from": "2000-01-01", "valid_to": None,
                                         "decided_at": "2000-01-01T00:00:00+00:00"})
            clients.append((pnr, tag))
        events = []
        for i in range(N_EVENTS // 2):
            pnr, tag = clients[i % len(clients)]
            at = start_of_day + timedelta(minutes=40 * (i // len(clients)))
            for kind, offset in (("arrival", 0), ("departure", 30)):
                events.append({"event_id": str(uuid.uuid4()), "type": kind, "staff_id": "anna",
                               "provider_id": provider, "client": pnr,
                               "device_time": (at + timedelta(minutes=offset)).isoformat(),
                               "receipt": {"method": "nfc", "device_id": tag}})
        return provider, token, events

    def ours(token: str, events: list[dict]) -> float:
        gc.collect()
        meter.on = True
        started = time.perf_counter()
        for i in range(0, len(events), 100):
            r = visits.post("/visit-events", {"events": events[i:i + 100]}, token=token)
            assert r.status == 202, r.json
        processed = 0
        while processed < len(events):
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            if not got:
                continue
            result = visits.sqs("on_visit_events", [m["Body"] for m in got], [m["MessageId"] for m in got])
            assert result == {"batchItemFailures": []}, result
            sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]}
                                                            for j, m in enumerate(got)])
            processed += sum(len(json.loads(m["Body"])["events"]) for m in got)
        seconds = time.perf_counter() - started
        meter.on = False
        return seconds

    def raw(events: list[dict]) -> float:
        """The same number of items, written raw: BatchWriteItem, 25 a call, to the same table."""
        items = [{"PutRequest": {"Item": {"pk": {"S": f"RAW#{e['event_id']}"}, "sk": {"S": "EVENT"},
                                          "body": {"S": str(e)}}}} for e in events]
        gc.collect()
        started = time.perf_counter()
        for i in range(0, len(items), 25):
            pending = {name: items[i:i + 25]}
            while pending:
                pending = client("dynamodb").batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        return time.perf_counter() - started

    def measure() -> tuple[float, float, float, int]:
        """Median seconds of ours and of raw (alternated), and the visits the last run built."""
        ours_s, raw_s, built = [], [], 0
        meter.calls.clear()
        meter.units = 0
        for _ in range(REPEATS):
            provider, token, events = workload()
            ours_s.append(ours(token, events))
            raw_s.append(raw(events))
            built = len(deps().days.visits_of_month(provider, start_of_day.year, start_of_day.month))
        o, r = statistics.median(ours_s), statistics.median(raw_s)
        return o, r, o / r, built

    o_empty, r_empty, ratio_empty, built = measure()
    calls, units = sum(meter.calls.values()) / (N_EVENTS * REPEATS), meter.units / (N_EVENTS * REPEATS)
    detail = ", ".join(f"{k} {v / REPEATS:.0f} ({1000 * meter.seconds[k] / REPEATS:.0f} ms)"
                       for k, v in meter.calls.most_common())
    floor_s, batched_s, floor_raw_s, floor_calls = _floor(ours, raw, workload, meter)

    seeded_s = _seed(STORED_VISITS, start_of_day)
    o_full, r_full, ratio_full, _ = measure()

    print(f"# visits_ingest: {N_EVENTS} events → {built} visits ({N_EVENTS // 10} clients, one day"
          f"{', each with a granted decision' if DECISIONS else ', no decisions'}); "
          f"ours {o_empty:.3f} s ({N_EVENTS / o_empty:.0f} events/s), raw BatchWriteItem {r_empty:.3f} s; "
          f"medians of {REPEATS}")
    print(f"# visits_ingest per run: {detail}")
    print(f"# visits_ingest floor: the same {floor_calls} AWS calls replayed bare (none of our Python) "
          f"{floor_s:.3f} s, raw {floor_raw_s:.3f} s: ratio {floor_s / floor_raw_s:.2f}, what these calls "
          f"cost here whatever code makes them; with the client-day puts sent as unconditioned batch writes "
          f"(and the month summaries' ADDs alone) instead: ratio {batched_s / floor_raw_s:.2f}")
    print(f"# visits_ingest_growth: after {STORED_VISITS} visits stored (seeded in {seeded_s:.1f} s): "
          f"ours {o_full:.3f} s, raw {r_full:.3f} s, ratio {ratio_full:.2f}")
    print(f"visits_ingest: ratio={ratio_empty:.2f} calls_per_event={calls:.3f} write_units_per_event={units:.2f}")
    print(f"visits_ingest_growth: ratio={ratio_full / ratio_empty:.2f}")


def _binary(value):  # noqa: ANN001, ANN202 - DynamoDB JSON as sent: binaries back to bytes
    if isinstance(value, dict):
        return {k: (base64.b64decode(v) if k == "B" and isinstance(v, str) else _binary(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_binary(v) for v in value]
    return value


def _floor(ours, raw, workload, meter) -> tuple[float, float, float, int]:  # noqa: ANN001 - the closures of _run
    """The AWS calls one run of ``ours`` makes, replayed bare through the low-level clients (new keys,
    a queue of its own, the client-day puts as many at a time as the repository writes them): what
    the path costs here with none of our Python. Medians of the repeats, alternated with raw."""
    from botocore import xform_name

    from services.adapters.aws import client
    from services.visits.adapters.batches import PARALLEL as _PARALLEL

    dynamodb, sqs = client("dynamodb"), client("sqs")
    queue = sqs.create_queue(QueueName=f"bench-floor-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    pool = ThreadPoolExecutor(max_workers=_PARALLEL)

    def fresh(item: dict) -> dict:
        return {**item, "pk": {"S": f"FLOOR#{uuid.uuid4().hex}"}}

    def put(request: dict) -> None:
        try:
            dynamodb.put_item(**{**request, "Item": fresh(request["Item"])})
        except dynamodb.exceptions.ConditionalCheckFailedException:
            pass  # a condition on a version: paid for all the same

    def transact(request: dict) -> None:
        """A client-day's put with its month summary's ADD (new keys, the same condition and sizes)."""
        put_part, update_part = request["TransactItems"]
        key = {"S": f"FLOOR#{uuid.uuid4().hex}"}
        items = [{"Put": {**put_part["Put"], "Item": {**put_part["Put"]["Item"], "pk": key}}},
                 {"Update": {**update_part["Update"], "Key": {**update_part["Update"]["Key"], "pk": key}}}]
        try:
            dynamodb.transact_write_items(TransactItems=items)
        except dynamodb.exceptions.TransactionCanceledException:
            pass  # a condition on a version: paid for all the same

    def write_day(call: tuple[str, dict]) -> None:
        op, request = call
        put(request) if op == "PutItem" else transact(request)

    def update_alone(request: dict) -> None:
        update = request["TransactItems"][1]["Update"]
        dynamodb.update_item(**{**update, "Key": {**update["Key"], "pk": {"S": f"FLOOR#{uuid.uuid4().hex}"}}})

    def batch_write(items_by_table: dict[str, list[dict]]) -> None:
        dynamodb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": fresh(item)}} for item in items]
                                                for table, items in items_by_table.items()})

    def batched(run: list[dict]) -> None:
        for i in range(0, len(run), 25):
            batch_write({run[0]["TableName"]: [r["Item"] for r in run[i:i + 25]]})

    def replay(calls: list[tuple[str, str, dict]], puts_batched: bool = False) -> float:
        gc.collect()
        started = time.perf_counter()
        handles: list[str] = []
        i = 0
        while i < len(calls):
            service, op, request = calls[i]
            if op in ("PutItem", "TransactWriteItems"):  # the client-day writes, several at a time
                run = []
                while i < len(calls) and calls[i][1] in ("PutItem", "TransactWriteItems"):
                    run.append((calls[i][1], calls[i][2]))
                    i += 1
                if puts_batched:  # unconditioned, 25 a call: what a single writer per client would allow
                    batched([r if o == "PutItem" else {"TableName": r["TransactItems"][0]["Put"]["TableName"],
                                                       "Item": r["TransactItems"][0]["Put"]["Item"]} for o, r in run])
                    list(pool.map(update_alone, [r for o, r in run if o == "TransactWriteItems"]))
                else:
                    list(pool.map(write_day, run))
                continue
            if op == "SendMessageBatch":
                sqs.send_message_batch(**{**request, "QueueUrl": queue})
            elif op == "ReceiveMessage":
                got = sqs.receive_message(**{**request, "QueueUrl": queue}).get("Messages", [])
                handles = [m["ReceiptHandle"] for m in got]
            elif op == "DeleteMessageBatch":
                sqs.delete_message_batch(QueueUrl=queue, Entries=[{"Id": str(j), "ReceiptHandle": h}
                                                                  for j, h in enumerate(handles)])
            elif op == "BatchWriteItem":  # ours only puts in batches
                batch_write({t: [w["PutRequest"]["Item"] for w in ws] for t, ws in request["RequestItems"].items()})
            else:
                getattr(dynamodb, xform_name(op))(**request)
            i += 1
        return time.perf_counter() - started

    bare_s, batched_s, raw_s, count = [], [], [], 0
    for _ in range(REPEATS):
        _, token, events = workload()
        meter.recorded = []
        ours(token, events)
        calls = [(s, o, _binary(r)) for s, o, r in meter.recorded]
        meter.recorded = None
        count = len(calls)
        bare_s.append(replay(calls))
        batched_s.append(replay(calls, puts_batched=True))
        raw_s.append(raw(events))
    sqs.delete_queue(QueueUrl=queue)
    pool.shutdown()
    return statistics.median(bare_s), statistics.median(batched_s), statistics.median(raw_s), count


def _seed(visits: int, around: datetime) -> float:
    """Stores ``visits`` visits as client-days of ten visits each (with their pointers and their months'
    summaries), in batches."""
    from services.visits.domain.days import ClientDay
    from services.visits.domain.model import Visit
    from services.adapters.aws import table
    from services.visits.adapters.client_days import seed_items
    from tests.support.people import new_pnr

    started = time.perf_counter()
    provider = "prov-seeded"
    days = []
    with table("visits").batch_writer() as batch:
        for n in range(visits // 10):
            pnr = new_pnr(1930)
            day = around - timedelta(days=1 + n % 20)
            cd = ClientDay((provider, pnr, day.date()))
            for k in range(10):
                at = day + timedelta(minutes=45 * k)
                v = Visit(visit_id=str(uuid.uuid4()), provider_id=provider, client=pnr, staff_id="anna",
                          started_at=at, ended_at=at + timedelta(minutes=30), status="registered", version=1)
                cd.visits[v.visit_id] = v
            days.append(cd)
        for item in seed_items(days):  # the days, their pointers and their months' summaries
            batch.put_item(Item=item)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
