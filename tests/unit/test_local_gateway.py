"""The local gateway answers everything with problem+json, as a hostile client would probe it:
methods it does not serve, lying Content-Lengths, bodies too large, dev routes with odd bodies."""
from __future__ import annotations

import json
import socket
import threading
import types

import pytest
from chalice import Chalice

from infra.local.gateway import DevRoutes, Gateway
from services.auth.dev_issuer import DevIssuer
from services.entrypoints.http import HttpApi
from tests.support.stack import free_port


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    app = Chalice(app_name="gw-test", configure_logs=False)
    HttpApi(app, "gw")

    @app.route("/echo", methods=["POST"])
    def echo():
        return {"got": len(app.current_request.raw_body or b"")}

    issuer = DevIssuer(tmp_path_factory.mktemp("gw"), issuer="https://dev", audience="insats")
    scheduler = types.SimpleNamespace(jobs={})
    port = free_port()
    gw = Gateway({"demo": types.SimpleNamespace(app=app)}, DevRoutes(issuer, "http://127.0.0.1:1", scheduler, []),
                 "127.0.0.1", port)
    gw.server.RequestHandlerClass.timeout = 1  # a body that never comes: give up fast in the test
    thread = threading.Thread(target=gw.serve_forever, daemon=True)
    thread.start()
    yield port
    gw.shutdown()


def raw(port: int, data: bytes, *, half_close: bool = False) -> tuple[int, dict, bytes]:
    """Sends bytes as they are and reads one answer (the gateway must answer, never hang)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        chunks = b""
        while b"\r\n\r\n" not in chunks:
            got = s.recv(65536)
            assert got, f"connection dropped without an answer: {chunks!r}"
            chunks += got
        head, _, rest = chunks.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            got = s.recv(65536)
            if not got:
                break
            rest += got
        return status, headers, rest[:length]


def problem(answer, status):
    code, headers, body = answer
    assert code == status, body
    assert headers["content-type"] == "application/problem+json"
    doc = json.loads(body)
    assert doc["status"] == status
    return doc


def test_trace_is_405_problem(gateway):
    problem(raw(gateway, b"TRACE /demo/echo HTTP/1.1\r\nHost: x\r\n\r\n"), 405)


def test_an_unknown_method_is_501_problem_not_html(gateway):
    problem(raw(gateway, b"BREW /demo/echo HTTP/1.1\r\nHost: x\r\n\r\n"), 501)


@pytest.mark.parametrize("length", [b"abc", b"-5", b"1e3", b"\xd9\xa1"])
def test_an_invalid_content_length_is_400_problem(gateway, length):
    problem(raw(gateway, b"POST /demo/echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\n{}"), 400)


def test_two_different_content_lengths_are_400(gateway):
    request = b"POST /demo/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
    problem(raw(gateway, request), 400)


def test_a_body_shorter_than_its_content_length_is_400_not_a_hang(gateway):
    request = b"POST /demo/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}"
    problem(raw(gateway, request), 400)  # the client keeps the connection open: answered after the timeout
    problem(raw(gateway, request, half_close=True), 400)  # the client is done sending


def test_a_body_over_the_gateway_limit_is_413_unread(gateway):
    problem(raw(gateway, b"POST /demo/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n"), 413)


def test_a_good_request_still_works(gateway):
    code, _, body = raw(gateway, b"POST /demo/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")
    assert code == 200 and json.loads(body) == {"got": 2}


def test_a_path_no_app_serves_is_404_problem(gateway):
    problem(raw(gateway, b"GET /demo/nowhere HTTP/1.1\r\nHost: x\r\n\r\n"), 404)
    problem(raw(gateway, b"GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n"), 404)


@pytest.mark.parametrize("body,status", [(b"[]", 422), (b'"citizen"', 422), (b"{nope", 400),
                                         (b'{"role": "king"}', 422), (b"[" * 5000 + b"]" * 5000, 400)])
def test_dev_token_with_a_body_that_is_not_an_object_is_a_problem(gateway, body, status):
    request = b"POST /dev/token HTTP/1.1\r\nHost: x\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    problem(raw(gateway, request + body), status)
