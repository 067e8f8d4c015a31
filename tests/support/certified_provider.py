"""A certified OpenID provider (panva/node-oidc-provider) run locally, set up as a Swedish e-ID broker
(tests/support/certified_op/server.mjs), with one client for each way Insats may authenticate at a
broker; and the provider's e-ID step as a browser does it. For the tests that point Insats at it by
``OIDC_*`` only (tests/integration/identity/test_certified_provider.py, tests/e2e)."""
from __future__ import annotations

import fcntl
import json
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from services.auth.dev_broker import LOA2, LOA3
from tests.support.login_browser import ANNIKA, MARITA, Browser
from tests.support.stack import free_port

OP_DIR = Path(__file__).resolve().parent / "certified_op"
PEOPLE = {"annika": {"personnummer": ANNIKA, "name": "Annika Andersson"},
          "marita": {"personnummer": MARITA, "name": "Marita Lind"}}
SECRET = "a-secret-the-broker-gave-insats-0123456789"
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt", "none")


def installed_provider() -> Path:
    """node-oidc-provider under tests/support/certified_op (npm ci from its lock file, once). Node.js and
    npm are needed: without them the test fails saying so; it is never skipped."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, ("These tests run a certified OpenID provider on Node.js: install Node.js 20 or newer "
                          "with npm (Debian: sudo apt-get install -y nodejs npm)")
    with open(OP_DIR / ".install-lock", "w") as lock:  # the test workers may come here together
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (OP_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=OP_DIR, check=True,
                           timeout=300)
    return Path(node)




def client_key() -> str:
    """A new RSA key (PEM) for ``private_key_jwt``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def insats_settings(issuer: str, method: str, key_pem: str) -> dict[str, str | None]:
    """What the municipality sets to use the provider (README "Logging in with e-ID"), for the client
    registered with ``method``; None for what that method does not need."""
    return {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": f"insats-{method}", "OIDC_CLIENT_AUTH": method,
            "OIDC_CLIENT_SECRET": SECRET if method.startswith("client_secret") else None,
            "OIDC_CLIENT_KEY": key_pem if method == "private_key_jwt" else None}


@contextmanager
def certified_provider(insats_base: str, key_pem: str, workdir: Path) -> Iterator[str]:
    """The provider on a free port, Insats at ``insats_base`` registered with it once per client
    authentication (``key_pem``'s public key for ``private_key_jwt``); its issuer URL yielded."""
    from services.auth.broker import public_jwk

    node = installed_provider()
    port = free_port()
    client = {"redirect_uris": [f"{insats_base}/personal/logga-in/klar"],
              "post_logout_redirect_uris": [f"{insats_base}/personal?utloggad=1"],
              "grant_types": ["authorization_code"], "response_types": ["code"]}
    clients = [
        {**client, "client_id": "insats-client_secret_basic", "client_secret": SECRET,
         "token_endpoint_auth_method": "client_secret_basic"},
        {**client, "client_id": "insats-client_secret_post", "client_secret": SECRET,
         "token_endpoint_auth_method": "client_secret_post"},
        {**client, "client_id": "insats-private_key_jwt", "token_endpoint_auth_method": "private_key_jwt",
         "jwks": {"keys": [public_jwk(key_pem)]}},
        {**client, "client_id": "insats-none", "token_endpoint_auth_method": "none"},
    ]
    setup = workdir / "certified-op.json"
    setup.write_text(json.dumps({"port": port, "people": PEOPLE, "clients": clients, "acr_values": [LOA2, LOA3]}))
    process = subprocess.Popen([str(node), str(OP_DIR / "server.mjs"), str(setup)], cwd=OP_DIR,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    issuer_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{issuer_url}/.well-known/openid-configuration", timeout=2) as r:
                    metadata = json.load(r)
                break
            except OSError:
                assert process.poll() is None, f"the provider stopped: {process.stdout.read()}"
                assert time.monotonic() < deadline, "the provider did not answer within 30 s"
                time.sleep(0.2)
        assert metadata["authorization_response_iss_parameter_supported"] is True
        yield issuer_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def log_in_at_the_provider(b: Browser, page_url: str, html: str, person: str, acr: str = LOA3):
    """The provider's e-ID step: who, at which level; then every redirect back to Insats."""
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    return b.follow(urllib.parse.urljoin(page_url, action), {"person": person, "acr": acr})


def log_out_through_the_provider(b: Browser, issuer: str, logout_path: str, page_html: str):
    """"Logga ut" on an Insats page (its form's CSRF token taken from ``page_html``): the browser must
    reach the provider's end_session, where the person confirms; then every redirect back to Insats."""
    csrf = re.search(r'name="csrf" value="([^"]+)"', page_html).group(1)
    status, url, html = b.follow(logout_path, {"csrf": csrf})
    assert url.startswith(f"{issuer}/session/end"), url
    form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    return b.follow(urllib.parse.urljoin(url, form.group(1)), {**fields, "logout": "yes"})
