"""In-memory fakes of the e-services' ports (``services/eservices/ports.py``), for the unit tier.

Each fake keeps the contract of its DynamoDB twin in ``services/eservices/adapters`` (the same
finders, the same conflicts and the same Swedish "not found"), so a use case runs against them
unchanged: ``eservices_deps()`` builds an ``EservicesDeps`` of them. The contract tests
(``tests/integration/contracts/test_eservices_*.py``) run the same assertions on both.
"""
from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime, timezone
from typing import Any

from services.auth.principal import Principal, Role
from services.domain.errors import Conflict
from services.eservices.acting_for import Acting, resolve_acting
from services.eservices.domain.cases import Case, owned_by
from services.eservices.domain.deliveries import ChannelStatus, DeliveryStatus
from services.eservices.domain.drafts import EXPIRY_LOOKBACK, Draft, DraftRules, Signature, changed_elsewhere
from services.eservices.domain.people import Profile, RegisteredPerson
from services.eservices.domain.relatives import RelativeApproval
from services.eservices.ports import EservicesDeps
from services.settings import settings
from tests.support.fakes.common import Clock, FakeAudit, FakeDocuments, FakeUnitOfWork, InMemoryStore, RecordingPublisher


class FakeCases(InMemoryStore[Case]):
    missing = "no such case"

    def ident(self, case: Case) -> tuple[str]:
        return (case.case_id,)

    def get_owned(self, case_id: str, owner: str) -> Case:
        return owned_by(self.find(case_id), owner)

    def of_person(self, owner: str) -> list[Case]:
        return sorted((c for c in self.all() if c.owner == owner), key=lambda c: (c.submitted_at, c.case_id),
                      reverse=True)

    def save_in(self, uow: FakeUnitOfWork, case: Case, *, expected_version: int) -> Case:
        return self.replace(uow, case, expected_version=expected_version)

    def add(self, uow: FakeUnitOfWork, case: Case) -> Case:
        """As the adapter: the case and its case number's lookup item, both new."""
        def check() -> None:
            if self.by_case_number(case.case_number) is not None:
                raise Conflict("the item changed or already exists")
        uow.stage(check, lambda: None)
        return super().add(uow, case)

    def by_case_number(self, case_number: str) -> Case | None:
        return next((c for c in self.all() if c.case_number == case_number), None)


class FakeCaseNumbers:
    def __init__(self) -> None:
        self.last: dict[int, int] = {}

    def next(self, year: int) -> str:
        self.last[year] = self.last.get(year, 0) + 1
        return f"{year}-{self.last[year]:06d}"


class FakeDrafts(DraftRules, InMemoryStore[Draft]):
    def list_open(self, owner: str) -> list[Draft]:
        return sorted((d for d in self.all() if d.owner == owner and d.status == "draft"),
                      key=lambda d: d.updated_at, reverse=True)

    def mark_reminded(self, uow: FakeUnitOfWork, draft: Draft) -> None:
        key = self._key(draft)
        uow.stage(self._at_version(key, draft.version),
                  self._store(key, draft.model_copy(update={"reminded": True})))

    def delete(self, draft: Draft) -> None:
        with changed_elsewhere():
            self.remove_now(draft, expected_version=draft.version)

    def expiring_before(self, instant: datetime, *, since: datetime | None = None) -> list[Draft]:
        first = (since or instant - EXPIRY_LOOKBACK).astimezone(timezone.utc).date()
        return [d for d in self.all() if d.status == "draft" and d.expires_at < instant
                and d.expires_at.astimezone(timezone.utc).date() >= first]


class FakeSubmitKeys:
    def __init__(self) -> None:
        self.used: dict[tuple[str, str], str] = {}

    def draft_of(self, owner: str, idempotency_key: str) -> str | None:
        return self.used.get((str(owner), idempotency_key))

    def add(self, uow: FakeUnitOfWork, owner: str, idempotency_key: str, draft_id: str, case_id: str,
            now: datetime) -> None:
        key = (str(owner), idempotency_key)

        def check() -> None:
            if key in self.used:
                raise Conflict("used")
        uow.stage(check, lambda: self.used.__setitem__(key, draft_id))


class FakeApprovals(InMemoryStore[RelativeApproval]):
    missing = "no such approval"

    def ident(self, a: RelativeApproval) -> tuple[str, str]:
        return (str(a.citizen), a.approval_id)

    def of_citizen(self, citizen: str) -> list[RelativeApproval]:
        return [a for a in self.all() if a.citizen == citizen]

    def of_relative(self, relative: str) -> list[RelativeApproval]:
        return [a for a in self.all() if a.relative == relative]

    def by_id(self, approval_id: str) -> RelativeApproval:
        found = next((a for a in self.all() if a.approval_id == approval_id), None)
        if found is None:
            raise self.not_found()
        return found

    def put(self, approval: RelativeApproval) -> None:
        self.put_now(approval)

    def active_approval(self, citizen: str, relative: str, day: date) -> RelativeApproval | None:
        return next((a for a in self.of_relative(relative) if a.citizen == citizen and a.active_on(day)), None)


