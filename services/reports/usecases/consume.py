"""The reports inbox: a batch of events becomes client-months, their summaries and the month's totals.

Per client-month it reads the state once, applies every event (idempotent, order-independent: the
highest visit version wins), recomputes the result and writes both once (conditional on the
version); the result is then the client-month's summary, and the month's totals (``Accumulator``)
take the old result out and the new one in. A client-month's last days feed the next month's first
windows of continuity, so a change there recomputes the next month too. A conflicting writer fails
only that client-month's messages (they come back, and a redelivery completes what was left half
done). ``visit.changed`` and the other events are read with the shared contract models
(``Envelope.parse``).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ...contracts.events import AbsenceRegistered, DecisionPublished, Envelope, RejectedEventsChanged, VisitChanged
from ...domain.calendar import is_month_open
from ...observability import get_logger
from ..domain.client_month import (ClientMonth, compute, decision_months, grant_entries, month_key, parse_month,
                                   shift_month, tail_of)
from ..domain.totals import bring
from ..ports import ReportsDeps, ReportsStore

logger = get_logger("reports")


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
