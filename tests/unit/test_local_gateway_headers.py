"""The local gateway answers even when an app's answer carries a header HTTP cannot carry (a
``Location`` with letters outside Latin-1): a 502 problem, never a dropped line. (Chalice itself
refuses a header with a line break.)"""
from __future__ import annotations

import threading
import types

import pytest
from chalice import Chalice, Response

from infra.local.gateway import DevRoutes, Gateway
from services.auth.dev_issuer import DevIssuer
from tests.support.stack import free_port
from tests.unit.test_local_gateway import problem, raw


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    app = Chalice(app_name="gw-headers", configure_logs=False)

    @app.route("/go/{where}")
    def go(where):
        targets = {"unicode": "/demo/tjänster/\u202e", "fine": "/demo/ok"}
        return Response(body="", status_code=303, headers={"Location": targets[where]})

    issuer = DevIssuer(tmp_path_factory.mktemp("gwh"), issuer="https://dev", audience="insats")
    port = free_port()
    gw = Gateway({"demo": types.SimpleNamespace(app=app)},
                 DevRoutes(issuer, "http://127.0.0.1:1", types.SimpleNamespace(jobs={}), []), "127.0.0.1", port)
    threading.Thread(target=gw.serve_forever, daemon=True).start()
    yield port
    gw.shutdown()


def test_a_header_http_cannot_carry_is_a_502_problem(gateway):
    """GIVEN an app answering a Location outside Latin-1 WHEN it goes through the gateway THEN the
    client gets a 502 problem+json, not a dropped connection."""
    answer = raw(gateway, b"GET /demo/go/unicode HTTP/1.1\r\nHost: x\r\n\r\n")
    problem(answer, 502)
    assert "location" not in answer[1]


def test_a_writable_location_passes_unchanged(gateway):
    status, headers, _ = raw(gateway, b"GET /demo/go/fine HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 303 and headers["location"] == "/demo/ok"