class FakeProfiles:
    def __init__(self) -> None:
        self.profiles: dict[str, Profile] = {}

    def get(self, personnummer: str) -> Profile:
        return self.profiles.get(str(personnummer), Profile()).model_copy()

    def save(self, uow: FakeUnitOfWork, personnummer: str, profile: Profile) -> None:
        uow.stage(lambda: None, lambda: self.put(personnummer, profile))

    def put(self, personnummer: str, profile: Profile) -> None:
        self.profiles[str(personnummer)] = profile.model_copy()


class FakeDeliveries:
    def __init__(self) -> None:
        self.statuses: dict[str, DeliveryStatus] = {}

    def get(self, person: str) -> DeliveryStatus:
        return self.statuses.get(person, DeliveryStatus()).model_copy(deep=True)

    def record(self, person: str, channel: str, status: ChannelStatus) -> None:
        current = self.statuses.setdefault(person, DeliveryStatus())
        stored = getattr(current, channel)
        if stored is None or stored.at < status.at:
            setattr(current, channel, status)


class FakeSigner:
    """Signs at once, as the local development signer does."""

    def start(self, personnummer: str, text: str, digest: str, now: datetime) -> Signature:
        return Signature(order_ref=str(uuid.uuid4()), status="complete", digest=digest, signed_by=personnummer,
                         signed_at=now, signature="signed")

    def collect(self, signature: Signature, now: datetime) -> Signature:
        return signature


class FakeRegister:
    def __init__(self, *people: RegisteredPerson) -> None:
        self.people = {str(p.personnummer): p for p in people}

    def lookup(self, personnummer: str) -> RegisteredPerson | None:
        return self.people.get(str(personnummer))


class FakeSessions:
    def __init__(self) -> None:
        self.sessions: dict[str, Any] = {}

    def get(self, session_id: str | None) -> Any:
        found = self.sessions.get(session_id or "")
        return None if found is None else found.model_copy(deep=True)

    def put(self, session: Any) -> None:
        self.sessions[session.session_id] = session.model_copy(deep=True)

    def delete(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)


def eservices_deps(now: datetime | None = None, **overrides: Any) -> EservicesDeps:
    """Every port in memory; ``deps.unit_of_work()`` commits into the fakes and publishes to
    ``deps.publisher`` (a ``RecordingPublisher``)."""
    from services.eservices.casework.usecases.audit import AuditTrail

    publisher = RecordingPublisher()
    clock = Clock(now or datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc))
    parts: dict[str, Any] = dict(
        publisher=publisher, documents=FakeDocuments(), signer=FakeSigner(),
        settings=dataclasses.replace(settings()), register=FakeRegister(),
        unit_of_work=lambda: FakeUnitOfWork(publisher, "eservices"),
        cases=FakeCases(), case_numbers=FakeCaseNumbers(), drafts=FakeDrafts(), submit_keys=FakeSubmitKeys(),
        approvals=FakeApprovals(), profiles=FakeProfiles(), contacts=FakeContacts(), deliveries=FakeDeliveries(),
        audit=AuditTrail(FakeAudit(), clock), sessions=FakeSessions(), clock=clock)
    parts.update(overrides)
    return EservicesDeps(**parts)


def person(pnr: str, role: Role = Role.CITIZEN) -> Principal:
    """A person logged in with e-ID, as the token or the web session gives them."""
    return Principal(subject=pnr, role=role, personnummer=pnr, name="Test Person")


def acting_as(deps: EservicesDeps, pnr: str, role: Role = Role.CITIZEN, *, acting_for: str | None = None) -> Acting:
    """``pnr`` acting for themselves, or for ``acting_for`` (403 without an approval in force in
    ``deps``), resolved as the API and the web resolve it: no request is built."""
    from services.domain.personnummer import Personnummer

    return resolve_acting(deps, person(pnr, role), Personnummer(acting_for) if acting_for else None)


class FakeContacts:
    """Raw contact items (profiles and messaging settings) for the repair, keyed by (pk, sk)."""

    def __init__(self, *items: dict[str, Any]) -> None:
        self.items = {(i["pk"], i["sk"]): dict(i) for i in items}

    KINDS = ("PROFILE", "MESSAGING")

    def all(self) -> list[dict[str, Any]]:
        """Profiles and messaging settings only, as the table's scan filters them."""
        return [dict(i) for (_, sk), i in self.items.items() if sk in self.KINDS]

    @staticmethod
    def person_of(item: dict[str, Any]) -> str:
        return str(item["pk"]).removeprefix("PERSON#")

    def replace_if_unchanged(self, uow: FakeUnitOfWork, old: dict[str, Any], new: dict[str, Any],
                             watched: tuple[str, ...]) -> None:
        key = (old["pk"], old["sk"])

        def check() -> None:
            stored = self.items.get(key)
            if stored is None or any(stored.get(k) != old.get(k) for k in watched if old.get(k) is not None):
                raise Conflict("changed")
        uow.stage(check, lambda: self.items.__setitem__(key, dict(new)))
