"""Use cases of follow-up reports: the inbox consumer, the nightly build, a full rebuild, reading.

- ``consume``: a batch of events from the reports inbox. Per client-month it reads the state once,
  applies every event (idempotent, order-independent: the highest visit version wins), writes the
  state once (conditional on its version), recomputes the client-month's result, and leaves it,
  with the version, as a change for the next nightly build. A conflicting writer fails only that client-month's messages (they come back).
- ``nightly``: 02:00 Stockholm (``schedule``), once a night; each month touched since its report
  folds in the touched client-months' results. ``rebuild``: a month from every client-month's
  state, on demand. Both give the same report for the same events.
- ``read_report``: the ordering unit every provider; provider staff only their own (403 for
  another's); the rows, the CSV and the chart come from the same published results.
"""
from __future__ import annotations

import queue
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator, TypeVar

from ..auth.principal import Principal, Role
from ..clock import Clock, utc_now
from ..contracts.events import (AbsenceRegistered, DecisionPublished, Envelope, RejectedEventsChanged,
                                VisitChanged)
from ..domain.calendar import is_month_open
from ..domain.errors import Forbidden, NotFound
from ..observability import get_logger
from . import schedule
from .domain import compute, decision_months, grant_entries, month_key, parse_month
from .fold import summarize
from .ports import Progress, ReportsStore

logger = get_logger("reports")
T = TypeVar("T")
OVERLAP = timedelta(minutes=10)  # markers re-read from before the previous build (clock skew)


@dataclass
class ReportsDeps:
    store: ReportsStore
    clock: Clock = utc_now


# -- the inbox ------------------------------------------------------------------------------------

def _months_between(start: date, end: date) -> list[str]:
    out, d = [], start.replace(day=1)
    while d <= end:
        out.append(month_key(d.year, d.month))
        d = (d + timedelta(days=32)).replace(day=1)
    return out


def consume(deps: ReportsDeps, batch: list[tuple[str, Envelope]]) -> set[str]:
    """Applies a batch; returns the message ids to redeliver."""
    store, now = deps.store, deps.clock()
    failed: set[str] = set()
    work: dict[tuple[str, str], list[tuple[str, Any, datetime]]] = defaultdict(list)
    decisions: dict[str, list[tuple[str, DecisionPublished]]] = defaultdict(list)
    for message_id, envelope in batch:
        try:
            event = envelope.parse()
        except ValueError:
            logger.warning("event of an unknown version", extra={"event_type": envelope.event_type,
                                                                 "version": envelope.version})
            failed.add(message_id)
            continue
        if isinstance(event, VisitChanged):
            work[(month_key(event.year, event.month), str(event.client))].append((message_id, event,
                                                                                 envelope.occurred_at))
        elif isinstance(event, AbsenceRegistered):
            for m in _months_between(event.starts_on, event.ends_on or event.starts_on):
                work[(m, str(event.client))].append((message_id, event, envelope.occurred_at))
        elif isinstance(event, RejectedEventsChanged):
            work[(month_key(event.day.year, event.day.month), str(event.client))].append(
                (message_id, event, envelope.occurred_at))
        elif isinstance(event, DecisionPublished):
            decisions[str(event.client)].append((message_id, event))
    grants = store.grants(sorted({c for _, c in work} | set(decisions)))
    # decisions: kept per client; they recompute the client's months they reach
    grant_messages: dict[str, set[str]] = defaultdict(set)
    reached: dict[tuple[str, str], set[str]] = defaultdict(set)  # a decision's message per month it recomputes
    changed_grants: set[str] = set()
    for client, items in decisions.items():
        g = grants[client]
        for message_id, event in items:
            grant_messages[client].add(message_id)
            entries = grant_entries(event)
            if g.decisions.get(event.decision_id) != entries and (entries or event.decision_id in g.decisions):
                g.decisions[event.decision_id] = entries
                changed_grants.add(client)
            # It recomputes the client's months it reaches; for the provider it names, it opens the
            # months still open for registration (a client granted time but not yet visited is in
            # the report).
            reach = [month_key(y, m) for y, m in decision_months(event, now)]
            opens = {m for m in reach[-2:] if is_month_open(*parse_month(m), now)} \
                if getattr(event, "provider_id", None) else set()
            for m in sorted(set(reach) & set(g.months) | opens):
                work.setdefault((m, client), [])
                reached[(m, client)].add(message_id)
    states = store.client_months(sorted(work))
    messages: dict[tuple[str, str], set[str]] = {k: {mid for mid, _, _ in v} | reached[k] for k, v in work.items()}
    changed: set[tuple[str, str]] = set()
    for key, items in work.items():
        cm = states[key]
        for _, event, occurred_at in items:
            if cm.apply(event, occurred_at):
                changed.add(key)
        g = grants[key[1]]
        if cm.grants != g.entries:
            cm.grants = g.entries
            changed.add(key)
        if key[0] not in g.months and (cm.visits or cm.absences or cm.rejected or g.decisions):
            g.months.append(key[0])
            changed_grants.add(key[1])
    for client in sorted(changed_grants):
        try:
            store.save_grants(grants[client])
        except Exception:  # noqa: BLE001 - Conflict or the store: these messages come back
            logger.warning("grants not saved; redelivering")
            failed |= grant_messages[client] | {m for k, ids in messages.items() if k[1] == client for m in ids}
            for k in [k for k in work if k[1] == client]:
                work.pop(k)
    touched: list[tuple[dict, int]] = []
    for key in sorted(work):
        cm = states[key]
        if not (cm.visits or cm.absences or cm.rejected or grants[key[1]].decisions):
            continue
        try:
            if key in changed:
                store.save_client_month(cm)
        except Exception:  # noqa: BLE001 - a concurrent writer or the store: these messages come back
            logger.warning("client-month not saved; redelivering")
            failed |= messages[key]
            continue
        touched.append((compute(cm), cm.version))
    try:
        store.touch(touched, now.astimezone(timezone.utc).isoformat())
    except Exception:  # noqa: BLE001 - states are saved; redelivery recomputes and marks again
        logger.warning("results not saved; redelivering")
        failed |= {m for r, _ in touched for m in messages[(r["month"], r["client"])]}
    return failed


