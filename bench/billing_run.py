"""billing_run: the invoice basis for every provider of the synthetic month (services/synthetic),
read from billing's own table on a moto server in its own process (its garbage collections stay
out of our timed windows) and computed under the month's rule pack, against a bare read of the
same items: the same reads (the month's providers, each provider's latest final version, its
client-month partition page by page, its clients' items by BatchGetItem) through a low-level
client, raw DynamoDB JSON, nothing parsed. Each side runs ``BENCH_BILLING_REPEATS`` times (5),
alternated, and the medians are compared. Prints ``billing_run: ratio=<ours ÷ bare>`` and the seconds.

The read model is built from the month's events with the consumer's own folds, in memory, and
written with BatchWriteItem: the benchmark measures the billing run, not the ingestion (the
consumer's per-event cost is the visits_ingest kind of figure)."""
from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from bench._measure import timed

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_BILLING_CLIENTS", "1000"))
REPEATS = max(1, int(os.environ.get("BENCH_BILLING_REPEATS", "5")))
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


def bare_read(dynamodb, table_name: str, year: int, month: int) -> int:  # noqa: ANN001 - a botocore client
    """The reads every provider's invoice basis makes, raw: items read. Only the keys of the next
    read are taken out of what was read."""
    label = f"{year:04d}-{month:02d}"

    def pages(pk: str):  # noqa: ANN202
        request = {"TableName": table_name, "KeyConditionExpression": "pk = :pk",
                   "ExpressionAttributeValues": {":pk": {"S": pk}}}
        while True:
            got = dynamodb.query(**request)
            yield got["Items"]
            if "LastEvaluatedKey" not in got:
                return
            request["ExclusiveStartKey"] = got["LastEvaluatedKey"]

    n = 0
    providers = [i["sk"]["S"] for page in pages(f"MONTH#{label}") for i in page]
    n += len(providers)
    for provider in providers:
        n += "Item" in dynamodb.get_item(TableName=table_name, ConsistentRead=True,
                                         Key={"pk": {"S": f"FINAL#{provider}#{label}"}, "sk": {"S": "HEAD"}})
        items = [i for page in pages(f"CM#{provider}#{label}") for i in page]
        n += len(items)
        keys = [{"pk": {"S": f"CLIENT#{i['sk']['S']}"}, "sk": {"S": "CLIENT"}} for i in items]
        for j in range(0, len(keys), 100):
            request = {table_name: {"Keys": keys[j:j + 100]}}
            while request:
                got = dynamodb.batch_get_item(RequestItems=request)
                n += len(got["Responses"][table_name])
                request = got.get("UnprocessedKeys") or None
    return n


def main() -> None:
    from bench.moto_process import moto_process

    with moto_process(str(ROOT)) as port:
        _run(port)


def _run(port: int) -> None:
    from infra.provision import local_session, provision
    from services.auth.principal import Principal, Role
    from services.adapters.aws import client, table
    from services.billing.adapters.dynamo import DynamoBillingStore
    from services.billing.bootstrap import BillingDeps
    from services.billing.domain.rules import rule_book
    from services.billing.usecases import invoice_basis as service
    from services.domain.calendar import lock_date
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
    dynamodb, name = client("dynamodb"), table("billing").name

    def ours() -> int:
        lines = 0
        for provider in store.providers(YEAR, MONTH):
            lines += len(service.invoice_basis(deps, finance, provider, label).lines)
        return lines

    # One-time costs a warm Lambda has paid already (cold start is measured apart): the holiday
    # calendar behind the lock date, the rule book, the client's first connection.
    lock_date(YEAR, MONTH)
    deps.rules.for_month(deps.municipality, YEAR, MONTH)
    bare_read(dynamodb, name, YEAR, MONTH)
    # Alternated: the first reads after the bulk load are slower on moto, and neither side should
    # carry them alone; a busy machine slows both alike.
    ours_s: list[float] = []
    bare_s: list[float] = []
    for _ in range(REPEATS):
        seconds, items = timed(lambda: bare_read(dynamodb, name, YEAR, MONTH))
        bare_s.append(seconds)
        seconds, lines = timed(ours)
        ours_s.append(seconds)
    o, b = statistics.median(ours_s), statistics.median(bare_s)
    print(f"# billing_run: {len(months)} client-months, {visits} visits, {len(records)} clients "
          f"({written} items, prepared in {prepared:.1f} s); {lines} invoice lines for "
          f"{len(store.providers(YEAR, MONTH))} providers")
    print(f"# billing_run: ours {o:.2f} s (every provider's invoice basis), bare read of the same "
          f"{items} items {b:.2f} s (raw, nothing parsed); medians of {REPEATS}, alternated")
    print(f"billing_run: ratio={o / b:.2f}")


if __name__ == "__main__":
    main()
