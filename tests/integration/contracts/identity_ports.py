"""The identity ports twice over for the contract tests: the in-memory fakes of the unit tier, and
the DynamoDB adapters as ``services.identity.bootstrap`` wires them over the identity table on moto."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest

from services.identity.domain.model import AuditEntry, StaffAccount
from services.identity.ports import IdentityDeps
from tests.support.fakes.identity import fake_identity_deps
from tests.support.people import new_pnr

NOW = datetime(2026, 12, 6, 9, tzinfo=timezone.utc)


@pytest.fixture(params=["dynamodb", "memory"])
def ports(request) -> IdentityDeps:
    if request.param == "memory":
        return fake_identity_deps(clock=lambda: NOW)
    request.getfixturevalue("aws")
    from services.identity.bootstrap import deps

    return deps()


def an_id(prefix: str = "acc") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def an_account(organisation_id: str, *, valid_to: date = date(2027, 2, 15), **kw) -> StaffAccount:
    account_id = kw.pop("account_id", an_id())
    return StaffAccount(account_id=account_id, user_id=kw.pop("user_id", account_id),
                        personnummer=kw.pop("personnummer", new_pnr(1980)), name="Test Testsson",
                        email="t@example.se", organisation_id=organisation_id, organisation_kind="provider",
                        roles=kw.pop("roles", ["provider_staff"]), valid_from=date(2026, 1, 1), valid_to=valid_to,
                        created_at=NOW, changed_at=NOW, changed_by="test", **kw)


def an_entry(action: str = "account_added", at: datetime = NOW, **kw) -> AuditEntry:
    return AuditEntry(entry_id=uuid.uuid4().hex, at=at, action=action, actor="test", **kw)
