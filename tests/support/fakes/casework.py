"""In-memory twins of case work's repositories (the ports in ``services/eservices/casework/ports.py``)
and of the ports its use cases reach (cases, approvals, documents, the register), for the unit tier.

Each fake keeps its DynamoDB twin's contract (the same finders, the same order, the same conflicts
at commit), held to it by ``tests/integration/contracts/test_casework_<port>.py``.
``casework_deps()`` builds what a use case receives.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from services.auth.principal import Principal, Role
from services.domain.errors import Conflict
from services.eservices.domain.cases import NEXT_STATUSES, Case
from services.eservices.casework.domain.assignments import Assignment
from services.eservices.casework.domain.messages import Message, Party, Thread, Upload
from services.eservices.casework.domain.messaging import MessagingSettings, search_key
from services.eservices.casework.domain.report_approval import ReportApproval
from services.eservices.casework.domain.visit_deviations import VisitDeviationCount
from services.eservices.casework.ports import CaseworkRepositories
from services.eservices.domain.people import RegisteredPerson
from tests.support.fakes.common import Clock, FakeAudit, FakeDocuments, FakeUnitOfWork, InMemoryStore, RecordingPublisher
from tests.support.fakes.eservices import FakeApprovals, FakeCaseNumbers, FakeCases, FakeRegister


def _noop() -> None:
    return None


# -- case work's own repositories ---------------------------------------------------------

class FakeInbox:
    """The inbox over the fake cases: newest first, by status, category and submit time."""

    def __init__(self, cases: FakeCases) -> None:
        self.cases = cases
        self.statuses_read: list[str | None] = []

    def page(self, *, status: str | None, category: str | None, after: str | None, before: str | None,
             limit: int, cursor: str | None, case_worker: str | None = None,
             forms: frozenset[str] | None = None, oldest_first: bool = False, case_number: str | None = None,
             name: str | None = None, by_status: Literal["asc", "desc"] | None = None) -> tuple[list[Case], str | None]:
        self.statuses_read.append(status)

        def sk(c: Case) -> str:
            return f"{c.submitted_at.isoformat()}#{c.case_id}"

        def past(c: Case) -> bool:
            return cursor is None or by_status is not None or (sk(c) > cursor if oldest_first else sk(c) < cursor)
        found = sorted((c for c in self.cases.all() if (status is None or c.status == status)
                        and (category is None or category in c.category) and (after is None or sk(c) >= after)
                        and (before is None or sk(c) < before) and past(c) and _matches(c, case_worker, forms)
                        and (case_number is None or c.case_number == case_number)
                        and (name is None or (not c.protected_identity and _named(c, name)))),
                       key=sk, reverse=not oldest_first)
        if by_status:
            order = list(NEXT_STATUSES) if by_status == "asc" else list(reversed(NEXT_STATUSES))
            found = sorted(sorted(found, key=sk, reverse=True), key=lambda c: order.index(c.status))
            start = 0
            if cursor is not None:
                start = next(n + 1 for n, c in enumerate(found) if f"{c.status}|{sk(c)}" == cursor)
            page = found[start:start + limit]
            more = len(found) > start + limit
            return page, (f"{page[-1].status}|{sk(page[-1])}" if more else None)
        page = found[:limit]
        return page, (sk(page[-1]) if len(found) > limit else None)

    def count(self, *, status: str, case_worker: str | None = None, forms: frozenset[str] | None = None) -> int:
        return sum(1 for c in self.cases.all() if c.status == status and _matches(c, case_worker, forms))


def _named(c: Case, name: str) -> bool:
    me = c.answers.get("om_dig") or {}
    spelled = {name, name[:1].upper() + name[1:]}
    return any(s in str(v or "") for s in spelled for v in (c.owner_name, me.get("first_name"), me.get("last_name")))


def _matches(c: Case, case_worker: str | None, forms: frozenset[str] | None) -> bool:
    return ((case_worker is None or (c.intake is not None and c.intake.case_worker_id == case_worker))
            and (forms is None or c.form_id in forms))


class FakeAssignments(InMemoryStore[Assignment]):
    missing = "no such assignment"

    def ident(self, a: Assignment) -> tuple[str]:
        return (a.assignment_id,)

    def of_contact_person(self, pnr: str) -> list[Assignment]:
        """Earliest first, as the adapter's index sorts them."""
        return sorted((a for a in self.all() if a.contact_person == pnr), key=lambda a: (a.valid_from, a.assignment_id))

    def of_client(self, pnr: str | None) -> list[Assignment]:
        return sorted((a for a in self.all() if pnr is None or a.client == pnr),
                      key=lambda a: (str(a.client), a.valid_from, a.assignment_id))


class FakeReportApprovals(InMemoryStore[ReportApproval]):
    missing = "the report is not approved"

    def ident(self, a: ReportApproval) -> tuple[str]:
        return (a.case_id,)


class FakeMessaging(InMemoryStore[MessagingSettings]):
    missing = "messaging has never been set up for this citizen"

    def ident(self, s: MessagingSettings) -> tuple[str]:
        return (str(s.citizen),)

    def require_enabled(self, uow: FakeUnitOfWork, citizen: str) -> None:
        def check() -> None:
            found = self.find(citizen)
            if found is None or not found.enabled:
                raise Conflict("messaging is off")
        uow.stage(check, _noop)

    def enabled_named(self, name: str, limit: int) -> list[MessagingSettings]:
        """As the adapter reads its two name indexes: "surname first name" starting with ``name``,
        then "first name surname" (only the first when ``name`` is empty), each sorted, ``limit`` of each."""
        prefix = search_key(name)
        on = [s for s in self.all() if s.enabled]
        found: dict[str, MessagingSettings] = {}
        for index in range(2 if prefix else 1):
            def sort_key(s: MessagingSettings, index: int = index) -> str:
                first, second = ((s.last_name, s.first_name), (s.first_name, s.last_name))[index]
                return f"{search_key(first)} {search_key(second)}#{s.citizen}"
            for s in sorted((s for s in on if sort_key(s).startswith(prefix)), key=sort_key)[:limit]:
                found.setdefault(str(s.citizen), s)
        return list(found.values())


