"""What the use cases of visits are given: the repository (the only door to the table), the
clock, the limits and the ingest queue. ``bootstrap.py`` builds the real one; tests pass fakes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..clock import Clock, utc_now
from ..domain.errors import Unavailable
from . import rules


@dataclass
class VisitsDeps:
    repo: Any  # a VisitsRepository, or a fake with its methods
    send: Any  # (queue, bodies, ids=) -> the ids that failed
    clock: Clock = utc_now
    clock_skew: timedelta = rules.CLOCK_SKEW
    long_visit_minutes: int = rules.LONG_VISIT_MINUTES
    tag_limit: int = rules.TAG_LIMIT
    # What the store raises when it fails (worth a redelivery, never an event's fault)
    store_errors: tuple[type[Exception], ...] = (Unavailable,)
