"""reports_rebuild and reports_incremental, on the synthetic month, against a moto server in its own
process (its garbage collections stay out of our timed windows), measured in one run:

- ``reports_rebuild``: a full rebuild of the month ÷ a bare paginated read of the same items from
  the same table. A full rebuild reads the month's client-month summaries (``SUM#<month>#<shard>``,
  one per client-month, kept by the consumer) with one paginated query per shard; the bare read is
  those 32 queries with their pages and nothing else (no parsing of the results, no adding up, no
  report written). The rebuild does all of that on top.
- ``reports_incremental``: the nightly build after 1 % of the visits changed (a later version each,
  through the inbox consumer's use case in SQS-sized batches, which recomputes the client-months and
  the month's totals as the events come) ÷ the full rebuild. It must equal a full rebuild.

The read and the rebuild are alternated three times (``BENCH_REPORTS_REPEATS``) and the medians kept;
``gc.collect()`` runs before each timed window.

Prints the absolute seconds and the rebuild's peak memory (tracemalloc, in a second, traced run).
``BENCH_REPORTS_CLIENTS`` sizes the month: the whole synthetic month by default (1,000 clients,
≈ 89,000 visits, loaded through the consumer in large batches before anything is timed).

On moto a Query costs time in proportion to the whole table, not only to the partition it reads
(its in-memory table is scanned and sorted per call): both sides of ``reports_rebuild`` pay that
alike, and it makes the full rebuild, the denominator of ``reports_incremental``, slower than it
would be on DynamoDB. The absolute seconds are printed for that reason.
"""
from __future__ import annotations

import gc
import os
import random
import statistics
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

from bench._measure import timed

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_REPORTS_CLIENTS", "1000"))
REPEATS = int(os.environ.get("BENCH_REPORTS_REPEATS", "3"))
MONTH = "2026-10"


def main() -> None:
    from bench.moto_process import moto_process

    with moto_process(str(ROOT)) as port:
        _run(port)


def _run(port: int) -> None:
    from infra.provision import local_session, provision
    from services.adapters.aws import client
    from services.contracts.events import VisitChangedV2, split_minutes
    from services.domain.calendar import STOCKHOLM
    from services.reports.adapters.dynamo import DynamoReportsStore
    from services.reports.cli import load
    from services.reports.ports import ReportsDeps
    from services.reports.usecases.build import build
    from services.reports.usecases.consume import consume
    from services.reports.usecases.rebuild import rebuild
    from services.settings import settings
    from services.synthetic import month_events

    provision(local_session(f"http://127.0.0.1:{port}", "eu-north-1"), prefix="insats", region="eu-north-1")
    store = DynamoReportsStore(client("dynamodb"), settings().name("reports"))
    evening = datetime(2026, 10, 31, 20, tzinfo=STOCKHOLM)
    events = list(month_events(2026, clients=CLIENTS))
    started = time.perf_counter()
    assert load(ReportsDeps(store=store, clock=lambda: evening), events) == 0
    loaded = time.perf_counter() - started
    visits = {}
    for e in events:
        if e.event_type == "visit.changed":
            visits[e.payload["visit_id"]] = e
    # 1 % of the visits will change after the build: a later version of each (approved, 7 minutes longer)
    picked = random.Random(1).sample(sorted(visits), max(1, len(visits) // 100))
    changes = []
    for visit_id in picked:
        v = visits[visit_id].parse()
        minutes = v.visit.minutes + 7
        content = v.visit.model_copy(update={"status": "approved", "minutes": minutes, "insatser": split_minutes(
            minutes, [i.insats for i in v.visit.insatser])})
        changes.append(VisitChangedV2(**{**v.model_dump(exclude={"visit"}), "visit_version": v.visit_version + 1},
                                      visit=content).envelope("visits"))
    n_visits, n_events = len(visits), len(events)
    touched = len({(visits[v].payload["client"]) for v in picked})
    # What the setup holds (~90,000 parsed events) is no part of a rebuild: out of the collector's way.
    del events, visits
    gc.collect()
    gc.freeze()
    night = [evening + timedelta(hours=6)]
    deps = ReportsDeps(store=store, clock=lambda: night[0])

    # Alternated, three times each, medians kept: the machine is shared and one window can swing.
    raws, fulls = [], []
    store.raw_read(MONTH)  # untimed: the client's first Query loads botocore's parser for it
    for _ in range(REPEATS):
        seconds, items = timed(lambda: store.raw_read(MONTH))
        raws.append(seconds)
        seconds, report = timed(lambda: rebuild(deps, MONTH))
        fulls.append(seconds)
    raw_s, full_s = statistics.median(raws), statistics.median(fulls)
    # For scale: the same summaries by key, which moto serves without scanning its whole table.
    by_key_s, by_key = timed(lambda: store.summaries_by_key(MONTH, sorted(report["versions"])))
    assert by_key == items

    night[0] += timedelta(hours=1)
    consumer_s, failed = timed(lambda: sum(len(consume(deps, [(e.event_id, e) for e in changes[i:i + 10]]))
                                           for i in range(0, len(changes), 10)))
    assert failed == 0
    night[0] += timedelta(hours=1)
    incr_s, incremental = timed(lambda: build(deps, MONTH))
    assert incremental["build"] == "incremental"

    gc.collect()
    tracemalloc.start()
    again = rebuild(deps, MONTH)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    for r in (again, incremental):
        for k in ("built_at", "build", "touched_until"):
            r.pop(k)
    assert again == incremental, "the incremental build differs from a full rebuild"

    m = report["municipality"]
    print(f"# reports: {CLIENTS} clients, {n_visits} visits, {n_events} events, {items} client-month items "
          f"(loaded through the consumer in {loaded:.1f} s); performed {m['performed_minutes'] // 60} h of granted "
          f"{m['granted_minutes'] // 60} h")
    print(f"# reports_rebuild: full rebuild {full_s:.2f} s, bare paginated read of the same items {raw_s:.2f} s "
          f"(medians of {REPEATS}, alternated: rebuilds {' '.join(f'{x:.2f}' for x in fulls)}, reads "
          f"{' '.join(f'{x:.2f}' for x in raws)}), peak memory of the rebuild {peak / 2**20:.1f} MiB (tracemalloc)")
    print(f"# reports_incremental: {len(changes)} visits changed (1 %) in {touched} client-months; the consumer "
          f"took them in {consumer_s:.2f} s ({len(changes) / 10:.0f} SQS-sized batches, recomputing each "
          f"client-month touched), the nightly build {incr_s:.3f} s; equal to a full rebuild")
    print(f"# for scale: the same {by_key} summaries read by key (BatchGetItem, no table scan on moto) "
          f"{by_key_s:.2f} s; the nightly build is {incr_s / by_key_s:.3f} of that")
    print(f"reports_rebuild: ratio={full_s / raw_s:.2f}")
    print(f"reports_incremental: ratio={incr_s / full_s:.3f}")
    gc.unfreeze()


if __name__ == "__main__":
    main()
