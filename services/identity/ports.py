"""What the identity context's use cases depend on: the organisations, the staff accounts (with the
audit entry each change writes in the same transaction), the audit trail, the reminders, the
notifications port and the clock. ``bootstrap.py`` wires the DynamoDB adapters (``adapters/``);
the unit tier passes the fakes of ``tests/support/fakes/identity.py``, each held to its adapter by
``tests/integration/contracts/test_identity_*.py``."""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from ..clock import Clock, utc_now

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from ..auth.issuer import InsatsTokens
    from ..contracts.events import Event
    from .domain.grants import CodeGrant, RefreshGrant
    from .domain.model import AuditEntry, Organisation, StaffAccount

DEFAULT_STAFF_ACR = "http://id.elegnamnden.se/loa/1.0/loa3"


class Organisations(Protocol):
    def get_organisation(self, organisation_id: str) -> Organisation | None: ...
    def all_organisations(self) -> list[Organisation]:
        """Every organisation, by id."""

    def put_organisation(self, organisation: Organisation) -> None:
        """Registers or renames an organisation (the municipality's register; demo data)."""


class StaffAccounts(Protocol):
    def get_account(self, account_id: str) -> StaffAccount | None: ...
    def account_of(self, personnummer: str) -> StaffAccount | None:
        """The account bound to the personnummer, if any (one per person)."""

    def accounts_of(self, organisation_id: str) -> list[StaffAccount]:
        """An organisation's accounts, by account id."""

    def ending_between(self, first: date, last: date) -> list[StaffAccount]:
        """Accounts not ended whose ``valid_to`` lies in [first, last], by end date."""

    def add_account(self, account: StaffAccount, audit: AuditEntry, events: Sequence[Event] = ()) -> None:
        """Stores a new account, its audit entry and ``events`` (published by the table's outbox
        relay) together; ``Conflict`` if the account id or the personnummer already has an account
        (then nothing is written and no event published)."""

    def save_account(self, account: StaffAccount, expected_version: int, audit: AuditEntry,
                     events: Sequence[Event] = ()) -> StaffAccount:
        """Stores ``account`` as version ``expected_version + 1`` with its audit entry and ``events``, if
        the stored version is still ``expected_version`` (else ``Conflict``); returns what was stored."""

    def put_account(self, account: StaffAccount, events: Sequence[Event] = ()) -> None:
        """Stores the account whatever is stored (demo data), keeping the personnummer's pointer,
        with ``events``."""


class AuditTrail(Protocol):
    def record(self, entry: AuditEntry) -> None: ...
    def entries(self, first: date, last: date) -> list[AuditEntry]:
        """The entries of the days [first, last] (UTC), oldest first."""

    def entries_of_account(self, account_id: str) -> list[AuditEntry]:
        """Every entry naming the account, since it began, oldest first."""


class Reminders(Protocol):
    def mark_reminded(self, account_id: str, valid_to: date, audit: AuditEntry, events: Sequence[Event] = ()) -> bool:
        """Records that the account was reminded of ending on ``valid_to``, with its audit entry and
        ``events`` (the reminder's notification requests) in the same write: True the first time,
        False if it was already (then nothing is written and no event published)."""


class Grants(Protocol):
    """The authorization server's codes and refresh grants, stored under their secrets' digests."""

    def put_code(self, digest: str, grant: CodeGrant, expires_at: datetime) -> None: ...
    def take_code(self, digest: str) -> CodeGrant | None:
        """The code's grant, removed in the same step: a second take finds nothing."""

    def put_refresh(self, digest: str, grant: RefreshGrant) -> None: ...
    def get_refresh(self, digest: str) -> RefreshGrant | None: ...
    def drop_refresh(self, digest: str) -> None: ...


class LoginSessions(Protocol):
    """The identity service's web sessions (the toolkit's session store over the identity table)."""

    def get(self, session_id: str | None) -> Any: ...
    def put(self, session: Any) -> None: ...
    def delete(self, session_id: str) -> None: ...
    def keep_alive(self, digest: str, now: datetime, idle: timedelta) -> bool:
        """Whether the session whose id has this SHA-256 is a login that has not ended; if so its
        idle end moves to ``now + idle``."""

    def end_by_digest(self, digest: str) -> None:
        """Ends the session whose id has this SHA-256 (a logout in a section)."""


class TokenMinter(Protocol):
    issuer: str
    lifetime: int

    def mint(self, principal: object, *, session_id: str | None = None, nonce: str | None = None) -> str: ...
    def jwks(self) -> dict: ...


@dataclass
class IdentityDeps:
    organisations: Organisations
    accounts: StaffAccounts
    audit: AuditTrail
    reminders: Reminders
    clock: Clock = utc_now
    staff_acr: str = DEFAULT_STAFF_ACR
    # The login and the authorization server (the app's pages); the directory's use cases need none.
    grants: Grants | None = None
    sessions: LoginSessions | None = None
    tokens: TokenMinter | None = None
