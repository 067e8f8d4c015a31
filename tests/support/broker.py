"""Helpers for tests of the e-ID login against the development broker (services/auth/dev_broker.py):
the person's choice on its authorize page, a BrokerHttp that can rewrite the broker's answers, and
the broker on a real loopback HTTP server."""
from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from services.auth.dev_broker import LOA3, DevBroker, InProcessBrokerHttp

PAGE_REQUEST = re.compile(r'name="request" value="([^"]+)"')


def claims_of(token: str) -> dict[str, Any]:
    """A JWT's payload, unverified (to forge a variant of it)."""
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def choose(dev: DevBroker, authorize_url: str, person: str, acr: str = LOA3, action: str = "login") -> dict[str, str]:
    """The person opens the authorize URL, picks ``person`` (a personnummer) and a level: the
    callback's query parameters."""
    parts = urllib.parse.urlsplit(authorize_url)
    status, _, page = dev.handle("GET", f"{parts.path}?{parts.query}", {}, b"")
    assert status == 200, page
    request_id = PAGE_REQUEST.search(page.decode()).group(1)
    form = urllib.parse.urlencode({"request": request_id, "person": person, "acr": acr, "action": action})
    status, headers, _ = dev.handle("POST", f"{dev.base_path}/authorize", {}, form.encode())
    assert status == 302
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))


class RewritingHttp(InProcessBrokerHttp):
    """The development broker in process, with a hook per endpoint (``/token``, ``/userinfo``,
    ``/.well-known/openid-configuration``) that rewrites its JSON answer; ``down`` makes every
    request fail as an unreachable host does."""

    def __init__(self, dev: DevBroker) -> None:
        super().__init__(dev)
        self.rewrite: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        self.down = False

    def request(self, method: str, url: str, headers: Mapping[str, str],
                body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        from services.auth.broker import BrokerUnreachable

        if self.down:
            self.calls.append((method, url.partition("?")[0]))
            raise BrokerUnreachable("ConnectionRefusedError")
        status, out, payload = super().request(method, url, headers, body)
        hook = self.rewrite.get(url.partition("?")[0].removeprefix(self.dev.issuer))
        if hook is not None and status == 200:
            payload = json.dumps(hook(json.loads(payload))).encode()
        return status, out, payload


@contextlib.contextmanager
def served_dev_broker(folder: Path, clients: Iterable[Any], people: Mapping[str, Any],
                      path: str = "/dev/oidc", **options: Any) -> Iterator[DevBroker]:
    """The development broker on a ThreadingHTTPServer at 127.0.0.1, a free port (its issuer URL
    names that port); stopped on leaving."""
    holder: dict[str, DevBroker] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, headers, body = holder["dev"].handle(self.command, self.path, dict(self.headers),
                                                         self.rfile.read(length))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _serve

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["dev"] = DevBroker(folder, f"http://127.0.0.1:{server.server_address[1]}{path}", clients, people,
                              **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield holder["dev"]
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
