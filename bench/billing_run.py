"""billing_run: the invoice basis for every provider of the synthetic month (services/synthetic),
read from billing's own table on a moto server and computed under the month's rule pack, against
a bare paginated read of the same items (the providers' client-month partitions and the clients'
items, not parsed), in one run. Prints ``billing_run: ratio=<ours ÷ bare>`` and the seconds.

The read model is built from the month's events with the consumer's own folds, in memory, and
written with BatchWriteItem: the benchmark measures the billing run, not the ingestion (the
consumer's per-event cost is the visits_ingest kind of figure)."""
from __future__ import annotations

import gc
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_BILLING_CLIENTS", "1000"))
YEAR, MONTH = 2026, 10


def read_model(envelopes):
    """The read model the consumer would build from these events, folded in memory."""
    from services.billing.domain.inbox import changes_of
    from services.billing.domain.model import ClientMonth, ClientRecord

    items: dict[tuple, object] = {}
    for envelope in envelopes:
        for key, fold in changes_of(envelope):
            if key not in items:
                items[key] = (ClientMonth(provider_id=key[1], client=key[2], year=key[3], month=key[4])
                              if key[0] == "cm" else ClientRecord(client=key[1]))
            items[key] = fold(items[key])
    months = [v for k, v in items.items() if k[0] == "cm" and (k[3], k[4]) == (YEAR, MONTH)]
    records = [v for k, v in items.items() if k[0] == "client"]
    return months, records


def main() -> None:
    sys.path.insert(0, str(ROOT))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    from infra.local import moto_streams
    from tests.support.stack import base_env, free_port, set_env

    moto_streams.install()  # the tables have streams: keep moto's writes as cheap as the local stack's

    saved_env = dict(os.environ)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    set_env({**base_env(f"http://127.0.0.1:{port}", tempfile.mkdtemp()), "POWERTOOLS_LOG_LEVEL": "ERROR"})
    from infra.provision import local_session, provision
    from services.billing.adapters.dynamo import DynamoBillingStore
    from services.adapters.dynamo import query_partition
    from services.auth.principal import Principal, Role
    from services import aws
    from services.aws import table
    from services.billing.usecases import invoice_basis as service
    from services.billing.bootstrap import BillingDeps
    from services.billing.domain.rules import rule_book
    from services.synthetic import month_events

    provision(local_session(f"http://127.0.0.1:{port}", "eu-north-1"), prefix="insats", region="eu-north-1")
    started = time.perf_counter()
    months, records = read_model(month_events(year=YEAR, month=MONTH, clients=CLIENTS))
    visits = sum(len(cm.visits) for cm in months)
    store = DynamoBillingStore(table("billing"))
    written = store.load(months, records)
    prepared = time.perf_counter() - started

    finance = Principal(subject="bench", role=Role.ORDERING_UNIT, user_id="bench")
    deps = BillingDeps(store=store, rules=rule_book(), municipality="haninge")
    label = f"{YEAR:04d}-{MONTH:02d}"
    billing = table("billing")

    def bare() -> int:
        n = 0
        for provider in store.providers(YEAR, MONTH):
            items = query_partition(billing, f"CM#{provider}#{label}")
            keys = [{"pk": f"CLIENT#{i['sk']}", "sk": "CLIENT"} for i in items]
            for j in range(0, len(keys), 100):
                request = {billing.name: {"Keys": keys[j:j + 100]}}
                while request:
                    got = billing.meta.client.batch_get_item(RequestItems=request)
                    n += len(got["Responses"][billing.name])
                    request = got.get("UnprocessedKeys") or None
            n += len(items)
        return n

    def ours() -> int:
        lines = 0
        for provider in store.providers(YEAR, MONTH):
            lines += len(service.invoice_basis(deps, finance, provider, label).lines)
        return lines

    providers = store.providers(YEAR, MONTH)
    # One-time costs a warm Lambda has paid already (cold start is measured apart): the holiday
    # calendar behind the lock date, the rule book.
    from services.domain.calendar import lock_date

    lock_date(YEAR, MONTH)
    deps.rules.for_month(deps.municipality, YEAR, MONTH)
    # moto runs in this process: a full collection walks its heap too (~0.1 s a pass), which a
    # Lambda never carries. Freeze what exists now, so both windows pay only for their own objects.
    gc.collect()
    gc.freeze()
    # Interleaved, twice each: the first read after the bulk load is slower on moto, and neither
    # side should carry it alone. The ratio is of the totals.
    bare_s = ours_s = 0.0
    try:
        for _ in range(2):
            t0 = time.perf_counter()
            items = bare()
            bare_s += time.perf_counter() - t0
            t0 = time.perf_counter()
            lines = ours()
            ours_s += time.perf_counter() - t0
    finally:
        gc.unfreeze()
        # moto's backends are this process's globals: empty them, so the next benchmark's server
        # does not start with this month in memory
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST"))
        server.stop()
        os.environ.clear()
        os.environ.update(saved_env)
        aws.reset()  # the next benchmark starts its own server: no client may keep this one's address
        gc.collect()
    print(f"# billing_run: {len(months)} client-months, {visits} visits, {len(records)} clients "
          f"({written} items, prepared in {prepared:.1f} s); {lines} invoice lines for "
          f"{len(providers)} providers")
    print(f"# billing_run: ours {ours_s / 2:.2f} s (every provider's invoice basis), bare read of the same "
          f"{items} items {bare_s / 2:.2f} s (each the mean of two interleaved runs)")
    print(f"billing_run: ratio={ours_s / bare_s:.2f}")


if __name__ == "__main__":
    main()
