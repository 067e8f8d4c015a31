"""Case work's ports twice over for the contract tests: the in-memory fakes of the unit tier, and
the DynamoDB adapters as ``services.eservices.casework.bootstrap`` wires them over the e-services
table on moto. Each test makes its own people, ids and names, so the shared table needs no reset."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest

from services.eservices.domain.cases import Case
from services.eservices.casework.ports import CaseworkRepositories

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)


@dataclass
class Ports:
    repos: CaseworkRepositories
    cases: Any  # the cases the inbox lists (the e-services' repository, or its fake)
    unit_of_work: Callable[[], Any]

    def commit(self, stage: Callable[[Any], Any]) -> None:
        """``stage(uow)`` in a fresh unit of work, committed."""
        uow = self.unit_of_work()
        stage(uow)
        uow.commit()


@pytest.fixture(params=["dynamodb", "memory"])
def ports(request) -> Ports:
    if request.param == "memory":
        from tests.support.fakes.common import FakeUnitOfWork, RecordingPublisher
        from tests.support.fakes.casework import fake_stores
        from tests.support.fakes.eservices import FakeCases

        cases = FakeCases()
        return Ports(fake_stores(cases), cases, lambda: FakeUnitOfWork(RecordingPublisher(), "eservices"))
    request.getfixturevalue("aws")
    from services.adapters.dynamo import UnitOfWork
    from services.adapters.aws import table
    from services.eservices.adapters.cases import DynamoCaseRepository as CaseRepository
    from services.eservices.bootstrap import on_first_use
    from services.eservices.casework.bootstrap import over_dynamodb

    t = table("eservices")
    return Ports(over_dynamodb(t, on_first_use), CaseRepository(t), lambda: UnitOfWork(t, "eservices"))


def an_id(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def a_case(owner: str, submitted_at: datetime, *, status: str = "submitted", category: str = "Hemtjänst") -> Case:
    case_id = an_id("case-")
    return Case(case_id=case_id, case_number=f"2026-{case_id[-6:]}", form_id="support-application",
                title="Ansökan om stöd", category=category, owner=owner, owner_name="Testsson, Test",
                submitted_by=owner, submitted_at=submitted_at, status=status)
