"""Use cases of follow-up reports: the inbox consumer, the nightly build, a full rebuild, reading.

- ``consume``: a batch of events from the reports inbox. Per client-month it reads the state once,
  applies every event (idempotent, order-independent: the highest visit version wins), recomputes
  the result and writes both once (conditional on the version); the result is then the client-
  month's summary, and the month's totals (``Accumulator``) take the old result out and the new
  one in. A client-month's last days feed the next month's first windows of continuity, so a
  change there recomputes the next month too. A conflicting writer fails only that client-month's
  messages (they come back, and a redelivery completes what was left half done).
- ``nightly``: 02:00 Stockholm (``schedule``), once a night, ``build`` for each month changed since
  its report: the totals as the consumer left them (one read), made into the report. ``rebuild``:
  a month from every client-month's summary, on demand. Both give the same report for the same
  events. ``recompute``: every client-month's result again from its state (after the rules change).
- ``read_report``: the ordering unit every provider; the provider's coordinator and management
  only their own (403 for another's); a case worker only the rows of their own clients (those
  whose decisions name them as the case's case worker), without the providers' and municipality's
  totals; the rows, the CSV and the chart come from the results of the versions the report was
  built from.
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
from ..domain.errors import Conflict, Forbidden, NotFound
from ..observability import get_logger
from . import schedule
from .domain import (ClientMonth, compute, decision_months, grant_entries, month_key, parse_month, shift_month,
                     tail_of)
from .fold import add_result, merge, report_of
from .ports import Accumulator, Progress, ReportsStore

logger = get_logger("reports")
T = TypeVar("T")


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
    # The months around each one: the one before gives its last days, the one after takes them.
    neighbours = {(shift_month(m, n), c) for m, c in work for n in (-1, 1)
                  if shift_month(m, n) in grants[c].months}
    states = store.client_months(sorted(set(work) | neighbours))
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
        if key[0] not in g.months and (not cm.empty or g.decisions):
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
    # In client and month order, so that a month's new last days reach the next month.
    after = {(shift_month(m, 1), c) for m, c in work} & neighbours
    order = sorted(set(work) | after, key=lambda k: (k[1], k[0]))
    done: list[tuple[ClientMonth, dict[int, dict | None]]] = []
    lost: set[tuple[str, str]] = set()
    for key in order:
        cm = states[key]
        month, client = key
        if key not in work:  # the month after: only when the last days it holds changed
            messages[key] = messages.get((shift_month(month, -1), client), set())
            if cm.version == 0:
                continue
        before = states.get((shift_month(month, -1), client))
        if before is not None and before.version > cm.tail_version and before.key not in lost:
            tail = tail_of(before)
            cm.tail_version = before.version
            if tail != cm.tail:
                cm.tail = tail
                changed.add(key)
        if key not in work and key not in changed:
            continue
        if cm.empty and not grants[client].decisions:
            continue
        known = {0: None, cm.version: cm.result, cm.version - 1: cm.previous} if cm.version else {0: None}
        if key in changed or cm.result is None:
            try:
                store.save_client_month(cm, compute(cm))
            except Exception:  # noqa: BLE001 - a concurrent writer or the store: these messages come back
                logger.warning("client-month not saved; redelivering")
                failed |= messages[key]
                lost.add(key)
                continue
            known[cm.version] = cm.result
        done.append((cm, known))
    if not done:
        return failed
    try:
        store.save_summaries([(*cm.key, cm.version, cm.result) for cm, _ in done],
                             now.astimezone(timezone.utc).isoformat())
    except Exception:  # noqa: BLE001 - states are saved; a redelivery writes the summaries again
        logger.warning("summaries not saved; redelivering")
        return failed | {m for cm, _ in done for m in messages[cm.key]}
    return failed | _bring_totals(store, done, messages)


def _bring_totals(store: ReportsStore, done: list[tuple[ClientMonth, dict[int, dict | None]]],
                  messages: dict[tuple[str, str], set[str]], attempts: int = 5) -> set[str]:
    """Brings each month's totals to the client-months' new versions: the result the totals hold
    for a client-month out, the new one in. Idempotent (a version already in is left); a totals
    part written meanwhile by another consumer is read again and retried."""
    by_part: dict[tuple[str, int], list[tuple[ClientMonth, dict[int, dict | None]]]] = defaultdict(list)
    for cm, known in done:
        by_part[(cm.key[0], store.accumulator_of(cm.client))].append((cm, known))
    pending = set(by_part)
    for _ in range(attempts):
        if not pending:
            break
        try:
            accs = store.accumulators(sorted(pending))
        except Exception:  # noqa: BLE001 - the store: these messages come back
            break
        for part, acc in accs.items():
            touched = False
            for cm, known in by_part[part]:
                touched |= bring(acc, cm.client, cm.version, known)
            if not touched:
                pending.discard(part)
                continue
            try:
                store.save_accumulator(acc)
            except Exception:  # noqa: BLE001 - another consumer wrote it (read again) or the store
                continue
            pending.discard(part)
    if pending:
        logger.warning("month totals not saved; redelivering")
    return {m for part in pending for cm, _ in by_part[part] for m in messages[cm.key]}


def bring(acc: Accumulator, client: str, version: int, known: dict[int, dict | None]) -> bool:
    """Brings one client-month into ``acc`` at ``version``; ``known``: its results by version (0:
    none). Returns whether ``acc`` changed. A version it holds that is not known (two changes
    missed) cannot be taken out exactly: the totals are marked for a full rebuild."""
    have = acc.versions.get(client, 0)
    if have >= version:
        return False
    if have in known:
        add_result(acc.providers, known[have], -1)
        add_result(acc.providers, known[version], 1)
    else:
        logger.warning("month totals missed a change; the next build is a full rebuild")
        acc.dirty = True
    acc.versions[client] = version
    result = known.get(version)
    if result and (result.get("touched_at") or "") > acc.latest:
        acc.latest = result["touched_at"]
    return True


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
    """The incremental build: the month's totals as the consumer keeps them (the client-months
    touched since the previous build were recomputed when their events came), made into the
    report. Totals marked as having missed a change give a full rebuild instead."""
    store, started = deps.store, deps.clock()
    accs = store.accumulators([(month, k) for k in range(store.acc_shards)])
    if any(a.dirty for a in accs.values()):
        return rebuild(deps, month, rebase=True)
    aggs: dict[str, dict] = {}
    versions: dict[str, int] = {}
    latest = ""
    for acc in accs.values():
        merge(aggs, acc.providers)
        versions.update(acc.versions)
        latest = max(latest, acc.latest)
    return _save(store, month, aggs, versions, latest, started, "incremental")


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
    report = _save(store, month, aggs, versions, latest, started, "full")
    for (_, shard), acc in sorted(accs.items()):
        fresh = Accumulator(month, shard, version=acc.version)
        for client, version, result in parts.get(shard, []):
            bring(fresh, client, version, {0: None, version: result})
        try:
            store.save_accumulator(fresh)
        except Conflict:
            logger.warning("month totals changed during a rebuild; left as they are")
    return report


def _save(store: ReportsStore, month: str, aggs: dict[str, dict], versions: dict[str, int], latest: str,
          started: datetime, kind: str) -> dict:
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


# -- reading ---------------------------------------------------------------------------------------

def scope(who: Principal, provider_id: str | None) -> str | None:
    """The provider whose report ``who`` may read (None: all). A provider's people read only their own."""
    if who.of_provider:
        if provider_id and provider_id != who.provider_id:
            raise Forbidden("a provider reads only its own report")
        return who.provider_id
    return provider_id


