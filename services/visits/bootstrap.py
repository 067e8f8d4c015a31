"""The composition root of visits."""
from __future__ import annotations

import os
from functools import cache

from ..adapters.messaging import send_batch
from ..aws import table
from ..contracts.events import Envelope
from .deps import VisitsDeps
from .model import QueuedEvents
from .repository import STORE_ERRORS, VisitsRepository
from .service import ingest_events, on_domain_event


@cache
def deps() -> VisitsDeps:
    limit = os.environ.get("VISITS_TAG_LIMIT")
    return VisitsDeps(repo=VisitsRepository(table("visits")), send=send_batch, store_errors=STORE_ERRORS,
                      **({"tag_limit": int(limit)} if limit else {}))


def handle_visit_events(batch: list[tuple[str, QueuedEvents]]) -> set[str]:
    return ingest_events(deps(), [(message_id, e) for message_id, queued in batch for e in queued.events])


def handle_domain_event(envelope: Envelope) -> str:
    return on_domain_event(deps(), envelope)
