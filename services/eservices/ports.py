"""The ports of the citizen e-services: what the use cases ask of the world, as Protocols.

``EservicesDeps`` is typed with them. ``bootstrap.py`` wires the DynamoDB adapters
(``adapters/``); the unit tier passes the in-memory fakes of ``tests/support/fakes/eservices.py``,
and ``tests/integration/contracts/test_eservices_*.py`` runs the same assertions against both.
A repository raises the domain's errors: ``NotFound`` (in Swedish where a citizen reads it),
``Conflict`` when a guarded write loses, ``StoreUnavailable`` when the store is.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from ..clock import Clock, utc_now

if TYPE_CHECKING:
    from ..auth.principal import Principal
    from ..contracts.events import Envelope
    from ..domain.ports import UnitOfWork
    from ..settings import Settings
    from .casework.ports import CaseworkRepositories
    from .domain.cases import Case
    from .domain.deliveries import ChannelStatus, DeliveryStatus
    from .domain.drafts import Draft, Signature
    from .domain.people import Profile, RegisteredPerson
    from .domain.relatives import RelativeApproval


class CaseRepository(Protocol):
    def find(self, case_id: str) -> Case | None: ...

    def get(self, case_id: str) -> Case:
        """The case, or ``NotFound``."""
        ...

    def get_owned(self, case_id: str, owner: str) -> Case:
        """A person's own case; someone else's is ``NotFound`` (in Swedish), as if it did not exist."""
        ...

    def of_person(self, owner: str) -> list[Case]:
        """A person's cases, newest submit first."""
        ...

    def by_case_number(self, case_number: str) -> Case | None:
        """The case of a case number (a number is given to one case only: ``add`` refuses a second)."""
        ...

    def add(self, uow: UnitOfWork, case: Case) -> Case: ...

    def add_now(self, case: Case) -> Case: ...

    def replace(self, uow: UnitOfWork, case: Case, *, expected_version: int,
                only_if: dict[str, Any] | None = None) -> Case: ...

    def save_in(self, uow: UnitOfWork, case: Case, *, expected_version: int) -> Case:
        """Stages the changed case; the commit fails with ``Conflict`` if it changed since."""
        ...


class CaseNumbers(Protocol):
    def next(self, year: int) -> str:
        """A readable case number unique in its year: ``2026-000042``."""
        ...


class DraftRepository(Protocol):
    def find(self, owner: str, draft_id: str) -> Draft | None: ...

    def get(self, owner: str, draft_id: str) -> Draft:
        """The draft, or ``NotFound`` ("Utkastet finns inte")."""
        ...

    def add_now(self, draft: Draft) -> Draft: ...

    def save(self, draft: Draft, expected_version: int) -> Draft:
        """The next version of an open draft; ``Conflict`` if it changed since or was submitted."""
        ...

    def submit(self, uow: UnitOfWork, draft: Draft, case_id: str) -> Draft:
        """Stages the draft as submitted into ``case_id``, if it is still the open draft read."""
        ...

    def list_open(self, owner: str) -> list[Draft]:
        """A person's open drafts, the last saved first."""
        ...

    def mark_reminded(self, uow: UnitOfWork, draft: Draft) -> None:
        """Stages ``reminded`` at the same version; the commit fails with ``Conflict`` if it changed."""
        ...

    def delete(self, draft: Draft) -> None:
        """Deletes the draft if unchanged since read (``Conflict`` otherwise)."""
        ...

    def expiring_before(self, instant: datetime, *, since: datetime | None = None) -> list[Draft]:
        """Open drafts expiring before ``instant``, from the day of ``since`` (default: a week back)."""
        ...


class SubmitKeys(Protocol):
    def draft_of(self, owner: str, idempotency_key: str) -> str | None:
        """The draft a person's Idempotency-Key submitted, or None if it is unused."""
        ...

    def add(self, uow: UnitOfWork, owner: str, idempotency_key: str, draft_id: str, case_id: str,
            now: datetime) -> None:
        """Stages the key; the commit fails with ``Conflict`` if it was used already."""
        ...


