"""Settings read from the environment, once, with defaults that fit the local stack.

Resource names follow ``infra/resources.py``: ``<prefix>-<name>``. An app may override any
name through its own environment variable (set in its ``.chalice/config.json``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _default_jwks_url() -> str:
    """Where Insats' public keys are when ``INSATS_TOKEN_JWKS_URL`` is not set: the key folder's
    ``jwks.json`` (``INSATS_SIGNING_KEY_DIR``, or locally ``DEV_ISSUER_DIR``), else on AWS the
    identity app's ``/identity/.well-known/jwks.json``; locally with neither, none."""
    folder = _env("INSATS_SIGNING_KEY_DIR", "")
    local = _env("INSATS_STAGE", "local") == "local"
    if not folder and local:
        folder = _env("DEV_ISSUER_DIR", "")
    if folder:
        return f"file://{os.path.abspath(folder)}/jwks.json"
    if local:
        return ""
    return _env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/") + "/identity/.well-known/jwks.json"


@dataclass(frozen=True)
class Settings:
    stage: str = field(default_factory=lambda: _env("INSATS_STAGE", "local"))
    prefix: str = field(default_factory=lambda: _env("INSATS_PREFIX", "insats"))
    region: str = field(default_factory=lambda: _env("AWS_REGION", _env("AWS_DEFAULT_REGION", "eu-north-1")))
    timezone: str = "Europe/Stockholm"
    # OIDC_* are the municipality's e-ID broker's alone (services/auth/broker.py reads them); the token
    # verifier never reads them. Insats' own tokens (services/auth/issuer.py mints them, services/auth/tokens.py verifies them).
    token_issuer: str = field(default_factory=lambda: _env(
        "INSATS_TOKEN_ISSUER", _env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/") + "/identity"))
    token_audience: str = field(default_factory=lambda: _env("INSATS_TOKEN_AUDIENCE", "insats"))
    token_jwks_url: str = field(default_factory=lambda: _env("INSATS_TOKEN_JWKS_URL", _default_jwks_url()))
    # Business knobs.
    draft_retention_days: int = field(default_factory=lambda: int(_env("DRAFT_RETENTION_DAYS", "14")))
    draft_reminder_days_before: int = field(default_factory=lambda: int(_env("DRAFT_REMINDER_DAYS_BEFORE", "3")))
    mileage_rate_ore_per_km: int = field(default_factory=lambda: int(_env("MILEAGE_RATE_ORE_PER_KM", "250")))
    mail_sender: str = field(default_factory=lambda: _env("MAIL_SENDER", "no-reply@insats.example"))
    public_base_url: str = field(default_factory=lambda: _env("PUBLIC_BASE_URL", "http://127.0.0.1:8000"))

    def name(self, resource: str) -> str:
        """The physical name of a table, queue, topic or bucket defined in infra/resources.py."""
        return _env(f"{resource.upper().replace('-', '_')}_NAME", f"{self.prefix}-{resource}")

    @property
    def is_local(self) -> bool:
        return self.stage == "local"


@cache
def settings() -> Settings:
    return Settings()
