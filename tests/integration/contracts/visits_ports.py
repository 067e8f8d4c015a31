"""The visits ports twice over for the contract tests: the in-memory fakes of the unit tier, and
the DynamoDB adapters as ``services.visits.bootstrap`` wires them over the visits table on moto."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.visits.domain.days import ClientDay, DayKey
from services.visits.domain.model import RejectedEvent, StoredEvent, Visit, VisitEvent
from services.visits.ports import VisitsDeps
from tests.support.fakes.visits import fake_visits_deps
from tests.support.people import new_pnr

NOW = datetime(2026, 11, 20, 18, tzinfo=timezone.utc)


@pytest.fixture(params=["dynamodb", "memory"])
def ports(request) -> VisitsDeps:
    if request.param == "memory":
        return fake_visits_deps(clock=lambda: NOW)
    request.getfixturevalue("aws")
    from services.visits.bootstrap import deps

    return deps()


def a_provider() -> str:
    return f"prov-{uuid.uuid4().hex[:8]}"


def an_event(provider: str, client: str, at: datetime, kind: str = "arrival") -> VisitEvent:
    return VisitEvent(event_id=uuid.uuid4(), type=kind, provider_id=provider, client=client, device_time=at,
                      receipt={"method": "nfc", "device_id": "TAG-1"}, staff_id="anna")


def a_visit(day: ClientDay, at: datetime, minutes: int = 30) -> Visit:
    return Visit(visit_id=day.new_visit_id(str(uuid.uuid4())), provider_id=day.key.provider, client=day.key.client,
                 staff_id="anna", started_at=at, ended_at=at + timedelta(minutes=minutes), status="registered",
                 version=1)


def a_day(provider: str, client: str | None = None, on: datetime = NOW) -> DayKey:
    return DayKey(provider, client or new_pnr(1940), on.date())


def stored(e: VisitEvent) -> StoredEvent:
    return StoredEvent(**e.model_dump(), received_at=NOW)


def rejected(e: VisitEvent, origin: str = "checks") -> RejectedEvent:
    return RejectedEvent(event=e, reasons=["the tag is not bound"], received_at=NOW, origin=origin)