class ApprovalRepository(Protocol):
    def find(self, citizen: str, approval_id: str) -> RelativeApproval | None: ...

    def get(self, citizen: str, approval_id: str) -> RelativeApproval: ...

    def by_id(self, approval_id: str) -> RelativeApproval:
        """An approval by its id alone, or ``NotFound``."""
        ...

    def of_citizen(self, citizen: str) -> list[RelativeApproval]: ...

    def of_relative(self, relative: str) -> list[RelativeApproval]: ...

    def active_approval(self, citizen: str, relative: str, day: date) -> RelativeApproval | None: ...

    def add(self, uow: UnitOfWork, approval: RelativeApproval) -> RelativeApproval: ...

    def replace(self, uow: UnitOfWork, approval: RelativeApproval, *, expected_version: int,
                only_if: dict[str, Any] | None = None) -> RelativeApproval: ...

    def put(self, approval: RelativeApproval) -> None:
        """Writes the approval whatever is stored (seeds)."""
        ...


class ProfileRepository(Protocol):
    def get(self, personnummer: str) -> Profile:
        """The person's profile; an empty one if they have none."""
        ...

    def save(self, uow: UnitOfWork, personnummer: str, profile: Profile) -> None: ...

    def put(self, personnummer: str, profile: Profile) -> None: ...


class StoredContacts(Protocol):
    """The stored contact details (profiles, case work's messaging settings) as raw items, for the
    one-off repair (``usecases/contact_repair.py``)."""

    def all(self) -> list[dict[str, Any]]: ...

    def person_of(self, item: dict[str, Any]) -> str: ...

    def replace_if_unchanged(self, uow: UnitOfWork, old: dict[str, Any], new: dict[str, Any],
                             watched: tuple[str, ...]) -> None:
        """Stages ``new``; the commit fails with ``Conflict`` if a ``watched`` attribute changed."""
        ...


class DeliveryStatuses(Protocol):
    def get(self, person: str) -> DeliveryStatus: ...

    def record(self, person: str, channel: str, status: ChannelStatus) -> None:
        """Keeps ``status`` unless a newer one of the channel is kept (a late event changes nothing)."""
        ...


class AuditTrail(Protocol):
    def read(self, who: Principal, action: str, subjects: Any, *, resource: str = "",
             acting_for: str | None = None) -> None: ...

    def add_to(self, uow: UnitOfWork, who: Principal, action: str, subjects: Any, *, resource: str = "",
               acting_for: str | None = None) -> None: ...


class Sessions(Protocol):
    """The web's sessions (``web/sessions.py``)."""

    def get(self, session_id: str | None) -> Any: ...

    def put(self, session: Any) -> None: ...

    def delete(self, session_id: str) -> None: ...


class Signer(Protocol):
    """Signing with e-ID: start an order for a text and a digest, then collect until complete."""

    def start(self, personnummer: str, text: str, digest: str, now: datetime) -> Signature: ...

    def collect(self, signature: Signature, now: datetime) -> Signature: ...


class PopulationRegister(Protocol):
    def lookup(self, personnummer: str) -> RegisteredPerson | None: ...


class DocumentStore(Protocol):
    """The documents bucket (``services/adapters/documents.py``)."""

    def put(self, key: str, body: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def copy(self, source: str, key: str) -> None: ...

    def size(self, key: str) -> int | None: ...

    def presigned_get(self, key: str, *, filename: str, expires: int = 300) -> str: ...

    def presigned_post(self, key: str, *, max_bytes: int, content_type: str | None, expires: int = 900,
                       redirect: str | None = None) -> dict[str, Any]: ...


class Publisher(Protocol):
    def publish(self, envelope: Envelope) -> None: ...


# The OIDC token endpoint the web's login calls: (url, form) -> the token response. None: over HTTP.
TokenEndpoint = Callable[[str, dict[str, str]], dict[str, Any]]


@dataclass
class EservicesDeps:
    publisher: Publisher
    documents: DocumentStore
    signer: Signer
    settings: Settings
    register: PopulationRegister
    unit_of_work: Callable[[], UnitOfWork]
    cases: CaseRepository
    case_numbers: CaseNumbers
    drafts: DraftRepository
    submit_keys: SubmitKeys
    approvals: ApprovalRepository
    profiles: ProfileRepository
    contacts: StoredContacts
    deliveries: DeliveryStatuses
    audit: AuditTrail
    sessions: Sessions
    clock: Clock = utc_now
    casework: CaseworkRepositories | None = None  # case work's repositories (casework/bootstrap.py)
    token_endpoint: TokenEndpoint | None = None  # the web login's; a test passes a fake issuer's
