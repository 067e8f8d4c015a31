"""followup_pages (issue 25): the follow-up section's month page on the synthetic month (1,000
clients, ≈ 89,000 visits), against a moto server in its own process, measured in one run:

- ``followup_pages``: ``GET /personal/uppfoljning?manad=2026-10`` as the ordering unit sees it —
  through the reports app in-process (chalice's test client: the section's session, ``read_report``,
  the per-provider and per-client tables, five SVG charts, the rendering) ÷ the bare reads of the
  items it shows: the month's report (one GetItem) and the client-month summaries the report was
  built from (BatchGetItem by key, 100 a call), returned as the store gives them (no parsing).

The invoice basis's half (``followup_pages_basis``, billing) is measured elsewhere and printed under
its own name. The month is loaded through the consumer and built (a full rebuild) before anything is
timed. Page and bare reads are alternated ``BENCH_FOLLOWUP_REPEATS`` times (9), the collector
settled before each window; the ratio is the median of the pairs' ratios (a page and the bare reads
right after it share the machine's load, which on a shared machine swings the absolute times by a
factor of two or more); the medians of each side are printed beside it. The page is checked to show
every provider of the report.
``BENCH_FOLLOWUP_CLIENTS`` sizes the month (1,000)."""
from __future__ import annotations

import gc
import os
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench._measure import alternated, profile_if

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_FOLLOWUP_CLIENTS", "1000"))
REPEATS = int(os.environ.get("BENCH_FOLLOWUP_REPEATS", "9"))
MONTH = "2026-10"


def main() -> None:
    from bench.moto_process import moto_process

    with moto_process(str(ROOT)) as port:
        _run(port)


def _run(port: int) -> None:
    from infra.apps import app_dir, load_app
    from infra.provision import local_session, provision
    from services.adapters.aws import client
    from services.domain.calendar import STOCKHOLM
    from services.entrypoints.web.reports.section import REPORTS, reports_config
    from services.reports.adapters.dynamo import DynamoReportsStore, _s
    from services.reports.bootstrap import deps
    from services.reports.cli import load
    from services.reports.ports import ReportsDeps
    from services.reports.usecases.rebuild import rebuild
    from services.settings import settings
    from services.synthetic import month_events
    from tests.support.stack import AppClient
    from tests.support.staff_login import staff_principal, staff_session

    provision(local_session(f"http://127.0.0.1:{port}", "eu-north-1"), prefix="insats", region="eu-north-1")
    store = DynamoReportsStore(client("dynamodb"), settings().name("reports"))
    evening = datetime(2026, 10, 31, 20, tzinfo=STOCKHOLM)
    started = time.perf_counter()
    events = list(month_events(2026, clients=CLIENTS))
    assert load(ReportsDeps(store=store, clock=lambda: evening), events) == 0
    n_visits = sum(1 for e in events if e.event_type == "visit.changed")
    del events
    report = rebuild(ReportsDeps(store=store, clock=lambda: evening + timedelta(hours=6)), MONTH)
    loaded = time.perf_counter() - started
    gc.collect()
    gc.freeze()

    app = AppClient(load_app("reports"), app_dir("reports"))
    who = staff_principal("ordering_unit")
    cookie = {"Cookie": f"{reports_config().cookie_name}={staff_session(deps().sessions, who, section=REPORTS)}"}
    path = f"/personal/uppfoljning?manad={MONTH}"
    providers = [p["provider_id"] for p in report["providers"]]
    keys = [store._key("SUM", MONTH, c) for c in report["versions"]]

    def page() -> str:
        r = app.get(path, headers=cookie)
        assert r.status == 200, (r.status, r.body[:500])
        return r.body.decode()

    def bare() -> int:
        got = store.db.get_item(TableName=store.table, Key={"pk": _s(f"REPORT#{MONTH}"), "sk": _s("SUMMARY")},
                                ConsistentRead=True)
        assert "Item" in got
        return len(store._batch_get(keys))

    body = page()  # untimed: warm and checked
    assert all(p in body for p in providers) and "Enligt nattens rapport" in body
    assert bare() == len(keys)
    profile_if("BENCH_FOLLOWUP_PROFILE", page)
    pages, bares = alternated(REPEATS, page, bare)
    p, b = statistics.median(pages), statistics.median(bares)
    ratio = statistics.median(x / y for x, y in zip(pages, bares))
    print(f"# followup_pages: {CLIENTS} clients, {n_visits} visits, {len(keys)} client-month summaries, "
          f"{len(providers)} providers (loaded and built in {loaded:.1f} s); medians of {REPEATS}, alternated: "
          f"page {p * 1000:.0f} ms ({' '.join(f'{x * 1000:.0f}' for x in pages)}), bare reads {b * 1000:.0f} ms "
          f"({' '.join(f'{x * 1000:.0f}' for x in bares)}); ratio of the medians {p / b:.2f}")
    print(f"followup_pages: ratio={ratio:.2f}")
    gc.unfreeze()


if __name__ == "__main__":
    main()
