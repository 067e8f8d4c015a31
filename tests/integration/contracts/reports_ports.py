"""The reports ports twice over for the contract tests: the in-memory fake of the unit tier, and the
DynamoDB adapter as ``services.reports.bootstrap`` wires it, over the reports table on moto.

The table is shared by the session, so each test takes months of its own (``a_month``) and new
clients."""
from __future__ import annotations

import copy
import itertools
import random
from functools import cache

import pytest

from services.contracts.events import DecisionPublished
from services.reports.domain.client_month import ClientMonth, compute, grant_entries, month_key, parse_month
from services.reports.ports import ReportsStore
from services.synthetic import month_events
from tests.support.fakes.reports import FakeReportsStore
from tests.support.people import new_pnr

# Years no other test writes in, and a new one per call: a month's reads see this test's items only.
CLIENT = "194001013186"  # whose results a_result gives
_years = itertools.count(random.Random().randrange(3000, 9000, 100))


@pytest.fixture(params=["dynamodb", "memory"])
def store(request) -> ReportsStore:
    if request.param == "memory":
        return FakeReportsStore()
    request.getfixturevalue("aws")
    from services.reports.adapters.dynamo import reports_store

    return reports_store()


def a_month() -> str:
    return month_key(next(_years), 10)


def a_client() -> str:
    return new_pnr(1940)


def a_client_month(month: str, client: str | None = None, seed: int = 7) -> ClientMonth:
    """A client-month of ``month`` holding one synthetic client's events (visits, absences, the
    decisions' grants), as the consumer keeps it."""
    year, mon = parse_month(month)
    cm = ClientMonth(year, mon, client or a_client())
    for envelope in month_events(seed, clients=1):
        event = envelope.parse()
        if isinstance(event, DecisionPublished):
            cm.grants += grant_entries(event)
        else:
            cm.apply(event, envelope.occurred_at)
    return cm


def a_result(seed: int = 7) -> dict:
    """A client-month's result as ``compute`` makes it (plain JSON with histograms); the same for
    the same seed."""
    return copy.deepcopy(_result(seed))


@cache
def _result(seed: int) -> dict:
    return compute(a_client_month("2026-10", CLIENT, seed=seed))
