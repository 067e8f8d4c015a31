"""In-memory fakes shared by every context's unit tests: the ports in ``services/domain/ports.py``,
a clock a test moves, and the audit repository and document store more than one context uses. A context's own fakes are in ``tests/support/fakes/<context>.py``.

``FakeUnitOfWork`` stages (check, apply) pairs: the commit runs every check first, so a
conflict leaves nothing stored, as a DynamoDB transaction does. ``InMemoryStore`` is the
fake twin of ``services.adapters.store.ItemStore``: the same find/get/add/replace over a
dict, keyed by the aggregate's identity. A context's fake repositories subclass it and add
their finders.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from services.domain.errors import Conflict, DomainError, NotFound
from services.eservices.casework.domain.audit import AuditRecord

M = TypeVar("M", bound=BaseModel)


class RecordingPublisher:
    """Keeps what was published."""

    def __init__(self) -> None:
        self.published: list[Any] = []

    def publish(self, envelope: Any) -> None:
        self.published.append(envelope)

    def publish_batch(self, envelopes: list[Any]) -> list[str]:
        """Returns the ids that failed: none."""
        self.published.extend(envelopes)
        return []

    def of_type(self, event_type: str) -> list[Any]:
        return [e for e in self.published if e.event_type == event_type]


class FakeUnitOfWork:
    def __init__(self, publisher: RecordingPublisher | None = None, source: str = "test") -> None:
        self.publisher = publisher or RecordingPublisher()
        self.source = source
        self._staged: list[tuple[Callable[[], None], Callable[[], None]]] = []
        self._envelopes: list[Any] = []
        self.commits = 0

    def stage(self, check: Callable[[], None], apply: Callable[[], None]) -> None:
        self._staged.append((check, apply))

    def emit(self, event: Any) -> Any:
        envelope = event.envelope(self.source)
        self._envelopes.append(envelope)
        return envelope

    def commit(self, conflict_detail: str = "the item changed or already exists") -> list[Any]:
        staged, envelopes = self._staged, self._envelopes
        self._staged, self._envelopes = [], []
        try:
            for check, _ in staged:
                check()
        except Conflict:
            raise Conflict(conflict_detail) from None
        for _, apply in staged:
            apply()
        self.commits += 1
        for envelope in envelopes:
            self.publisher.publish(envelope)
        return envelopes


class InMemoryStore(Generic[M]):
    missing: ClassVar[str] = "not found"

    def __init__(self) -> None:
        self.items: dict[tuple[Any, ...], M] = {}

    def ident(self, aggregate: M) -> tuple[Any, ...]:
        raise NotImplementedError

    def not_found(self) -> DomainError:
        return NotFound(self.missing)

    def find(self, *ident: Any) -> M | None:
        found = self.items.get(tuple(str(i) for i in ident))
        return None if found is None else found.model_copy(deep=True)

    def get(self, *ident: Any) -> M:
        found = self.find(*ident)
        if found is None:
            raise self.not_found()
        return found

    def all(self) -> list[M]:
        return [a.model_copy(deep=True) for a in self.items.values()]

    def _key(self, aggregate: M) -> tuple[Any, ...]:
        return tuple(str(i) for i in self.ident(aggregate))

    def _absent(self, key: tuple[Any, ...]) -> Callable[[], None]:
        def check() -> None:
            if key in self.items:
                raise Conflict("exists")
        return check

    def _at_version(self, key: tuple[Any, ...], version: int,
                    only_if: dict[str, Any] | None = None) -> Callable[[], None]:
        def check() -> None:
            stored = self.items.get(key)
            if stored is None or getattr(stored, "version") != version:
                raise Conflict("changed")
            stored_json = stored.model_dump(mode="json")
            if any(stored_json.get(name) != value for name, value in (only_if or {}).items()):
                raise Conflict("changed")
        return check

    def _store(self, key: tuple[Any, ...], aggregate: M) -> Callable[[], None]:
        return lambda: self.items.__setitem__(key, aggregate.model_copy(deep=True))

    def add(self, uow: FakeUnitOfWork, aggregate: M) -> M:
        key = self._key(aggregate)
        uow.stage(self._absent(key), self._store(key, aggregate))
        return aggregate

    def replace(self, uow: FakeUnitOfWork, aggregate: M, *, expected_version: int,
                only_if: dict[str, Any] | None = None) -> M:
        saved = aggregate.model_copy(update={"version": expected_version + 1})
        key = self._key(saved)
        uow.stage(self._at_version(key, expected_version, only_if), self._store(key, saved))
        return saved

    def add_now(self, aggregate: M) -> M:
        key = self._key(aggregate)
        self._absent(key)()
        self._store(key, aggregate)()
        return aggregate

    def replace_now(self, aggregate: M, *, expected_version: int, only_if: dict[str, Any] | None = None) -> M:
        saved = aggregate.model_copy(update={"version": expected_version + 1})
        key = self._key(saved)
        self._at_version(key, expected_version, only_if)()
        self._store(key, saved)()
        return saved

    def put_now(self, aggregate: M) -> M:
        self._store(self._key(aggregate), aggregate)()
        return aggregate

    def remove_now(self, aggregate: M, *, expected_version: int) -> None:
        key = self._key(aggregate)
        self._at_version(key, expected_version)()
        self.items.pop(key, None)


class Clock:
    """A clock a test holds and moves: called, it answers ``now`` — a ``datetime`` for the use
    cases, or seconds (a ``float``) for code timed with ``time.monotonic``. Set ``now`` or
    ``advance`` it; ``at`` is another name for ``now``."""

    def __init__(self, now: Any) -> None:
        self.now = now

    def __call__(self) -> Any:
        return self.now

    def advance(self, by: Any) -> Any:
        """Moves the clock on by a ``timedelta`` (or seconds) and answers the new time."""
        self.now = self.now + by
        return self.now

    @property
    def at(self) -> Any:
        return self.now

    @at.setter
    def at(self, value: Any) -> None:
        self.now = value


class FakeAudit:
    """Keeps records; ``batches`` says how many records each batch write of read-audits held;
    ``reads`` what each search read, as the adapter would: ``("gsi1", person)``, ``("gsi2", actor)``,
    ``("gsi3", resource)`` (one index partition) or ``("days", start, end)`` (every shard of every day)."""

    def __init__(self) -> None:
        self.records: list[AuditRecord] = []
        self.batches: list[int] = []
        self.reads: list[tuple] = []

    def add(self, uow: FakeUnitOfWork, records: list[AuditRecord]) -> None:
        def check() -> None:  # a record is written once, as the adapter's conditional put says
            kept = {r.audit_id for r in self.records}
            if any(r.audit_id in kept for r in records):
                raise Conflict("the audit record exists")
        uow.stage(check, lambda: self.records.extend(records))

    def add_now(self, records: list[AuditRecord]) -> None:
        self.batches.append(len(records))
        self.records.extend(records)

    def search(self, *, person: str | None, actor: str | None, start: datetime, end: datetime, limit: int,
               after: str | None = None, resource: str | None = None) -> tuple[list[AuditRecord], str | None]:
        def stamp(r: AuditRecord) -> str:
            return f"{r.at.astimezone(timezone.utc).isoformat()}#{r.audit_id}"
        resource = None if person or actor else resource  # as the adapter: person, else actor, else resource
        self.reads.append(("gsi1", person) if person else ("gsi2", actor) if actor else ("gsi3", resource)
                          if resource else ("days", start, end))
        found = sorted((r for r in self.records if start <= r.at < end and (not person or r.subject == person)
                        and (not actor or r.actor == actor)
                        and (not resource or r.resource.split("/", 1)[0] == resource.split("/", 1)[0])
                        and (after is None or stamp(r) > after)), key=stamp)
        page = found[:limit]
        return page, (stamp(page[-1]) if len(found) > limit else None)

    def actions_on(self, person: str) -> list[str]:
        return [r.action for r in self.records if r.subject == person]


class FakeDocuments:
    """The document store: objects by key, with the copies, sizes and presigned links it offers."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self.objects[key] = (body, content_type)

    def get(self, key: str) -> bytes:
        return self.objects[key][0]

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def copy(self, source: str, key: str) -> None:
        self.objects[key] = self.objects[source]

    def size(self, key: str) -> int | None:
        return len(self.objects[key][0]) if key in self.objects else None

    def presigned_get(self, key: str, filename: str | None = None) -> str:
        return f"https://documents.example/{key}?filename={filename or ''}"

    def presigned_post(self, key: str, *, max_bytes: int, content_type: str | None, expires: int = 900,
                       redirect: str | None = None) -> dict[str, Any]:
        return {"url": "https://documents.example/upload", "fields": {"key": key}}
