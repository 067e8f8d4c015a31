"""The HTTP operation wrapper: auth, policy, pydantic parsing to problem+json, audit lines."""
import json
import logging

import pytest
from chalice import Chalice
from chalice.test import Client
from pydantic import BaseModel, Field

from services.auth.dev_issuer import DevIssuer
from services.auth import tokens
from services.domain.errors import NotFound
from services.entrypoints.http import HttpApi
from services.settings import settings


class Body(BaseModel):
    name: str = Field(min_length=2)
    count: int


class Out(BaseModel):
    greeting: str


@pytest.fixture()
def client(tmp_path, monkeypatch):
    settings.cache_clear()
    issuer = DevIssuer(tmp_path, issuer=settings().token_issuer, audience=settings().token_audience)
    monkeypatch.setenv("INSATS_TOKEN_JWKS_URL", issuer.jwks_url)
    settings.cache_clear()
    tokens.reset_verifier()
    app = Chalice(app_name="t", configure_logs=False)
    api = HttpApi(app, "test")

    @app.route("/things", methods=["POST"])
    @api.operation("inbox.read", body=Body, response=Out, status=201)
    def create(call, body):
        return Out(greeting=f"{body.name}:{body.count}:{call.who.user_id}")

    @app.route("/things/{thing_id}")
    @api.operation("inbox.read")
    def missing(call, thing_id):
        raise NotFound("no such thing")

    @app.route("/boom")
    @api.operation("inbox.read")
    def boom(call):
        raise RuntimeError("secret 19121212-1212")

    with Client(app) as c:
        yield c, issuer
    settings.cache_clear()
    tokens.reset_verifier()