class FakeThreads(InMemoryStore[Thread]):
    missing = "no such thread"

    def ident(self, t: Thread) -> tuple[str]:
        return (t.thread_id,)

    def touch(self, uow: FakeUnitOfWork, thread: Thread, at: datetime, unread_for: Party) -> None:
        key = self._key(thread)

        def check() -> None:
            if key not in self.items:
                raise Conflict("no thread")

        def apply() -> None:
            stored = self.items[key]
            unread = f"unread_{unread_for}"
            self.items[key] = stored.model_copy(update={"last_message_at": at, unread: getattr(stored, unread) + 1})
        uow.stage(check, apply)

    def clear_unread(self, thread_id: str, party: Party) -> None:
        key = (thread_id,)
        self.items[key] = self.items[key].model_copy(update={f"unread_{party}": 0})

    def of_citizen(self, citizen: str) -> list[Thread]:
        return sorted((t for t in self.all() if t.citizen == citizen), key=lambda t: t.last_message_at, reverse=True)

    def of_case_worker(self, user_id: str) -> list[Thread]:
        return sorted((t for t in self.all() if t.case_worker_id == user_id), key=lambda t: t.last_message_at,
                      reverse=True)


class FakeMessages(InMemoryStore[Message]):
    def ident(self, m: Message) -> tuple[str, str, str]:
        return (m.thread_id, m.sent_at.isoformat(), m.message_id)

    def of_thread(self, thread_id: str) -> list[Message]:
        return sorted((m for m in self.all() if m.thread_id == thread_id), key=lambda m: (m.sent_at, m.message_id))

    def mark_read(self, message: Message, at: datetime) -> None:
        key = self._key(message)
        if key not in self.items:
            raise Conflict("the item changed or already exists")
        self.items[key] = self.items[key].model_copy(update={"read_at": at})

    def mark_journaled(self, message: Message, at: datetime, by: str) -> None:
        key = self._key(message)
        if key not in self.items or self.items[key].journaled_at is not None:
            raise Conflict("the item changed or already exists")
        self.items[key] = self.items[key].model_copy(update={"journaled_at": at, "journaled_by": by})


class FakeUploads(InMemoryStore[Upload]):
    def ident(self, u: Upload) -> tuple[str]:
        return (u.upload_id,)

    def attach(self, uow: FakeUnitOfWork, upload_id: str, owner: str) -> None:
        key = (upload_id,)

        def check() -> None:
            stored = self.items.get(key)
            if stored is None or stored.used or stored.owner != owner:
                raise Conflict("used or not yours")
        uow.stage(check, lambda: self.items.__setitem__(key, self.items[key].model_copy(update={"used": True})))


class FakeVisitDeviationCounts:
    """The projection of ``visit.changed``: per client, visit and month, the highest version's count."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, int, int, str], VisitDeviationCount] = {}

    def record(self, count: VisitDeviationCount) -> bool:
        key = (count.client, count.year, count.month, count.visit_id)
        if not count.replaces(self.counts.get(key)):
            return False
        self.counts[key] = count
        return True

    def pending(self, client: str, months: list[tuple[int, int]]) -> int:
        return sum(c.pending for (who, year, month, _), c in self.counts.items()
                   if who == client and (year, month) in months)


def fake_stores(cases: FakeCases) -> CaseworkRepositories:
    return CaseworkRepositories(audit=FakeAudit(), inbox=FakeInbox(cases), assignments=FakeAssignments(),
                          report_approvals=FakeReportApprovals(), messaging=FakeMessaging(), threads=FakeThreads(),
                          messages=FakeMessages(), uploads=FakeUploads(), visit_deviations=FakeVisitDeviationCounts())


# -- what a use case receives --------------------------------------------------------------

@dataclass
class CaseworkDeps:
    """What case work's use cases use of ``EservicesDeps``, over fakes."""

    clock: Clock
    register: FakeRegister = field(default_factory=FakeRegister)
    publisher: RecordingPublisher = field(default_factory=RecordingPublisher)
    documents: FakeDocuments = field(default_factory=FakeDocuments)
    cases: FakeCases = field(default_factory=FakeCases)
    case_numbers: FakeCaseNumbers = field(default_factory=FakeCaseNumbers)
    approvals: FakeApprovals = field(default_factory=FakeApprovals)
    casework: CaseworkRepositories = None  # type: ignore[assignment]
    commits: int = 0

    def __post_init__(self) -> None:
        if self.casework is None:
            self.casework = fake_stores(self.cases)

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.publisher, "eservices")

    @property
    def audit(self) -> FakeAudit:
        return self.casework.audit

    def events(self, event_type: str) -> list[Any]:
        return [e.payload for e in self.publisher.of_type(event_type)]


def casework_deps(now: datetime | None = None, *people: RegisteredPerson) -> CaseworkDeps:
    return CaseworkDeps(clock=Clock(now or datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)),
                        register=FakeRegister(*people))


def staff(user_id: str = "hl-1", name: str = "Marita Aronsson", role: Role = Role.CASE_WORKER) -> Principal:
    return Principal(subject=user_id, role=role, user_id=user_id, name=name)


def person(pnr: str, role: Role = Role.CITIZEN, *, name: str = "Test Testsson") -> Principal:
    return Principal(subject=f"sub-{pnr}", role=role, personnummer=pnr, name=name)
