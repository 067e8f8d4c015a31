"""visits_ingest: N visit events through the real path (the visits API handler → SQS → the
processor → the table) against a raw BatchWriteItem of the same number of items to the same
moto server, measured in one run. Prints ``visits_ingest: ratio=<ours ÷ raw>``."""
from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N_EVENTS = int(os.environ.get("BENCH_VISIT_EVENTS", "300"))


def main() -> None:
    sys.path.insert(0, str(ROOT))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    from tests.support.people import new_pnr
    from tests.support.stack import AppClient, base_env, free_port, set_env

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    issuer_dir = tempfile.mkdtemp()
    set_env({**base_env(f"http://127.0.0.1:{port}", issuer_dir), "POWERTOOLS_LOG_LEVEL": "ERROR"})
    from infra.apps import app_dir, load_app
    from infra.provision import local_session, provision
    from services.auth.dev_issuer import DevIssuer
    from services.aws import client, queue_url, table
    from services.visits.bootstrap import deps
    from services.visits.model import Device

    provision(local_session(f"http://127.0.0.1:{port}", "eu-north-1"), prefix="insats", region="eu-north-1")
    issuer = DevIssuer(Path(issuer_dir), issuer="https://dev-issuer.insats.local", audience="insats")
    provider = "prov-bench"
    deps().repo.add_staff(provider, "anna")
    token = issuer.token_for("provider_staff", user_id="anna", provider_id=provider)
    visits = AppClient(load_app("visits"), app_dir("visits"))

    # N/2 visits, each an arrival and a departure, for N/10 clients with a bound tag each.
    clients = []
    now = datetime.now(timezone.utc)
    for _ in range(max(1, N_EVENTS // 10)):
        pnr, tag = new_pnr(1940), f"TAG-{uuid.uuid4().hex[:10]}"
        deps().repo.put_device(Device(device_id=tag, kind="nfc", provider_id=provider, client=pnr, status="bound",
                                      ordered_at=now, bound_at=now))
        clients.append((pnr, tag))
    start_of_day = now.replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=1)
    events = []
    for i in range(N_EVENTS // 2):
        pnr, tag = clients[i % len(clients)]
        at = start_of_day + timedelta(minutes=40 * (i // len(clients)))
        for kind, offset in (("arrival", 0), ("departure", 30)):
            events.append({"event_id": str(uuid.uuid4()), "type": kind, "staff_id": "anna", "provider_id": provider,
                           "client": pnr, "device_time": (at + timedelta(minutes=offset)).isoformat(),
                           "receipt": {"method": "nfc", "device_id": tag}})

    sqs = client("sqs")
    url = queue_url("visits-ingest")
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
        processed += len(got)
    ours = time.perf_counter() - started
    built = len(deps().repo.visits_of_month(provider, start_of_day.year, start_of_day.month))

    # The same number of items, written raw: BatchWriteItem, 25 a call, to the same table. The raw
    # figure is a fraction of a second, so it is taken three times (fresh keys) and the median kept.
    name = table("visits").name
    raw_runs = []
    for run in range(3):
        raw_items = [{"PutRequest": {"Item": {"pk": {"S": f"RAW#{run}#{e['event_id']}"}, "sk": {"S": "EVENT"},
                                              "body": {"S": str(e)}}}} for e in events]
        started = time.perf_counter()
        for i in range(0, len(raw_items), 25):
            pending = {name: raw_items[i:i + 25]}
            while pending:
                pending = client("dynamodb").batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        raw_runs.append(time.perf_counter() - started)
    raw = sorted(raw_runs)[1]
    server.stop()

    print(f"# visits_ingest: {len(events)} events → {built} visits; ours {ours:.2f} s "
          f"({len(events) / ours:.0f} events/s), raw BatchWriteItem {raw:.2f} s ({len(events) / raw:.0f} items/s)")
    print("# ours per event: a conditional put (idempotency), the client-day read, and per changed visit a"
          " transactional write with its VisitChanged outbox item, the SNS publish and the outbox delete")
    print("# moto's TransactWriteItems deep-copies the table once per item of a transaction, so on moto that"
          " write grows with the table; on DynamoDB a transactional write costs two writes per item")
    print(f"visits_ingest: ratio={ours / raw:.1f}")


if __name__ == "__main__":
    main()