def _post(c, path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return c.http.post(path, headers=headers, body=json.dumps(body))


def test_a_valid_call_is_answered(client):
    c, issuer = client
    r = _post(c, "/things", {"name": "ab", "count": 2}, issuer.token_for("case_worker", user_id="u1"))
    assert r.status_code == 201
    assert r.json_body == {"greeting": "ab:2:u1"}


def test_no_token_is_401_problem(client):
    c, _ = client
    r = _post(c, "/things", {"name": "ab", "count": 2})
    assert r.status_code == 401
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json_body["status"] == 401


def test_a_role_outside_the_policy_is_403(client):
    c, issuer = client
    r = _post(c, "/things", {"name": "ab", "count": 2}, issuer.token_for("citizen", personnummer="19121212-1212"))
    assert r.status_code == 403


def test_bad_fields_are_named_in_the_problem(client):
    c, issuer = client
    r = _post(c, "/things", {"name": "a", "count": "many"}, issuer.token_for("case_worker", user_id="u1"))
    assert r.status_code == 422
    problem = r.json_body
    assert problem["type"] == "urn:insats:problem:validation"
    assert {e["field"] for e in problem["errors"]} == {"name", "count"}
    assert {e["pointer"] for e in problem["errors"]} == {"#/name", "#/count"}


def test_a_body_that_is_not_json_is_named(client):
    c, issuer = client
    r = c.http.post("/things", headers={"Content-Type": "application/json",
                                        "Authorization": f"Bearer {issuer.token_for('case_worker', user_id='u')}"},
                    body=b"{nope")
    assert r.status_code == 422
    assert r.json_body["errors"][0]["field"] == "body"


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_domain_errors_become_problems_and_leave_an_audit_line(client):
    c, issuer = client
    collect = Collect()
    logging.getLogger("test").addHandler(collect)  # Powertools' logger is named after its service
    try:
        r = c.http.get("/things/x", headers={"Authorization": f"Bearer {issuer.token_for('case_worker', user_id='u')}"})
    finally:
        logging.getLogger("test").removeHandler(collect)
    assert r.status_code == 404
    assert r.json_body["title"] == "Not found"
    audit = [r for r in collect.records if r.getMessage() == "request_refused"]
    assert audit and audit[-1].audit is True and audit[-1].status == 404
    assert audit[-1].actor == "case_worker:u"


def test_unexpected_errors_are_500_without_details(client):
    c, issuer = client
    r = c.http.get("/boom", headers={"Authorization": f"Bearer {issuer.token_for('case_worker', user_id='u')}"})
    assert r.status_code == 500
    assert "secret" not in r.body.decode()


def test_the_operation_must_name_a_policy_action():
    api = HttpApi(Chalice(app_name="t2", configure_logs=False), "t2")
    with pytest.raises(KeyError):
        api.operation("no.such.action")


def _problem_of(r, status):
    assert r.status_code == status, r.body
    assert r.headers["Content-Type"] == "application/problem+json"
    body = json.loads(r.body)
    assert body["status"] == status
    return body


def test_an_es256_header_against_the_rsa_jwks_is_401_problem(client):
    c, _ = client
    r = c.http.get("/things/x", headers={"Authorization": "Bearer eyJhbGciOiJFUzI1NiJ9.e30.AAAA"})
    _problem_of(r, 401)


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_json_nested_deep_is_422_naming_the_body(client, depth):
    c, issuer = client
    headers = {"Content-Type": "application/json",
               "Authorization": f"Bearer {issuer.token_for('case_worker', user_id='u')}"}
    for raw in ("[" * depth + "]" * depth, '{"name":' * depth + "1" + "}" * depth):
        problem = _problem_of(c.http.post("/things", headers=headers, body=raw.encode()), 422)
        assert problem["errors"][0]["field"] == "body"


def test_a_body_over_one_mebibyte_is_413_before_anything_reads_it(client):
    c, _ = client
    padding = json.dumps({"name": "ab", "count": 1, "pad": "x" * (1024 * 1024)})
    r = c.http.post("/things", headers={"Content-Type": "application/json"}, body=padding.encode())
    _problem_of(r, 413)  # refused before the token is even looked at


def test_a_wrong_content_type_is_415_problem(client):
    c, issuer = client
    r = c.http.post("/things", headers={"Content-Type": "text/plain",
                                        "Authorization": f"Bearer {issuer.token_for('case_worker', user_id='u')}"},
                    body=b'{"name": "ab", "count": 2}')
    assert "application/json" in _problem_of(r, 415)["detail"]


def test_json_without_a_content_type_is_read_as_json(client):
    c, issuer = client
    r = c.http.post("/things", headers={"Authorization": f"Bearer {issuer.token_for('case_worker', user_id='u')}"},
                    body=b'{"name": "ab", "count": 2}')
    assert r.status_code == 201 and r.json_body == {"greeting": "ab:2:u"}


def test_a_method_the_route_lacks_is_405_problem_with_allow(client):
    c, _ = client
    r = c.http.request("DELETE", "/things")
    _problem_of(r, 405)
    assert "POST" in r.headers["Allow"]


def test_a_crash_outside_an_operation_is_a_500_problem_without_the_trace():
    app = Chalice(app_name="t3", configure_logs=False)
    HttpApi(app, "t3")

    @app.route("/plain")
    def plain():
        raise RuntimeError("secret 19121212-1212")

    with Client(app) as c:
        r = c.http.get("/plain")
    body = _problem_of(r, 500)
    assert "secret" not in r.body.decode() and "Traceback" not in r.body.decode()
    assert body["type"] == "urn:insats:problem:internal"


def test_the_problem_middleware_is_installed_once_per_app():
    app = Chalice(app_name="t4", configure_logs=False)
    HttpApi(app, "a")
    HttpApi(app, "b")
    assert len(app.middleware_handlers) == 1


def test_an_unreachable_jwks_is_503_problem(client, tmp_path, monkeypatch):
    c, issuer = client
    token = issuer.token_for("case_worker", user_id="u")
    monkeypatch.setenv("INSATS_TOKEN_JWKS_URL", f"file://{tmp_path}/gone/jwks.json")
    settings.cache_clear()
    tokens.reset_verifier()
    r = c.http.get("/things/x", headers={"Authorization": f"Bearer {token}"})
    _problem_of(r, 503)


def test_chalice_debug_mode_never_leaks_a_stack_trace():
    app = Chalice(app_name="t5", configure_logs=False, debug=True)
    HttpApi(app, "t5")

    @app.route("/plain")
    def plain():
        raise RuntimeError("secret 19121212-1212")

    with Client(app) as c:
        r = c.http.get("/plain")
    _problem_of(r, 500)
    assert "Traceback" not in r.body.decode() and "secret" not in r.body.decode()


@pytest.mark.parametrize("raw", ["\u0661\u0669\u0666\u0660\u0660\u0664\u0660\u0664\u0662\u0660\u0664\u0667",
                                 "\uff11\uff19\uff16\uff10\uff10\uff14\uff10\uff14\uff12\uff10\uff14\uff17",
                                 "19600404 2047", "201509160006"])
def test_a_personnummer_in_other_digits_or_with_a_space_is_a_422_naming_the_field(raw):
    from services.domain.personnummer import PersonnummerField

    class WithPnr(BaseModel):
        pnr: PersonnummerField

    app = Chalice(app_name="t6", configure_logs=False)
    api = HttpApi(app, "t6")

    @app.route("/people", methods=["POST"])
    @api.operation(None, body=WithPnr)
    def add(call, body):
        return {"stored": str(body.pnr)}

    with Client(app) as c:
        ok = c.http.post("/people", headers={"Content-Type": "application/json"},
                         body=json.dumps({"pnr": "196004042047"}))
        r = c.http.post("/people", headers={"Content-Type": "application/json"}, body=json.dumps({"pnr": raw}))
    assert ok.status_code == 200
    assert _problem_of(r, 422)["errors"][0]["field"] == "pnr"
