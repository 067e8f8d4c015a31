"""One local HTTP gateway for every app, as an API Gateway custom domain with base paths:
``/eservices/*``, ``/visits/*``, ``/reports/*``, ``/billing/*`` go to those Chalice apps with the
prefix stripped. ``/dev/*`` exists only here, in the local stage: tokens, outbox, schedules.

Like API Gateway it answers what never reaches an app itself, always as problem+json: a method
it does not serve (405 for TRACE and CONNECT, 501 for one it does not know), a missing, invalid
or lying ``Content-Length`` (400; a body that never arrives times out instead of hanging the
connection), a body over 10 MiB (413, unread), a path no app serves (404).
"""
from __future__ import annotations

import base64
import json
import logging
import re
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from chalice.config import Config
from chalice.local import LocalGateway, LocalGatewayException

log = logging.getLogger("insats.gateway")
PROBLEM = "application/problem+json"
MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
BODY_TIMEOUT = 10  # seconds a client may take to send what its Content-Length promised
BASE_PATH_ALIASES = {"/personal": "identity"}  # staff log in at /personal: the identity app's pages


_DEV_BROKER_LOCK = threading.Lock()


class DevRoutes:
    """The local stage's helpers. Never deployed."""

    def __init__(self, issuer: Any, endpoint: str, scheduler: Any, pumps: list[Any]) -> None:
        self.issuer, self.endpoint, self.scheduler, self.pumps = issuer, endpoint, scheduler, pumps

    def token(self, body: Any) -> tuple[int, dict]:
        if not isinstance(body, dict):
            return 422, _problem(422, "Cannot mint that token", 'send a JSON object, e.g. {"role": "citizen", '
                                                                '"personnummer": "..."}')
        role = body.get("role")
        try:
            token = self.issuer.token_for(role, personnummer=body.get("personnummer"), user_id=body.get("user_id"),
                                          provider_id=body.get("provider_id"), name=body.get("name"),
                                          organisation_id=body.get("organisation_id"))
        except (ValueError, TypeError) as exc:
            return 422, _problem(422, "Cannot mint that token", str(exc))
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def outbox(self) -> tuple[int, dict]:
        """What was sent by e-mail and SMS: moto's record, or LocalStack's."""
        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=30) as resp:
                data = json.load(resp)
            emails = [{"to": m["destinations"].get("ToAddresses", []), "subject": m.get("subject"),
                       "body": m.get("body"), "id": m.get("id")} for m in data.get("ses", {}).get("Message", [])]
            sms = [{"to": m["phone_number"], "body": m["message"], "id": m["message_id"]}
                   for m in data.get("sns", {}).get("SMS", [])]
        except urllib.error.HTTPError:  # not moto: LocalStack keeps them elsewhere
            emails, sms = self._localstack_outbox()
        return 200, {"emails": emails, "sms": sms}

    def _localstack_outbox(self) -> tuple[list, list]:
        with urllib.request.urlopen(f"{self.endpoint}/_aws/ses", timeout=5) as resp:
            messages = json.load(resp).get("messages", [])
        emails = [{"to": m.get("Destination", {}).get("ToAddresses", []), "subject": m.get("Subject"),
                   "body": (m.get("Body") or {}).get("text_part"), "id": m.get("Id")} for m in messages]
        with urllib.request.urlopen(f"{self.endpoint}/_aws/sns/sms-messages", timeout=5) as resp:
            by_number = json.load(resp).get("sms_messages", {})
        sms = [{"to": number, "body": m.get("Message"), "id": m.get("MessageId")}
               for number, items in by_number.items() for m in items]
        return emails, sms

    def schedules(self) -> tuple[int, dict]:
        from services.clock import utc_now

        return 200, {"now": utc_now().isoformat(timespec="seconds"),  # the apps' clock (INSATS_CLOCK)
                     "schedules": [{"name": j.name, "schedule": j.describe(), "runs": j.runs}
                                   for j in self.scheduler.jobs.values()],
                     "queues": [{"name": p.name, "delivered": p.delivered, "failed": p.failed} for p in self.pumps]}

    def oidc(self, method: str, raw_path: str, body: bytes,
             headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        """Everything under ``/dev/oidc/`` is the development e-ID broker (``services/auth/dev_broker.py``:
        discovery, keys, authorize, token, userinfo, end_session). Its client is the identity app."""
        return self.dev_broker().handle(method, raw_path, headers or {}, body)

    def dev_broker(self) -> Any:
        """The development broker, made on first use: its own key in ``<state dir>/dev-broker/``, issuer
        ``{PUBLIC_BASE_URL}/dev/oidc``, the client of ``OIDC_CLIENT_*`` (``insats``, public, by default)."""
        with _DEV_BROKER_LOCK:  # the gateway serves requests on threads: one broker, one key
            if getattr(self, "_dev_broker", None) is None:
                self._dev_broker = self._new_dev_broker()
        return self._dev_broker

    def _new_dev_broker(self) -> Any:
        from pathlib import Path

        from services.auth.dev_broker import DevBroker, DevClient
        from services.settings import settings

        from .demo import people

        folder = Path(getattr(self.issuer, "folder", None) or ".local") / "dev-broker"
        issuer = f"{settings().public_base_url.rstrip('/')}/dev/oidc"
        return DevBroker(folder, issuer, [DevClient.from_env()], people())

    def fire(self, name: str, query: str = "") -> tuple[int, dict]:
        """Fires a schedule now; ``?month=YYYY-MM`` goes into the event's detail (the nightly
        report then builds that month, whatever the hour)."""
        from urllib.parse import parse_qs

        if name not in self.scheduler.jobs:
            return 404, _problem(404, "No such schedule", f"known: {sorted(self.scheduler.jobs)}")
        detail = {k: v[-1] for k, v in parse_qs(query).items()}
        if set(detail) - {"month"}:
            return 422, _problem(422, "Cannot fire that schedule", f"unknown parameters: {sorted(set(detail) - {'month'})}")
        if "month" in detail and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", detail["month"]):
            return 422, _problem(422, "Cannot fire that schedule", "month must be YYYY-MM, e.g. 2026-12")
        result = self.scheduler.fire(name, detail)
        return 200, {"fired": name, **detail, "result": result}


def _problem(status: int, title: str, detail: str) -> dict:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}