# -- building reports ------------------------------------------------------------------------------

def nightly(deps: ReportsDeps, fired_at: datetime | None = None) -> list[str]:
    """The scheduled build: only the firing at 02:00 Stockholm proceeds, once a night."""
    now = fired_at or deps.clock()
    if not schedule.is_nightly_run(now):
        return []
    night = schedule.night_of(now).isoformat()
    if not deps.store.claim_night(night):
        return []
    try:
        built = []
        for month, touched_at in sorted(deps.store.touched_months().items()):
            report = deps.store.report(month)
            if report is None or touched_at > (report.get("touched_until") or ""):
                build(deps, month)
                built.append(month)
        return built
    except Exception:
        deps.store.release_night(night)
        raise


def build(deps: ReportsDeps, month: str) -> dict:
    """The incremental build: the previous report's results with those of the client-months touched
    since (recomputed by the consumer when their events came). A month without a report yet is
    rebuilt in full."""
    store, started = deps.store, deps.clock()
    report = store.report(month)
    if report is None:
        return rebuild(deps, month)
    since = (datetime.fromisoformat(report["touched_until"]) - OVERLAP).isoformat()
    fresh = store.touched_since(month, since)
    published = store.published(month)
    published.update(fresh)
    clients = set(fresh)
    summary = summarize(month, published.values(), built_at=started, kind="incremental")
    summary["touched_until"] = started.astimezone(timezone.utc).isoformat()
    summary["recomputed"] = len(clients)
    store.publish(month, published, changed=clients)
    store.save_report(summary)
    logger.info("report built", extra={"month": month, "kind": "incremental", "touched": len(clients)})
    return summary


def rebuild(deps: ReportsDeps, month: str, progress: Progress | None = None) -> dict:
    """A month from every client-month's state (on demand, and a month's first build)."""
    store, started = deps.store, deps.clock()
    results: dict[str, dict] = {}
    parts = (list(store.client_months_in(month, shard)) for shard in range(store.shards))
    for done, cms in enumerate(prefetched(parts), start=1):  # the next part is read while this one computes
        for cm in cms:
            results[cm.client] = compute(cm)
        if progress:
            progress(done, store.shards)
    summary = summarize(month, results.values(), built_at=started, kind="full")
    summary["touched_until"] = started.astimezone(timezone.utc).isoformat()
    summary["recomputed"] = len(results)
    store.publish(month, results)
    store.save_report(summary)
    logger.info("report built", extra={"month": month, "kind": "full", "client_months": len(results)})
    return summary


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


# -- reading ---------------------------------------------------------------------------------------

def scope(who: Principal, provider_id: str | None) -> str | None:
    """The provider whose report ``who`` may read (None: all). Provider staff read only their own."""
    if who.role == Role.PROVIDER_STAFF:
        if provider_id and provider_id != who.provider_id:
            raise Forbidden("provider staff read only their own provider's report")
        return who.provider_id
    return provider_id


def read_report(deps: ReportsDeps, who: Principal, month: str, provider_id: str | None = None,
                with_rows: bool = True) -> dict:
    provider = scope(who, provider_id)
    report = deps.store.report(month)
    if report is None:
        raise NotFound(f"no report for {month} yet: reports are built every night at 02:00")
    providers = [p for p in report["providers"] if provider is None or p["provider_id"] == provider]
    out = {k: report[k] for k in ("month", "built_at", "data_until", "build")}
    out["providers"] = providers
    out["municipality"] = report["municipality"] if provider is None else None
    out["rows"] = rows_of(deps.store.published(month), provider) if with_rows else []
    return out


def rows_of(published: dict[str, dict], provider: str | None) -> list[dict]:
    """One row per client, provider and insats (absence days and continuity are the client's)."""
    from ..domain.personnummer import mask

    rows = []
    for client in sorted(published):
        result = published[client]
        for part in result["parts"]:
            if provider is not None and part["provider"] != provider:
                continue
            counted = [c for c in part["continuity"] if c is not None]
            base = {"provider_id": part["provider"], "client": mask(client), "aged_65": part["aged_65"],
                    "absence_days": part["absence_days"],
                    "continuity_max": max(counted) if counted else None}
            for row in part["rows"] or [{"insats": "", "granted": 0, "performed": 0, "approved": 0, "visits": 0,
                                         "double_staffed": 0, "without_decision": False}]:
                rows.append({**base, **row, "share_performed": (round(row["performed"] / row["granted"], 4)
                                                                 if row["granted"] else None)})
    return rows




@dataclass(frozen=True)
class ReportFile:
    body: str
    content_type: str
    filename: str


def report_file(deps: ReportsDeps, who: Principal, month: str, provider_id: str | None, kind: str) -> ReportFile:
    """The same report as a CSV of its rows or an SVG chart of performed against granted time."""
    from . import render

    report = read_report(deps, who, month, provider_id, with_rows=kind == "csv")
    suffix = f"-{provider_id}" if provider_id else ""
    if kind == "csv":
        return ReportFile(render.to_csv(report), "text/csv; charset=utf-8", f"uppfoljning-{month}{suffix}.csv")
    return ReportFile(render.to_svg(report), "image/svg+xml; charset=utf-8", f"uppfoljning-{month}{suffix}.svg")
