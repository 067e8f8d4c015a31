"""A month's report from every client-month's summary (``rebuild``, on demand and when the totals
missed a change), and every client-month's result again from its state first (``recompute``, after
the report's rules change: ``make report MONTH=… RECOMPUTE=1``)."""
from __future__ import annotations

import queue
import threading
from collections import defaultdict
from datetime import datetime, timezone
from typing import Iterator, TypeVar

from ...domain.errors import Conflict
from ...observability import get_logger
from ..domain.client_month import compute
from ..domain.fold import add_result, report_of
from ..domain.totals import Accumulator, bring
from ..ports import Progress, ReportsDeps, ReportsStore

logger = get_logger("reports")
T = TypeVar("T")


def rebuild(deps: ReportsDeps, month: str, progress: Progress | None = None, rebase: bool = False) -> dict:
    """A month from every client-month's summary (on demand). ``rebase``: also sets the month's
    totals from them (each part only if no consumer wrote it meanwhile)."""
    store, started = deps.store, deps.clock()
    accs = store.accumulators([(month, k) for k in range(store.acc_shards)]) if rebase else {}
    aggs: dict[str, dict] = {}
    versions: dict[str, int] = {}
    latest = ""
    parts: dict[int, list[tuple[str, int, dict]]] = defaultdict(list)
    pages = (list(store.summaries_in(month, shard)) for shard in range(store.shards))
    for done, page in enumerate(prefetched(pages), start=1):  # the next part is read while this one adds up
        for client, version, result in page:
            add_result(aggs, result)
            versions[client] = version
            touched_at = result.get("touched_at") or ""
            if touched_at > latest:
                latest = touched_at
            if rebase:
                parts[store.accumulator_of(client)].append((client, version, result))
        if progress:
            progress(done, store.shards)
    report = store_report(store, month, aggs, versions, latest, started, "full")
    for (_, shard), acc in sorted(accs.items()):
        fresh = Accumulator(month, shard, version=acc.version)
        for client, version, result in parts.get(shard, []):
            bring(fresh, client, version, {0: None, version: result})
        try:
            store.save_accumulator(fresh)
        except Conflict:
            logger.warning("month totals changed during a rebuild; left as they are")
    return report


def store_report(store: ReportsStore, month: str, aggs: dict[str, dict], versions: dict[str, int], latest: str,
                 started: datetime, kind: str) -> dict:
    """The report made of the totals ``aggs`` and kept with the versions it was built from."""
    report = report_of(month, aggs, built_at=started, kind=kind, client_months=len(versions), data_until=latest)
    report["touched_until"] = started.astimezone(timezone.utc).isoformat()
    report["versions"] = versions
    store.save_report(report)
    logger.info("report built", extra={"month": month, "kind": kind, "client_months": len(versions)})
    return report


def recompute(deps: ReportsDeps, month: str, progress: Progress | None = None) -> dict:
    """Every client-month's result again from its state (after the report's rules change), then a
    full rebuild that also sets the month's totals."""
    store = deps.store
    at = deps.clock().astimezone(timezone.utc).isoformat()
    for shard in range(store.shards):
        fresh = []
        for cm in store.client_months_in(month, shard):
            result = compute(cm)
            if result != cm.result:
                store.save_client_month(cm, result)  # a Conflict stops the command: run it again
                fresh.append((*cm.key, cm.version, result))
        if fresh:
            store.save_summaries(fresh, at)
        if progress:
            progress(shard + 1, store.shards * 2)
    return rebuild(deps, month, rebase=True,
                   progress=(lambda done, total: progress(total + done, total * 2)) if progress else None)


def prefetched(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``items`` produced by a reader thread, up to ``depth`` ahead: reading (waiting on the store)
    and computing overlap, while the reads stay one at a time."""
    done = object()
    ahead: queue.Queue = queue.Queue(maxsize=depth)

    def read() -> None:
        try:
            for item in items:
                ahead.put(item)
            ahead.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            ahead.put(exc)

    reader = threading.Thread(target=read, name="reports-prefetch", daemon=True)
    reader.start()
    while True:
        item = ahead.get()
        if item is done:
            break
        if isinstance(item, BaseException):
            raise item
        yield item
    reader.join()
