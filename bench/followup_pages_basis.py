"""followup_pages_basis (issue 25, ``followup_pages``: the invoice-basis half): one provider's invoice
basis page on the synthetic month (services/synthetic: 1,000 clients, ~89,000 visits), against a
moto server in its own process, measured in one run:

- the page as it is served: ``GET /personal/fakturaunderlag/{provider}/{month}`` through the billing
  app in-process (chalice's test client: finance's session read and its idle end moved, the use case
  ``invoice_basis`` computing the preliminary basis under the month's rule pack, the page rendered,
  a line per client);
- ÷ the bare reads of the items it shows, through the table resource's client (Python values, as the
  adapter reads them; nothing parsed further): the head of the month's final versions (GetItem), the
  provider's client-months (a Query of its partition, paged), its clients' items (BatchGetItem, a
  hundred keys a call) and its name (GetItem).

The provider is the synthetic month's largest. The read model is built from the month's events with
the consumer's own folds, in memory, and written with BatchWriteItem (``billing_run.read_model``).
Each side runs ``BENCH_BASIS_REPEATS`` times (5), alternated, medians kept; the page is checked to
show a line per client the bare reads return. Prints ``followup_pages_basis: ratio=<page ÷ bare>``.
Goal ≤ 1.3."""
from __future__ import annotations

import os
import re
import statistics
from pathlib import Path

from bench._measure import alternated, profile_if
from bench.billing_run import CLIENTS, MONTH, YEAR, read_model

ROOT = Path(__file__).resolve().parent.parent
REPEATS = max(1, int(os.environ.get("BENCH_BASIS_REPEATS", "5")))


def main() -> None:
    from bench.moto_process import moto_process

    with moto_process(str(ROOT)) as port:
        try:
            _run(port)
        finally:
            from services.billing.bootstrap import deps

            deps.cache_clear()


def _run(port: int) -> None:
    from infra.apps import app_dir, load_app
    from infra.provision import local_session, provision
    from services.adapters.aws import table
    from services.billing.adapters.dynamo import DynamoBillingStore
    from services.billing.bootstrap import deps
    from services.domain.calendar import lock_date
    from services.entrypoints.web.billing.section import BILLING, billing_config
    from services.synthetic import month_events
    from tests.support.stack import AppClient
    from tests.support.staff_login import staff_principal, staff_session

    provision(local_session(f"http://127.0.0.1:{port}", "eu-north-1"), prefix="insats", region="eu-north-1")
    months, records = read_model(month_events(year=YEAR, month=MONTH, clients=CLIENTS))
    billing_table = table("billing")
    store = DynamoBillingStore(billing_table)
    store.load(months, records)
    sizes: dict[str, int] = {}
    for cm in months:
        sizes[cm.provider_id] = sizes.get(cm.provider_id, 0) + 1
    provider = max(sizes, key=lambda p: (sizes[p], p))
    store.put_provider(provider, "Syntetisk utförare AB")
    visits = sum(len(cm.visits) for cm in months if cm.provider_id == provider)
    label = f"{YEAR:04d}-{MONTH:02d}"

    app = AppClient(load_app("billing"), app_dir("billing"))
    who = staff_principal("finance", user_id="bench-ekonomi", name="Fia Ekström")
    cookie = {"Cookie": f"{billing_config().cookie_name}={staff_session(deps().sessions, who, section=BILLING)}",
              "Accept": "text/html"}
    path = f"/personal/fakturaunderlag/{provider}/{label}"
    api, name = billing_table.meta.client, billing_table.name

    def page() -> str:
        r = app.get(path, headers=cookie)
        assert r.status == 200, (r.status, r.body[:500])
        return r.body.decode()

    def bare() -> int:
        n = 0
        n += "Item" in api.get_item(TableName=name, ConsistentRead=True,
                                    Key={"pk": f"FINAL#{provider}#{label}", "sk": "HEAD"})
        request = {"TableName": name, "KeyConditionExpression": "pk = :pk",
                   "ExpressionAttributeValues": {":pk": f"CM#{provider}#{label}"}}
        items = []
        while True:
            got = api.query(**request)
            items += got["Items"]
            if "LastEvaluatedKey" not in got:
                break
            request["ExclusiveStartKey"] = got["LastEvaluatedKey"]
        n += len(items)
        keys = [{"pk": f"CLIENT#{i['sk']}", "sk": "CLIENT"} for i in items]
        for j in range(0, len(keys), 100):
            pending = {name: {"Keys": keys[j:j + 100]}}
            while pending:
                got = api.batch_get_item(RequestItems=pending)
                n += len(got["Responses"].get(name, []))
                pending = got.get("UnprocessedKeys") or None
        n += "Item" in api.get_item(TableName=name, Key={"pk": f"PROVIDER#{provider}", "sk": "PROVIDER"})
        return n

    # One-time costs a warm Lambda has paid already: the holiday calendar, the rule book, the templates.
    lock_date(YEAR, MONTH)
    deps().rules.for_month(deps().municipality, YEAR, MONTH)
    body = page()
    read = bare()
    # checked: the page shows a line per client the bare reads return
    lines = body.split('id="rader"', 1)[1].split("</table>", 1)[0]
    shown = len(re.findall(r'<th scope="row" class="nowrap">\d{12}', lines))
    # every client-month, its client's item where one is kept (a client without a decision has none), the name
    assert shown == sizes[provider] and sizes[provider] + 1 < read <= 2 * sizes[provider] + 2, \
        (shown, read, sizes[provider])

    profile_if("BENCH_BASIS_PROFILE", page, sort=os.environ.get("BENCH_BASIS_SORT", "cumulative"))
    bares, pages = alternated(REPEATS, bare, page)
    p, b = statistics.median(pages), statistics.median(bares)
    print(f"# followup_pages_basis: {provider}'s invoice basis page for {label}: {sizes[provider]} clients, {visits} "
          f"visits (of {sum(len(cm.visits) for cm in months)} in the synthetic month); medians of {REPEATS}, "
          f"alternated: page {p * 1000:.1f} ms (GET in-process, rendered), bare reads of the same {read} items "
          f"{b * 1000:.1f} ms")
    print(f"followup_pages_basis: ratio={p / b:.2f}")


if __name__ == "__main__":
    main()
