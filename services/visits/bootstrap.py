"""The composition root of visits. Light on purpose: the app imports it at cold start, and the
repository, the use cases and the event contracts load with the first request or message."""
from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..contracts.events import Envelope
    from .deps import VisitsDeps
    from .model import QueuedEvents


@cache
def deps() -> VisitsDeps:
    from ..adapters.messaging import send_batch
    from ..aws import table
    from .deps import VisitsDeps
    from .repository import STORE_ERRORS, VisitsRepository

    limit = os.environ.get("VISITS_TAG_LIMIT")
    return VisitsDeps(repo=VisitsRepository(table("visits")), send=send_batch, store_errors=STORE_ERRORS,
                      **({"tag_limit": int(limit)} if limit else {}))


def handle_visit_events(batch: list[tuple[str, QueuedEvents]]) -> set[str]:
    from .service import ingest_events

    return ingest_events(deps(), [(message_id, e) for message_id, queued in batch for e in queued.events])


def handle_domain_event(envelope: Envelope) -> str:
    from .service import on_domain_event

    return on_domain_event(deps(), envelope)
