"""The composition root of reports. Light on purpose: the app imports it at cold start, and the
use cases, the adapter and the event contracts load with the first request, message or schedule."""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..contracts.events import Envelope
    from .ports import ReportsDeps


@cache
def deps() -> ReportsDeps:
    from .adapters.dynamo import reports_store, web_sessions
    from .ports import ReportsDeps

    return ReportsDeps(store=reports_store(), sessions=web_sessions())


def handle_events(batch: list[tuple[str, Envelope]]) -> set[str]:
    from .usecases.consume import consume

    return consume(deps(), batch)


def run_nightly(month: str | None = None) -> list[str]:
    """The nightly build; with ``month`` (an operator's on-demand firing) that month is built now."""
    from .usecases.build import build, nightly

    if month is not None:
        build(deps(), month)
        return [month]
    return nightly(deps())
