"""The composition root of visits. Light on purpose: the app imports it at cold start, and the
adapters, the use cases and the event contracts load with the first request or message."""
from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..contracts.events import Envelope
    from .domain.model import QueuedEvents
    from .ports import VisitsDeps


@cache
def deps() -> VisitsDeps:
    from ..adapters.messaging import send_batch
    from .adapters.wiring import table_adapters
    from .ports import VisitsDeps

    limit = os.environ.get("VISITS_TAG_LIMIT")
    return VisitsDeps(**table_adapters(), send=send_batch, **({"tag_limit": int(limit)} if limit else {}),
                      municipality=os.environ.get("BILLING_MUNICIPALITY") or "haninge")


def handle_visit_events(batch: list[tuple[str, QueuedEvents]]) -> set[str]:
    from .usecases.processing import ingest_events

    return ingest_events(deps(), [(message_id, e) for message_id, queued in batch for e in queued.events])


def handle_domain_event(envelope: Envelope) -> str:
    from .usecases.domain_events import on_domain_event

    return on_domain_event(deps(), envelope)
