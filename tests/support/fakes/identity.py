"""In-memory fakes of the identity ports (``services/identity/ports.py``), held to the DynamoDB
adapters by ``tests/integration/contracts/test_identity_*.py``."""
from __future__ import annotations

from datetime import date, datetime, timezone

from services.domain.errors import Conflict
from services.identity.domain.model import AuditEntry, Organisation, StaffAccount
from services.identity.ports import DEFAULT_STAFF_ACR, IdentityDeps


class FakeOrganisations:
    def __init__(self) -> None:
        self.items: dict[str, Organisation] = {}

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        return self.items.get(organisation_id)

    def all_organisations(self) -> list[Organisation]:
        return [self.items[k] for k in sorted(self.items)]

    def put_organisation(self, organisation: Organisation) -> None:
        self.items[organisation.organisation_id] = organisation


class FakeAuditTrail:
    def __init__(self) -> None:
        self.entries_kept: list[AuditEntry] = []

    def record(self, entry: AuditEntry) -> None:
        self.entries_kept.append(entry)

    def entries(self, first: date, last: date) -> list[AuditEntry]:
        found = [e for e in self.entries_kept if first <= e.at.astimezone(timezone.utc).date() <= last]
        return sorted(found, key=lambda e: (e.at.isoformat(), e.entry_id))

    def entries_of_account(self, account_id: str) -> list[AuditEntry]:
        found = [e for e in self.entries_kept if e.account_id == account_id]
        return sorted(found, key=lambda e: (e.at.isoformat(), e.entry_id))

    def of(self, action: str) -> list[AuditEntry]:
        return [e for e in self.entries_kept if e.action == action]


class FakeStaffAccounts:
    def __init__(self, audit: FakeAuditTrail, published: list | None = None) -> None:
        self.items: dict[str, StaffAccount] = {}
        self.by_pnr: dict[str, str] = {}
        self.audit = audit
        self.published = published if published is not None else []  # the events of committed writes

    def get_account(self, account_id: str) -> StaffAccount | None:
        return self.items.get(account_id)

    def account_of(self, personnummer: str) -> StaffAccount | None:
        account_id = self.by_pnr.get(personnummer)
        return self.items.get(account_id) if account_id else None

    def accounts_of(self, organisation_id: str) -> list[StaffAccount]:
        return [self.items[k] for k in sorted(self.items) if self.items[k].organisation_id == organisation_id]

    def ending_between(self, first: date, last: date) -> list[StaffAccount]:
        found = [a for a in self.items.values() if a.ended_at is None and first <= a.valid_to <= last]
        return sorted(found, key=lambda a: (a.valid_to, a.account_id))

    def add_account(self, account: StaffAccount, audit: AuditEntry, events=()) -> None:  # noqa: ANN001
        if account.account_id in self.items or account.personnummer in self.by_pnr:
            raise Conflict("the person already has an account")
        self.items[account.account_id] = account
        self.by_pnr[account.personnummer] = account.account_id
        self.audit.record(audit)
        self.published += list(events)

    def save_account(self, account: StaffAccount, expected_version: int, audit: AuditEntry,
                     events=()) -> StaffAccount:  # noqa: ANN001
        stored = self.items.get(account.account_id)
        if stored is None or stored.version != expected_version:
            raise Conflict("the account changed since it was read; read it again")
        saved = account.model_copy(update={"version": expected_version + 1})
        self.items[account.account_id] = saved
        self.audit.record(audit)
        self.published += list(events)
        return saved

    def put_account(self, account: StaffAccount, events=()) -> None:  # noqa: ANN001
        self.items[account.account_id] = account
        self.by_pnr[account.personnummer] = account.account_id
        self.published += list(events)


class FakeReminders:
    def __init__(self, audit: FakeAuditTrail, published: list | None = None) -> None:
        self.marked: set[tuple[str, date]] = set()
        self.audit = audit
        self.published = published if published is not None else []

    def mark_reminded(self, account_id: str, valid_to: date, audit: AuditEntry, events=()) -> bool:  # noqa: ANN001
        if (account_id, valid_to) in self.marked:
            return False
        self.marked.add((account_id, valid_to))
        self.audit.record(audit)
        self.published += list(events)
        return True


NOW = datetime(2026, 12, 6, 9, tzinfo=timezone.utc)


def fake_identity_deps(clock=lambda: NOW, staff_acr: str = DEFAULT_STAFF_ACR) -> IdentityDeps:
    audit = FakeAuditTrail()
    published: list = []  # every committed write's events, in order (``deps.published``)
    deps = IdentityDeps(organisations=FakeOrganisations(), accounts=FakeStaffAccounts(audit, published), audit=audit,
                        reminders=FakeReminders(audit, published), clock=clock, staff_acr=staff_acr)
    deps.published = published  # type: ignore[attr-defined]
    return deps


class FakeGrants:
    """Codes and refresh grants by digest; a code is taken once (the adapter's conditional delete)."""

    def __init__(self) -> None:
        self.codes: dict[str, object] = {}
        self.refresh: dict[str, object] = {}

    def put_code(self, digest, grant, expires_at) -> None:  # noqa: ANN001
        if digest in self.codes:
            from services.domain.errors import Conflict

            raise Conflict("the code exists")
        self.codes[digest] = grant

    def take_code(self, digest):  # noqa: ANN001, ANN201
        return self.codes.pop(digest, None)

    def put_refresh(self, digest, grant) -> None:  # noqa: ANN001
        self.refresh[digest] = grant

    def get_refresh(self, digest):  # noqa: ANN001, ANN201
        return self.refresh.get(digest)

    def drop_refresh(self, digest) -> None:  # noqa: ANN001
        self.refresh.pop(digest, None)


class FakeLoginSessions:
    """The web's session store, with the identity service's keep-alive check by digest."""

    def __init__(self) -> None:
        self.by_id: dict[str, object] = {}

    def get(self, session_id):  # noqa: ANN001, ANN201
        return self.by_id.get(session_id) if session_id else None

    def put(self, session) -> None:  # noqa: ANN001
        self.by_id[session.session_id] = session

    def delete(self, session_id) -> None:  # noqa: ANN001
        self.by_id.pop(session_id, None)

    def end_by_digest(self, digest) -> None:  # noqa: ANN001
        import hashlib

        for sid in [s for s in self.by_id if hashlib.sha256(s.encode()).hexdigest() == digest]:
            del self.by_id[sid]

    def keep_alive(self, digest, now, idle) -> bool:  # noqa: ANN001
        import hashlib

        for sid, session in self.by_id.items():
            if hashlib.sha256(sid.encode()).hexdigest() == digest:
                if session.kind != "user" or session.ended(now):
                    return False
                session.idle_expires_at = now + idle
                return True
        return False
