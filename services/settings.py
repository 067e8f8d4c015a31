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


@dataclass(frozen=True)
class Settings:
    stage: str = field(default_factory=lambda: _env("INSATS_STAGE", "local"))
    prefix: str = field(default_factory=lambda: _env("INSATS_PREFIX", "insats"))
    region: str = field(default_factory=lambda: _env("AWS_REGION", _env("AWS_DEFAULT_REGION", "eu-north-1")))
    timezone: str = "Europe/Stockholm"
    # OIDC: the municipality's e-ID broker in production, the development issuer locally.
    oidc_issuer: str = field(default_factory=lambda: _env("OIDC_ISSUER", "https://dev-issuer.insats.local"))
    oidc_audience: str = field(default_factory=lambda: _env("OIDC_AUDIENCE", "insats"))
    oidc_jwks_url: str = field(default_factory=lambda: _env("OIDC_JWKS_URL", ""))
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