def _writable(headers: dict) -> bool:
    """Whether every header can go on the wire: Latin-1 (what http.server writes), no line breaks."""
    for name, value in headers.items():
        text = f"{name}{value}"
        if "\r" in text or "\n" in text:
            return False
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            return False
    return True


class BadRequestBody(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def read_body(headers: Any, rfile: Any) -> bytes:
    """The request body as its Content-Length declares it, or ``BadRequestBody``."""
    coding = headers.get("Transfer-Encoding")
    if coding is not None and coding.strip().lower().endswith("chunked"):
        raise BadRequestBody(411, "send the body with a Content-Length (chunked transfer is not supported here)")
    if coding is not None:  # a coding nobody knows: the request cannot be framed (RFC 9112 §6.1)
        raise BadRequestBody(400, "unknown Transfer-Encoding; send the body with a Content-Length")
    values = headers.get_all("Content-Length") or []
    if not values:
        return b""
    if len(set(values)) != 1 or not values[0].strip().isascii() or not values[0].strip().isdigit():
        raise BadRequestBody(400, "Content-Length must be one non-negative integer")
    length = int(values[0].strip())
    if length > MAX_BODY:
        raise BadRequestBody(413, f"the body is larger than {MAX_BODY} bytes")
    body = rfile.read(length) if length else b""
    if len(body) != length:
        raise BadRequestBody(400, "the body is shorter than its Content-Length")
    return body


class Gateway:
    def __init__(self, apps: dict[str, Any], dev: DevRoutes, host: str, port: int) -> None:
        self.routes = {f"/{name}": (LocalGateway(module.app, Config(chalice_stage="local")), threading.Lock())
                       for name, module in apps.items()}
        # A second base path to one app, as a custom domain maps two to one API: the staff entry.
        for alias, name in BASE_PATH_ALIASES.items():
            if f"/{name}" in self.routes:
                self.routes[alias] = self.routes[f"/{name}"]
        self.dev = dev
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt: str, *args: Any) -> None:  # quiet: no personal data in access logs
                log.debug("%s %s", self.command, self.path.split("?")[0])

            timeout = BODY_TIMEOUT  # a socket timeout: a body that never comes cannot hold a thread forever

            def _handle(self) -> None:
                try:
                    body = read_body(self.headers, self.rfile)
                except BadRequestBody as exc:
                    self.close_connection = True  # what is left on the wire is not a request
                    self._send(exc.status, {"Content-Type": PROBLEM},
                               json.dumps(_problem(exc.status, "Bad request", exc.detail)).encode())
                    return
                except (TimeoutError, OSError):
                    self.close_connection = True
                    self._send(400, {"Content-Type": PROBLEM}, json.dumps(_problem(
                        400, "Bad request", "the body did not arrive within its Content-Length")).encode())
                    return
                try:
                    status, headers, payload = gateway.handle(self.command, self.path, dict(self.headers), body)
                except Exception:  # noqa: BLE001 - answer, never drop the connection
                    log.exception("gateway error")
                    status, headers = 502, {"Content-Type": PROBLEM}
                    payload = json.dumps(_problem(502, "Bad gateway", "the local stack failed; see its log")).encode()
                if not _writable(headers):  # as API Gateway: an app's unwritable header is a 502, not a dropped line
                    log.error("an app answered a header that HTTP cannot carry")
                    status, headers = 502, {"Content-Type": PROBLEM}
                    payload = json.dumps(_problem(502, "Bad gateway", "the app answered a header HTTP cannot carry")).encode()
                self._send(status, headers, payload)

            def _send(self, status: int, headers: dict, payload: bytes) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    if k.lower() not in ("content-length", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                if self.close_connection:
                    self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            def _not_allowed(self) -> None:
                self.close_connection = True
                payload = json.dumps(_problem(405, "Method not allowed", f"{self.command} is not served")).encode()
                self._send(405, {"Content-Type": PROBLEM, "Allow": "GET, POST, PUT, PATCH, DELETE, OPTIONS"}, payload)

            def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
                # http.server's own errors (unknown method 501, bad request line, headers too large)
                # as problem+json instead of its HTML page.
                self.close_connection = True
                title = self.responses.get(code, ("Error",))[0]
                payload = json.dumps(_problem(code, title, message or explain or title)).encode()
                try:
                    self.send_response(code, message)
                    self.send_header("Content-Type", PROBLEM)
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                        self.wfile.write(payload)
                except OSError:
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle
            do_TRACE = do_CONNECT = _not_allowed

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        path = raw_path.split("?", 1)[0]
        if path == "/":  # the citizen web is the front door
            return 302, {"Location": "/eservices/web"}, b""
        if method == "GET" and (path == "/dev/outbox.html" or (
                path == "/dev/outbox" and "text/html" in headers.get("Accept", headers.get("accept", "")))):
            from .outbox import page

            _, sent = self.dev.outbox()  # a browser sees the mail as it would look
            return 200, {"Content-Type": "text/html; charset=utf-8"}, page(sent["emails"], sent["sms"]).encode()
        if path.startswith("/dev/oidc/"):
            return self.dev.oidc(method, raw_path, body, headers)
        if path.startswith("/dev/") or path == "/dev":
            return self._dev(method, path, body, raw_path.partition("?")[2])
        for prefix, (local, lock) in self.routes.items():
            if path == prefix or path.startswith(prefix + "/"):
                query = raw_path.partition("?")[2]  # /personal?utloggad=1 is the app's /?utloggad=1
                inner = (path[len(prefix):] or "/") + (f"?{query}" if query else "")
                try:
                    with lock:  # a Chalice app holds the current request in a global
                        response = local.handle_request(method, inner, headers, body)
                except LocalGatewayException as exc:
                    if exc.CODE == 403:  # API Gateway's "Missing Authentication Token": no such route
                        return 404, {"Content-Type": PROBLEM}, json.dumps(
                            _problem(404, "Not found", f"no route {method} {path}")).encode()
                    return exc.CODE, {"Content-Type": PROBLEM}, json.dumps(
                        _problem(exc.CODE, "Error", (exc.body or b"").decode("utf-8", "replace"))).encode()
                out_headers = {**response.get("headers", {})}
                for k, values in (response.get("multiValueHeaders") or {}).items():
                    out_headers[k] = ", ".join(values)
                payload = response.get("body") or b""
                if response.get("isBase64Encoded"):
                    payload = base64.b64decode(payload)
                elif isinstance(payload, str):
                    payload = payload.encode()
                return response["statusCode"], out_headers, payload
        return 404, {"Content-Type": "application/problem+json"}, json.dumps(
            _problem(404, "Not found", f"routes: {sorted(self.routes)} and /dev")).encode()

    def _dev(self, method: str, path: str, body: bytes, query: str = "") -> tuple[int, dict, bytes]:
        handlers: dict[tuple[str, str], Callable[[], tuple[int, dict]]] = {
            ("POST", "/dev/token"): lambda: self.dev.token(json.loads(body or b"{}")),  # ValueError: 400
            ("GET", "/dev/outbox"): self.dev.outbox,
            ("GET", "/dev/schedules"): self.dev.schedules,
        }
        if method == "POST" and path.startswith("/dev/schedules/"):
            status, payload = self.dev.fire(path.removeprefix("/dev/schedules/"), query)
        elif (method, path) in handlers:
            try:
                status, payload = handlers[(method, path)]()
            except (ValueError, RecursionError) as exc:
                status, payload = 400, _problem(400, "Bad request", f"the body is not valid JSON: {type(exc).__name__}")
        else:
            status, payload = 404, _problem(404, "Not found", "dev routes: POST /dev/token, GET /dev/outbox, "
                                                              "GET /dev/schedules, POST /dev/schedules/{name}")
        content_type = "application/json" if status < 400 else "application/problem+json"
        return status, {"Content-Type": content_type}, json.dumps(payload, default=str).encode()

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()
