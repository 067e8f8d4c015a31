"""The composition root of visits."""
from __future__ import annotations

import os
from functools import cache

from ..adapters.messaging import SnsPublisher
from ..aws import table
from ..contracts.events import Envelope
from .model import VisitEvent
from .service import VisitsDeps, on_domain_event, process_events


@cache
def deps() -> VisitsDeps:
    limit = os.environ.get("VISITS_TAG_LIMIT")
    return VisitsDeps(table=table("visits"), publisher=SnsPublisher(),
                      **({"tag_limit": int(limit)} if limit else {}))


def handle_visit_events(batch: list[tuple[str, VisitEvent]]) -> set[str]:
    return process_events(deps(), batch)


def handle_domain_event(envelope: Envelope) -> str:
    return on_domain_event(deps(), envelope)
