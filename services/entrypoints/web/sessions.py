"""Server-side sessions of the web (every section's), kept by a session store
(``services/adapters/web_sessions.py`` over the e-services table).

The browser holds only a random id in an HttpOnly cookie; the store keeps the SHA-256 of it, so
reading the table does not give a usable cookie. A session is either a login in progress (OIDC
state, nonce and PKCE verifier) or a logged-in person (their verified claims). It ends after a
period without requests (idle) and after an absolute lifetime; an ended session stays readable
until its TTL so that answers posted just after the end can be kept for after the next login.
"""
from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from ...auth.principal import Principal

KEEP_AFTER_END = timedelta(hours=2)  # the store keeps an ended session this long: see Stash


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class PendingLogin(BaseModel):
    state: str
    nonce: str
    verifier: str
    next: str
    # The identity service's login at the e-ID broker: for whom (people or staff) and where the
    # broker sends the code back.
    audience: Literal["people", "staff"] = "people"
    redirect_uri: str = ""


class Stash(BaseModel):
    """Answers posted to a step after the session had ended: saved into the draft after the same
    person logs in again."""

    personnummer: str
    draft_id: str
    step_id: str
    pairs: list[tuple[str, str]]


class PendingFile(BaseModel):
    """A file uploaded without JavaScript, waiting for the message it will be attached to."""

    upload_id: str
    filename: str
    size: int


class WebSession(BaseModel):
    session_id: str
    kind: Literal["login", "user"]
    section: str = "citizen"  # the section that began it; no other section's pages read it
    csrf: str = Field(default_factory=new_secret)
    created_at: datetime
    idle_expires_at: datetime
    absolute_expires_at: datetime
    principal: Principal | None = None
    # The identity service's session: the roles a staff member may choose between (one principal
    # each), where to go once one is chosen, and the broker's ID token for its logout.
    choices: list[Principal] = Field(default_factory=list)
    resume: str | None = None
    id_token_hint: str | None = None
    # A section's session: the identity service's refresh token and when to ask it again whether
    # the login still holds (``oidc.renew``).
    refresh_token: str | None = None
    renew_at: datetime | None = None
    acting_for: str | None = None
    acting_for_name: str | None = None
    login: PendingLogin | None = None
    stash: Stash | None = None
    notice: str | None = None  # shown once on the next page
    # Uploads without JavaScript: S3 keys under uploads/web/<upload_nonce>/ are this session's own;
    # pending files per message being written ("thread:<id>" or "case:<id>").
    upload_nonce: str | None = None
    pending_files: dict[str, list[PendingFile]] = Field(default_factory=dict)

    def ended(self, now: datetime) -> bool:
        return now >= self.idle_expires_at or now >= self.absolute_expires_at

    def ends_at(self) -> datetime:
        return min(self.idle_expires_at, self.absolute_expires_at)

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf.encode(), str(token).encode())


def start(kind: Literal["login", "user"], now: datetime, idle_seconds: int, absolute_seconds: int,
          **fields: Any) -> WebSession:
    return WebSession(session_id=new_secret(), kind=kind, created_at=now,
                      idle_expires_at=now + timedelta(seconds=idle_seconds),
                      absolute_expires_at=now + timedelta(seconds=absolute_seconds), **fields)
