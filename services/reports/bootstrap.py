"""The composition root of reports."""
from __future__ import annotations

from functools import cache

from ..contracts.events import Envelope
from .service import ReportsDeps, consume, nightly


@cache
def deps() -> ReportsDeps:
    from ..aws import client
    from ..settings import settings
    from .store import DynamoReportsStore

    return ReportsDeps(store=DynamoReportsStore(client("dynamodb"), settings().name("reports")))


def handle_events(batch: list[tuple[str, Envelope]]) -> set[str]:
    return consume(deps(), batch)


def run_nightly() -> list[str]:
    return nightly(deps())
