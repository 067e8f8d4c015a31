"""Insats' authorization server's grants (``Grants``): the DynamoDB adapter and the unit tier's fake
alike. A code is redeemed once — the adapter's conditional delete is what stops a replayed code at
``/identity/token`` (the use case's own tests run on the fake, so this holds the two together)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.auth.principal import Principal, Role
from services.domain.errors import Conflict
from services.identity.domain.grants import CodeGrant, RefreshGrant, digest
from tests.support.fakes.identity import FakeGrants

from .identity_ports import NOW

MARITA = Principal(subject="acc-marita", role=Role.CASE_WORKER, user_id="acc-marita", organisation_id="enhet-bistand")


@pytest.fixture(params=["dynamodb", "memory"])
def grants(request):
    if request.param == "memory":
        return FakeGrants()
    request.getfixturevalue("aws")
    from services.identity.bootstrap import deps

    return deps().grants


def a_code() -> tuple[str, CodeGrant]:
    return digest(uuid.uuid4().hex), CodeGrant(
        client_id="insats-casework", redirect_uri="https://e-tjanster.example.se/eservices/personal/logga-in/klar",
        code_challenge="c" * 43, nonce="nonce-1", principal=MARITA, session=digest("session-1"), issued_at=NOW)


def test_a_code_is_taken_once_and_then_is_gone(grants):
    """GIVEN a stored code WHEN it is taken twice (a replay) THEN the first take returns its grant and
    the second nothing."""
    key, grant = a_code()
    grants.put_code(key, grant, expires_at=NOW + timedelta(seconds=60))
    assert grants.take_code(key) == grant
    assert grants.take_code(key) is None


def test_a_code_never_issued_is_nothing_and_a_code_is_never_stored_twice(grants):
    key, grant = a_code()
    assert grants.take_code(key) is None
    grants.put_code(key, grant, expires_at=NOW + timedelta(seconds=60))
    with pytest.raises(Conflict):
        grants.put_code(key, grant, expires_at=NOW + timedelta(seconds=60))
    assert grants.take_code(key) == grant


def test_a_refresh_grant_is_read_again_until_dropped(grants):
    key = digest(uuid.uuid4().hex)
    grant = RefreshGrant(client_id="insats-casework", principal=MARITA, session=digest("session-1"), issued_at=NOW)
    grants.put_refresh(key, grant)
    assert grants.get_refresh(key) == grant
    assert grants.get_refresh(key) == grant  # renewals read it, they do not use it up
    grants.drop_refresh(key)
    assert grants.get_refresh(key) is None
    assert grants.get_refresh(digest(uuid.uuid4().hex)) is None
