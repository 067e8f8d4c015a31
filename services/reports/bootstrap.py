"""The composition root of reports. Light on purpose: the app imports it at cold start, and the
use cases and the event contracts load with the first request, message or schedule."""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..contracts.events import Envelope
    from .service import ReportsDeps


@cache
def deps() -> ReportsDeps:
    from ..aws import client
    from ..settings import settings
    from .service import ReportsDeps
    from .store import DynamoReportsStore

    return ReportsDeps(store=DynamoReportsStore(client("dynamodb"), settings().name("reports")))


def handle_events(batch: list[tuple[str, Envelope]]) -> set[str]:
    from .service import consume

    return consume(deps(), batch)


def run_nightly(month: str | None = None) -> list[str]:
    """The nightly build; with ``month`` (an operator's on-demand firing) that month is built now."""
    from .service import build, nightly

    if month is not None:
        build(deps(), month)
        return [month]
    return nightly(deps())
