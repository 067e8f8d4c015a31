"""Shared fixtures.

- ``aws``: a moto server on a free loopback port with every resource of infra/resources.py,
  the environment pointing at it (integration tests talk to it over HTTP).
- ``issuer``: the development OIDC issuer; ``token(role, ...)`` mints a bearer token.
- ``app_client(name)``: drives an app's HTTP routes and SQS handlers in-process.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.stack import REGION, AppClient, base_env, free_port, set_env  # noqa: E402


@pytest.fixture(scope="session")
def issuer(tmp_path_factory):
    from services.auth.dev_issuer import DevIssuer
    from services.settings import settings

    s = settings()
    return DevIssuer(tmp_path_factory.mktemp("issuer"), issuer=s.token_issuer, audience=s.token_audience)


@pytest.fixture(scope="session")
def aws(issuer):
    """A moto server with every resource provisioned; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    from infra.provision import local_session, provision
    from services.adapters import aws as aws_clients
    from services.auth.tokens import reset_verifier

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from infra.local.moto_streams import install

    install()  # table streams without making moto's transactions slower
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = dict(os.environ)
    # The issuer and audience pinned: a test that moves PUBLIC_BASE_URL (a gateway on its own port)
    # never changes what a verifier built meanwhile expects of the suite's tokens.
    set_env({**base_env(endpoint, str(issuer.folder)), "INSATS_TOKEN_ISSUER": issuer.issuer,
             "INSATS_TOKEN_AUDIENCE": issuer.audience})
    aws_clients.reset()
    reset_verifier()
    provision(local_session(endpoint, REGION), prefix="insats", region=REGION)
    yield endpoint
    server.stop()
    os.environ.clear()
    os.environ.update(saved)
    aws_clients.reset()


@pytest.fixture(autouse=True)
def _configuration_follows_the_environment():
    """A test that moves the environment (``monkeypatch.setenv("PUBLIC_BASE_URL", ...)``) while a page or
    token builds its cached configuration leaves that cache behind when the environment is restored:
    the next file's login then redirects to the other address. After each test, a cached configuration
    that no longer matches the environment is dropped, with what was built from it."""
    yield
    stale = False
    for module, name in (("services.settings", "settings"), ("services.entrypoints.web.config", "web_config"),
                         ("services.entrypoints.web.personal.section", "personal_config")):
        cached = getattr(sys.modules.get(module), name, None)
        if cached is not None and cached.cache_info().currsize and cached() != cached.__wrapped__():
            stale = True
    if stale:
        from services.auth.broker import reset_broker
        from services.auth.issuer import reset_insats_tokens
        from services.auth.tokens import reset_verifier
        from services.entrypoints.web.config import web_config
        from services.entrypoints.web.personal.section import personal_config
        from services.settings import settings

        for cached in (settings, web_config, personal_config):
            cached.cache_clear()
        reset_broker()
        reset_verifier()
        reset_insats_tokens()


@pytest.fixture(scope="session")
def token(issuer):
    def mint(role: str, **claims: str) -> str:
        return issuer.token_for(role, **claims)

    return mint


@pytest.fixture(scope="session")
def app_client(aws):
    from infra.apps import app_dir, load_app

    cache: dict[str, AppClient] = {}

    def get(name: str) -> AppClient:
        if name not in cache:
            cache[name] = AppClient(load_app(name), app_dir(name))
        return cache[name]

    return get


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist), before any worker
        from tests.fuzz import figures

        figures.clear()


def pytest_terminal_summary(terminalreporter):
    from tests.fuzz import figures

    lines = figures.summary()
    if lines:
        terminalreporter.section("fuzz figures (schemathesis)")
        for line in lines:
            terminalreporter.write_line(line)
