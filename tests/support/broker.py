"""Helpers for tests of the e-ID login against the development broker (services/auth/dev_broker.py):
the person's choice on its authorize page, and a BrokerHttp that can rewrite the broker's answers."""
from __future__ import annotations

import base64
import json
import re
import urllib.parse
from typing import Any, Callable, Mapping

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
