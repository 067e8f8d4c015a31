"""Fakes shared by more than one context, each written once: the audit repository (case work's
port, which the e-services' audit trail writes through too) and the document store (S3)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from services.domain.errors import Conflict
from services.eservices.casework.domain.audit import AuditRecord
from tests.support.fakes import FakeUnitOfWork


class FakeAudit:
    """Keeps records; ``batches`` says how many records each batch write of read-audits held."""

    def __init__(self) -> None:
        self.records: list[AuditRecord] = []
        self.batches: list[int] = []

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
               after: str | None = None) -> tuple[list[AuditRecord], str | None]:
        def stamp(r: AuditRecord) -> str:
            return f"{r.at.astimezone(timezone.utc).isoformat()}#{r.audit_id}"
        found = sorted((r for r in self.records if start <= r.at < end and (not person or r.subject == person)
                        and (not actor or r.actor == actor) and (after is None or stamp(r) > after)), key=stamp)
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
