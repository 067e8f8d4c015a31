"""Insats' authorization server (identity/usecases/authorization.py): codes once, PKCE, the client's
own redirect URI, refresh only while the login and the account hold. In ms, with fakes."""
from __future__ import annotations

import urllib.parse
from datetime import date, datetime, timedelta, timezone

import pytest

from services.auth.dev_issuer import DevIssuer
from services.auth.issuer import InsatsTokens
from services.auth.principal import Principal, Role
from services.entrypoints.web.oidc import challenge_of
from services.entrypoints.web.sessions import start
from services.identity.domain.grants import AuthorizationRequest, GrantRefused, InvalidAuthorization
from services.identity.usecases import authorization
from services.identity.usecases.login import principals_of
from tests.support.fakes.identity import NOW, FakeGrants, FakeLoginSessions
from tests.unit.identity.support import account, directory

BASE = "http://127.0.0.1:8000"
IDLE = timedelta(minutes=30)
VERIFIER = "v" * 50


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(tmp_path):
    clock = Clock()
    deps = directory(clock=clock)
    deps.grants, deps.sessions = FakeGrants(), FakeLoginSessions()
    issuer = DevIssuer(tmp_path, issuer=f"{BASE}/identity", audience="insats")
    deps.tokens = InsatsTokens(issuer.keys, f"{BASE}/identity", "insats", clock=lambda: clock.now.timestamp())
    return deps, clock


def login(deps, principal: Principal):
    session = start("user", deps.clock(), 1800, 12 * 3600, principal=principal)
    deps.sessions.put(session)
    return session


def request(client_id="insats-casework", path="/eservices/personal/logga-in/klar", **extra):
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": BASE + path, "state": "state-123",
             "nonce": "nonce-123", "code_challenge": challenge_of(VERIFIER), "code_challenge_method": "S256", **extra}
    return AuthorizationRequest.parse(query, BASE)


def code_of(location: str) -> str:
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert query["iss"] == f"{BASE}/identity" and query["state"] == "state-123"
    return query["code"]


def exchange(deps, code, **overrides):
    form = {"grant_type": "authorization_code", "code": code, "client_id": "insats-casework",
            "redirect_uri": BASE + "/eservices/personal/logga-in/klar", "code_verifier": VERIFIER, **overrides}
    return authorization.redeem(deps, form, IDLE)


def case_worker(deps, **kw):
    a = account(deps, "marita", "enhet-bistand", Role.CASE_WORKER, **kw)
    return principals_of(a)[0]


def test_a_code_gives_a_token_with_the_nonce_once(world):
    """GIVEN a case worker logged in at the identity service WHEN the section exchanges its code THEN it
    gets an Insats token naming them, with the login's nonce; the same code a second time is refused."""
    deps, _ = world
    who = case_worker(deps)
    session = login(deps, who)
    req, _client = request()
    code = code_of(authorization.issue_code(deps, req, who, session.session_id))
    answer = exchange(deps, code)
    import jwt

    claims = jwt.decode(answer["id_token"], options={"verify_signature": False})
    assert claims["nonce"] == "nonce-123" and claims["role"] == "case_worker" and claims["sub"] == "marita"
    assert answer["refresh_token"] and answer["expires_in"] == 600
    with pytest.raises(GrantRefused) as refused:
        exchange(deps, code)
    assert refused.value.error == "invalid_grant"


