"""The broker client's network port (services/auth/broker.py ``BrokerHttp``): the in-process fake
the unit tests use (``InProcessBrokerHttp``, services/auth/dev_broker.py) answers as the urllib
adapter does over real HTTP, against the same development broker: an HTTP error status is an
answer, header names come lower-case, a form body and its headers arrive, a host that does not
answer is a ``BrokerUnreachable`` (an ``OSError``)."""
from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path

import pytest

from services.auth.broker import BrokerUnreachable, UrllibBrokerHttp
from services.auth.dev_broker import DevClient, InProcessBrokerHttp
from tests.support.broker import closed_port, served_dev_broker

PEOPLE = json.loads((Path(__file__).resolve().parents[3] / "infra" / "fixtures" / "people.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    with served_dev_broker(tmp_path_factory.mktemp("dev-broker"),
                           [DevClient("basic", "client_secret_basic", "right")], PEOPLE) as served:
        yield served


@pytest.fixture(params=["fake", "urllib"])
def http(request, dev):
    return InProcessBrokerHttp(dev) if request.param == "fake" else UrllibBrokerHttp(timeout=5)


def test_a_json_answer_comes_with_lower_case_header_names(http, dev):
    status, headers, body = http.request("GET", f"{dev.issuer}/.well-known/openid-configuration",
                                         {"Accept": "application/json"})

    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body)["issuer"] == dev.issuer


def test_an_http_error_status_is_an_answer_with_its_body_and_headers(http, dev):
    status, headers, body = http.request("GET", f"{dev.issuer}/userinfo", {"Authorization": "Bearer nothing"})

    assert status == 401 and json.loads(body) == {"error": "invalid_token"}
    assert headers["www-authenticate"].startswith("Bearer")


def test_a_form_body_and_the_authorization_header_arrive(http, dev):
    form = urllib.parse.urlencode({"grant_type": "authorization_code", "code": "unknown"}).encode()
    basic = base64.b64encode(b"basic:right").decode()

    status, _, body = http.request("POST", f"{dev.issuer}/token", {
        "Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}"}, form)

    assert status == 400 and json.loads(body)["error"] == "invalid_grant"  # authenticated, then the code refused


def test_a_host_that_does_not_answer_is_broker_unreachable(http):
    with pytest.raises(BrokerUnreachable):
        http.request("GET", f"http://127.0.0.1:{closed_port()}/dev/oidc/jwks", {})
