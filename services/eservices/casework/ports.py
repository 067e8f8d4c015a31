"""The ports of case work: what its use cases ask of the store, one repository per aggregate,
and the unit of work their writes commit in (``services/domain/ports.py``). Implemented over
DynamoDB in ``adapters/`` and in memory in ``tests/support/fakes/casework.py``; each pair is held
to one contract in ``tests/integration/contracts/test_casework_<port>.py``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from ...domain.ports import UnitOfWork

if TYPE_CHECKING:
    from ..cases import Case
    from .domain.assignments import Assignment
    from .domain.audit import AuditRecord
    from .domain.messages import Message, Party, Thread, Upload
    from .domain.messaging import MessagingSettings
    from .domain.report_approval import ReportApproval
    from .domain.visit_deviations import VisitDeviationCount

A = TypeVar("A")


class Kept(Protocol[A]):
    """By identity: found (or None), got (or ``NotFound``), added in a unit of work (the commit
    fails with ``Conflict`` if it exists)."""

    def find(self, *ident: str) -> A | None: ...

    def get(self, *ident: str) -> A: ...

    def add(self, uow: UnitOfWork, aggregate: A) -> A: ...


class Versioned(Kept[A], Protocol[A]):
    def replace(self, uow: UnitOfWork, aggregate: A, *, expected_version: int) -> A:
        """Stages the next version; the commit fails with ``Conflict`` if the stored version is
        no longer ``expected_version``."""
        ...


class AuditRepository(Protocol):
    """Append-only audit records."""

    def add(self, uow: UnitOfWork, records: list[AuditRecord]) -> None:
        """Records of a change, kept in the change's own commit."""
        ...

    def add_now(self, records: list[AuditRecord]) -> None:
        """Records of a read, kept at once (before the data leaves)."""
        ...

    def search(self, *, person: str | None, actor: str | None, start: datetime, end: datetime, limit: int,
               after: str | None = None, resource: str | None = None) -> tuple[list[AuditRecord], str | None]:
        """Records in [start, end), oldest first, by person, by actor, by a top-level resource
        (``case:<id>``, when neither person nor actor is given: its records and those under it,
        ``case:<id>/document:<id>``), or all; at most ``limit`` and where to continue after (None
        when there are no more)."""
        ...


class Inbox(Protocol):
    def page(self, *, status: str | None, category: str | None, after: str | None, before: str | None,
             limit: int, cursor: str | None, case_worker: str | None = None,
             forms: frozenset[str] | None = None, oldest_first: bool = False, case_number: str | None = None,
             name: str | None = None, by_status: Literal["asc", "desc"] | None = None) -> tuple[list[Case], str | None]:
        """Cases newest (or ``oldest_first``) first, optionally of one status, of a category
        (contains), taken in by one case worker, of some forms, with a case number, whose
        applicant's name contains ``name`` (never a person with protected identity), and submitted
        in [``after``, ``before``): a page and the cursor of the next one (None at the end).
        ``by_status``: by status first (new to closed, or back), newest first within each."""
        ...

    def count(self, *, status: str, case_worker: str | None = None, forms: frozenset[str] | None = None) -> int:
        """How many cases of one status (taken in by ``case_worker``, of ``forms``) there are."""
        ...


class AssignmentRepository(Versioned["Assignment"], Protocol):
    def of_contact_person(self, pnr: str) -> list[Assignment]: ...

    def of_client(self, pnr: str | None) -> list[Assignment]:
        """One client's assignments, or (None) every assignment."""
        ...


class ReportApprovalRepository(Kept["ReportApproval"], Protocol):
    """One approval per case."""


class MessagingRepository(Versioned["MessagingSettings"], Protocol):
    def require_enabled(self, uow: UnitOfWork, citizen: str) -> None:
        """The commit of ``uow`` fails with ``Conflict`` if messaging is off by then."""
        ...

    def enabled_named(self, name: str, limit: int) -> list[MessagingSettings]:
        """Citizens with messaging on whose surname or first name starts with ``name`` (any, if
        empty); at most ``limit`` per name."""
        ...


class ThreadRepository(Kept["Thread"], Protocol):
    def touch(self, uow: UnitOfWork, thread: Thread, at: datetime, unread_for: Party) -> None:
        """A new message in an existing thread: it moves to the top and is unread for ``unread_for``."""
        ...

    def clear_unread(self, thread_id: str, party: Party) -> None: ...

    def of_citizen(self, citizen: str) -> list[Thread]:
        """Newest message first."""
        ...

    def of_case_worker(self, user_id: str) -> list[Thread]:
        """Newest message first."""
        ...


class MessageRepository(Kept["Message"], Protocol):
    def of_thread(self, thread_id: str) -> list[Message]:
        """Oldest first."""
        ...

    def mark_read(self, message: Message, at: datetime) -> None: ...

    def mark_journaled(self, message: Message, at: datetime, by: str) -> None:
        """Conflict if the message is not there or is journaled already."""
        ...


class UploadRepository(Kept["Upload"], Protocol):
    def attach(self, uow: UnitOfWork, upload_id: str, owner: str) -> None:
        """The commit fails with ``Conflict`` if the upload was used meanwhile or is someone else's."""
        ...


class VisitDeviationCounts(Protocol):
    """The projection of the visits service's ``visit.changed``: per client, visit and month, how
    many deviations wait for the case worker (``domain/visit_deviations.py``)."""

    def record(self, count: VisitDeviationCount) -> bool:
        """Keeps ``count`` unless the same visit and month is stored with a version as high (a
        conditional write: a redelivered or late older event changes nothing). True if kept."""
        ...

    def pending(self, client: str, months: list[tuple[int, int]]) -> int:
        """How many deviations wait on the client's visits in ``months``."""
        ...


@dataclass
class CaseworkRepositories:
    """Case work's repositories (``EservicesDeps.casework``), wired in ``bootstrap.py``."""

    audit: AuditRepository
    inbox: Inbox
    assignments: AssignmentRepository
    report_approvals: ReportApprovalRepository
    messaging: MessagingRepository
    threads: ThreadRepository
    messages: MessageRepository
    uploads: UploadRepository
    visit_deviations: VisitDeviationCounts
