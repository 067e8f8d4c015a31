"""The HTTP operation resolves whom the caller acts for once, before the handler runs: an
operation declared ``acting=True`` gets what the app's resolver makes of the verified principal
and ``X-Acting-For``, so the handler passes a domain value to its use case, never the request."""
import json

import pytest
from chalice import Chalice
from chalice.test import Client
from pydantic import BaseModel, Field

from services.auth import tokens
from services.auth.dev_issuer import DevIssuer
from services.domain.errors import Forbidden
from services.entrypoints.http import HttpApi
from services.settings import settings
from tests.support.people import new_pnr

CITIZEN, RELATIVE, STRANGER = new_pnr(), new_pnr(), new_pnr()


class Body(BaseModel):
    name: str = Field(min_length=2)


@pytest.fixture()
def client(tmp_path, monkeypatch):
    settings.cache_clear()
    issuer = DevIssuer(tmp_path, issuer=settings().token_issuer, audience=settings().token_audience)
    monkeypatch.setenv("INSATS_TOKEN_JWKS_URL", issuer.jwks_url)
    settings.cache_clear()
    tokens.reset_verifier()
    resolved = []

    def resolve(who, acting_for):  # as the e-services' resolver: one approval, relative -> citizen
        resolved.append((str(who.personnummer), str(acting_for) if acting_for else None))
        if acting_for is not None and str(acting_for) != CITIZEN:
            raise Forbidden("no approval in force")
        return {"who": str(who.personnummer), "for": str(acting_for or who.personnummer)}

    app = Chalice(app_name="t", configure_logs=False)
    api = HttpApi(app, "test", acting=resolve)

    @app.route("/mine", methods=["POST"])
    @api.operation("drafts.create", body=Body, acting=True)
    def mine(call, body, acting):
        return {"acting": acting, "name": body.name}

    with Client(app) as c:
        yield c, issuer, resolved
    settings.cache_clear()
    tokens.reset_verifier()


def post(c, token, body, acting_for=None):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if acting_for:
        headers["X-Acting-For"] = acting_for
    return c.http.post("/mine", headers=headers, body=json.dumps(body))


def test_the_handler_gets_whom_the_caller_acts_for_resolved_once(client):
    c, issuer, resolved = client
    # GIVEN a relative who names the citizen in X-Acting-For WHEN they call
    r = post(c, issuer.token_for("relative", personnummer=RELATIVE), {"name": "ab"}, acting_for=CITIZEN)
    # THEN the handler got the resolved party, and the resolver ran once
    assert r.status_code == 200
    assert json.loads(r.body)["acting"] == {"who": RELATIVE, "for": CITIZEN}
    assert resolved == [(RELATIVE, CITIZEN)]


def test_a_caller_who_may_not_act_for_that_person_is_refused_before_the_handler(client):
    c, issuer, _ = client
    r = post(c, issuer.token_for("relative", personnummer=RELATIVE), {"name": "ab"}, acting_for=STRANGER)
    assert r.status_code == 403 and r.headers["Content-Type"] == "application/problem+json"


def test_a_bad_body_is_named_before_whom_the_caller_acts_for_is_resolved(client):
    c, issuer, resolved = client
    r = post(c, issuer.token_for("relative", personnummer=RELATIVE), {"name": "a"}, acting_for=STRANGER)
    assert r.status_code == 422 and resolved == []


def test_an_operation_cannot_ask_for_acting_without_a_resolver():
    api = HttpApi(Chalice(app_name="t", configure_logs=False), "test")
    with pytest.raises(ValueError):
        api.operation("drafts.create", acting=True)
