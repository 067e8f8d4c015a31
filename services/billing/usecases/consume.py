"""Billing's inbox, the event consumer: folds other services' events into billing's read model.

What each event changes is ``domain/inbox.py`` (read with the shared contract models). Safe under
at-least-once delivery: per visit the highest version wins (a deleted visit leaves a tombstone,
so an older update arriving late cannot bring it back); per absence the highest revision wins (an
ended absence is not reopened by its registration arriving late); decisions and reports are keyed
by their ids, so a redelivery rewrites the same. A batch is grouped by the item it changes: each
item is read once, folded, written once, conditioned on its revision; a group that fails fails
only its own messages.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...contracts.events import Envelope, UnknownEvent
from ...domain.errors import Conflict
from ..domain.inbox import Fold, Key, changes_of
from ..ports import BillingDeps, BillingStore

ATTEMPTS = 3


def _apply(store: BillingStore, key: Key, folds: list[Fold]) -> None:
    if key[0] == "report":
        report = None
        for fold in folds:
            report = fold(report)
        store.put_report(report)
        return
    for attempt in range(ATTEMPTS):
        if key[0] == "cm":
            current, rev = store.client_month(*key[1:])
        else:
            current = store.client(key[1])
            rev = current.rev
        folded = current
        for fold in folds:
            folded = fold(folded)
        if folded == current and rev:
            return
        try:
            if key[0] == "cm":
                store.save_client_month(folded, rev)
            else:
                store.save_client(folded.model_copy(update={"rev": rev + 1}), rev)
            return
        except Conflict:
            if attempt == ATTEMPTS - 1:
                raise


def apply_batch(store: BillingStore, messages: Iterable[tuple[str, Envelope]], log: Any = None) -> set[str]:
    """Folds a batch in; returns the message ids that failed (they come back; then the DLQ)."""
    failed: set[str] = set()
    groups: dict[Key, list[tuple[str, Fold]]] = {}
    for message_id, envelope in messages:
        try:
            for key, fold in changes_of(envelope):
                groups.setdefault(key, []).append((message_id, fold))
        except (UnknownEvent, ValueError):
            if log:
                log.warning("event billing cannot read", extra={"event_type": envelope.event_type,
                                                                 "version": envelope.version})
            failed.add(message_id)
    for key, folds in groups.items():
        try:
            _apply(store, key, [f for _, f in folds])
        except Exception:  # noqa: BLE001 - this group's messages come back; the others stand
            if log:
                log.exception("billing could not store a change", extra={"kind": key[0]})
            failed |= {mid for mid, _ in folds}
    return failed


def consume(deps: BillingDeps):  # noqa: ANN201
    """The inbox's batch handler: ``(message_id, envelope)`` pairs in, failed message ids out."""
    from ...observability import get_logger

    log = get_logger("billing")

    def handle_all(messages: list) -> set[str]:
        return apply_batch(deps.store, messages, log)

    return handle_all