def test_a_section_is_told_to_ask_again_within_a_minute(world):
    """GIVEN a section's code exchanged, and a renewal WHEN the section keeps what it was told THEN its
    session asks the identity service again within 60 seconds: the bound on how long a section's
    session outlives a logout or an ended account (its token itself lives 10 minutes)."""
    from services.entrypoints.web.oidc import SignedIn

    deps, clock = world
    who = case_worker(deps)
    session = login(deps, who)
    answer = exchange(deps, code_of(authorization.issue_code(deps, request()[0], who, session.session_id)))
    form = {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"], "client_id": "insats-casework"}
    renewed = authorization.redeem(deps, form, IDLE)
    for told in (answer, renewed):
        assert 0 < told["renew_after"] <= 60 and told["expires_in"] == 600
        kept = SignedIn(principal=who, refresh_token=told["refresh_token"], renew_after=told["renew_after"])
        assert kept.session_fields(clock.now)["renew_at"] <= clock.now + timedelta(seconds=60)


@pytest.mark.parametrize("overrides", [
    {"code_verifier": "w" * 50},  # not the login's PKCE verifier
    {"redirect_uri": BASE + "/eservices/web/logga-in/klar"},  # another redirect URI
    {"client_id": "insats-citizen-web"},  # another client
])
def test_a_code_is_refused_to_anyone_but_its_own_client(world, overrides):
    deps, _ = world
    who = case_worker(deps)
    session = login(deps, who)
    code = code_of(authorization.issue_code(deps, request()[0], who, session.session_id))
    with pytest.raises(GrantRefused):
        exchange(deps, code, **overrides)


def test_a_code_expires_after_a_minute(world):
    deps, clock = world
    who = case_worker(deps)
    session = login(deps, who)
    code = code_of(authorization.issue_code(deps, request()[0], who, session.session_id))
    clock.now += timedelta(seconds=61)
    with pytest.raises(GrantRefused):
        exchange(deps, code)


@pytest.mark.parametrize("query", [
    {"client_id": "someone-else"},
    {"redirect_uri": "https://evil.example/cb"},
    {"code_challenge_method": "plain"},
    {"code_challenge": "short"},
    {"response_type": "token"},
])
def test_a_request_that_is_not_a_registered_clients_is_never_answered_with_a_redirect(query):
    base = {"response_type": "code", "client_id": "insats-casework",
            "redirect_uri": BASE + "/eservices/personal/logga-in/klar", "state": "s" * 10, "nonce": "n" * 10,
            "code_challenge": challenge_of(VERIFIER), "code_challenge_method": "S256"}
    with pytest.raises(InvalidAuthorization):
        AuthorizationRequest.parse({**base, **query}, BASE)


def test_refresh_holds_while_the_login_holds_and_keeps_it_alive(world):
    """GIVEN a section's refresh token WHEN it renews 20 minutes apart, twice THEN both succeed and the
    login at the identity service did not end idle (work in a section keeps it alive)."""
    deps, clock = world
    who = case_worker(deps)
    session = login(deps, who)
    answer = exchange(deps, code_of(authorization.issue_code(deps, request()[0], who, session.session_id)))
    form = {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"], "client_id": "insats-casework"}
    for _ in range(2):
        clock.now += timedelta(minutes=20)
        assert authorization.redeem(deps, form, IDLE)["access_token"]


def test_refresh_stops_when_the_person_logs_out_at_the_identity_service(world):
    deps, _ = world
    who = case_worker(deps)
    session = login(deps, who)
    answer = exchange(deps, code_of(authorization.issue_code(deps, request()[0], who, session.session_id)))
    deps.sessions.delete(session.session_id)
    form = {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"], "client_id": "insats-casework"}
    with pytest.raises(GrantRefused):
        authorization.redeem(deps, form, IDLE)


def test_refresh_stops_when_the_account_has_ended(world):
    """GIVEN a case worker whose account ends at midnight WHEN the section renews the next day, her
    login at the identity service still alive THEN no (the account, not the login, refuses it)."""
    deps, clock = world
    who = case_worker(deps, valid_to=date(2026, 12, 6))
    session = login(deps, who)
    answer = exchange(deps, code_of(authorization.issue_code(deps, request()[0], who, session.session_id)))
    clock.now = datetime(2026, 12, 7, 0, 5, tzinfo=timezone.utc)
    alive = deps.sessions.by_id[session.session_id]  # the login itself is alive (idle and absolute)
    alive.idle_expires_at = alive.absolute_expires_at = clock.now + IDLE
    form = {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"], "client_id": "insats-casework"}
    with pytest.raises(GrantRefused, match="account"):
        authorization.redeem(deps, form, IDLE)


def test_refresh_stops_at_once_when_an_administrator_ends_the_account(world):
    """GIVEN a case worker in a section WHEN her administrator ends the account a minute later THEN the
    section's next renewal is refused, though her login at the identity service is alive."""
    deps, clock = world
    who = case_worker(deps)
    session = login(deps, who)
    answer = exchange(deps, code_of(authorization.issue_code(deps, request()[0], who, session.session_id)))
    form = {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"], "client_id": "insats-casework"}
    clock.now = NOW + timedelta(minutes=1)
    assert authorization.redeem(deps, form, IDLE)["refresh_token"] == answer["refresh_token"]
    case_worker(deps, ended_at=clock.now)
    clock.now = NOW + timedelta(minutes=2)
    with pytest.raises(GrantRefused, match="account"):
        authorization.redeem(deps, form, IDLE)


def test_refresh_stops_at_once_when_the_role_of_the_session_is_taken_away(world):
    """GIVEN a case worker in a section WHEN her organisation changes her account's roles to auditor only
    THEN the section's next renewal in the case worker's role is refused."""
    deps, clock = world
    who = case_worker(deps)
    session = login(deps, who)
    answer = exchange(deps, code_of(authorization.issue_code(deps, request()[0], who, session.session_id)))
    form = {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"], "client_id": "insats-casework"}
    account(deps, "marita", "enhet-bistand", Role.AUDITOR)
    clock.now = NOW + timedelta(minutes=2)
    with pytest.raises(GrantRefused, match="role"):
        authorization.redeem(deps, form, IDLE)


def test_unknown_grant_types_and_clients(world):
    deps, _ = world
    with pytest.raises(GrantRefused) as refused:
        authorization.redeem(deps, {"grant_type": "password", "client_id": "insats-casework"}, IDLE)
    assert refused.value.error == "unsupported_grant_type"
    with pytest.raises(GrantRefused) as refused:
        authorization.redeem(deps, {"grant_type": "authorization_code", "client_id": "x"}, IDLE)
    assert refused.value.error == "invalid_client"
