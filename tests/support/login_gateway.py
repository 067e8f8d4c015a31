"""The local gateway over real HTTP for the login walks (tests/integration/*/test_*login_walk.py):
the apps named, the development broker, the moto server behind them, on a free port."""
from __future__ import annotations

import os
import threading
import types
from contextlib import contextmanager
from typing import Any, Callable, Iterator


def reset_login(*token_deps: Callable[[], Any]) -> None:
    """Settings, the web's and the staff entry's config, the broker, the verifier and Insats' tokens
    read afresh; the e-services' deps and ``token_deps`` (other apps' composition roots) use the real
    token endpoint, over HTTP (other tests set a fake)."""
    from services.auth.broker import reset_broker
    from services.auth.issuer import reset_insats_tokens
    from services.auth.tokens import reset_verifier
    from services.entrypoints.web.config import web_config
    from services.entrypoints.web.personal.section import personal_config
    from services.eservices.bootstrap import deps as eservices
    from services.settings import settings

    settings.cache_clear()
    web_config.cache_clear()
    personal_config.cache_clear()
    reset_broker()
    reset_verifier()
    reset_insats_tokens()
    for deps in (eservices, *token_deps):
        deps().token_endpoint = None


@contextmanager
def login_gateway(aws: Any, issuer: Any, apps: tuple[str, ...], *token_deps: Callable[[], Any]) -> Iterator[str]:
    """The gateway serving ``apps``, its base URL yielded; PUBLIC_BASE_URL is it and
    INSATS_TOKEN_ISSUER the issuer's (the tokens the rest of the suite verifies) while it runs, both
    restored after; ``reset_login(*token_deps)`` before and after."""
    from infra.apps import load_app
    from infra.local.gateway import DevRoutes, Gateway

    routes = DevRoutes(issuer, aws, types.SimpleNamespace(jobs={}), [])
    gateway = Gateway({name: load_app(name) for name in apps}, routes, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{gateway.server.server_address[1]}"
    saved = {k: os.environ.get(k) for k in ("PUBLIC_BASE_URL", "INSATS_TOKEN_ISSUER")}
    os.environ["PUBLIC_BASE_URL"] = base
    os.environ["INSATS_TOKEN_ISSUER"] = issuer.issuer
    reset_login(*token_deps)
    thread = threading.Thread(target=gateway.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        gateway.shutdown()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        reset_login(*token_deps)