def read_report(deps: ReportsDeps, who: Principal, month: str, provider_id: str | None = None,
                with_rows: bool = True) -> dict:
    provider = scope(who, provider_id)
    case_worker = (who.user_id or who.subject) if who.role == Role.CASE_WORKER else None
    report = deps.store.report(month)
    if report is None:
        raise NotFound(f"no report for {month} yet: reports are built every night at 02:00")
    providers = [p for p in report["providers"] if provider is None or p["provider_id"] == provider]
    out = {k: report[k] for k in ("month", "built_at", "data_until", "build")}
    # A case worker's follow-up is their own clients' rows; the totals hold everyone's clients.
    out["providers"] = providers if case_worker is None else []
    out["municipality"] = report["municipality"] if provider is None and case_worker is None else None
    out["rows"] = rows_of(deps.store.results_at(month, report.get("versions", {})), provider,
                          case_worker) if with_rows else []
    return out


def rows_of(published: dict[str, dict], provider: str | None, case_worker: str | None = None) -> list[dict]:
    """One row per client, provider and insats (absence days and continuity are the client's);
    ``case_worker``: only the clients whose decisions name them."""
    from ..domain.personnummer import mask

    rows = []
    for client in sorted(published):
        result = published[client]
        if case_worker is not None and case_worker not in result.get("case_workers", ()):
            continue
        for part in result["parts"]:
            if provider is not None and part["provider"] != provider:
                continue
            counted = [c for c in part["continuity"] if c is not None]
            base = {"provider_id": part["provider"], "client": mask(client), "aged_65": part["aged_65"],
                    "absence_days": part["absence_days"],
                    "continuity_max": max(counted) if counted else None,
                    "visits_on_absence_days": part.get("visits_on_absence_days", [])}
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
