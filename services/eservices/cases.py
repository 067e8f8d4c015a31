"""Cases (ärenden): what a submission becomes. Status moves submitted → received →
in_progress → decided; each step is kept in the history the citizen sees on Mina sidor."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..adapters.dynamo import from_dynamo, next_number, query_all, to_dynamo
from ..domain.errors import NotFound
from ..domain.personnummer import Personnummer

CaseStatus = Literal["submitted", "received", "in_progress", "decided", "closed"]
STATUS_LABELS_SV: dict[str, str] = {
    "submitted": "Inskickad", "received": "Mottagen", "in_progress": "Under utredning",
    "decided": "Beslutad", "closed": "Avslutad",
}
INBOX_PK = "INBOX"


class StatusChange(BaseModel):
    status: CaseStatus
    at: datetime
    by: str  # a non-personal actor label ("citizen", "case_worker:<id>")


class Document(BaseModel):
    document_id: str
    kind: Literal["submission_pdf", "decision_letter", "attachment"]
    key: str  # S3 key
    filename: str
    content_type: str = "application/pdf"
    created_at: datetime


class Case(BaseModel):
    case_id: str
    case_number: str
    form_id: str
    title: str
    category: str
    owner: Personnummer
    owner_name: str = ""
    submitted_by: Personnummer
    submitted_at: datetime
    status: CaseStatus = "submitted"
    history: list[StatusChange] = Field(default_factory=list)
    answers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    computed: dict[str, Any] = Field(default_factory=dict)
    documents: list[Document] = Field(default_factory=list)
    draft_id: str | None = None
    signature_digest: str | None = None
    version: int = 1


def case_key(case_id: str) -> dict[str, str]:
    return {"pk": f"CASE#{case_id}", "sk": "CASE"}


def case_item(case: Case) -> dict[str, Any]:
    return {
        **case_key(case.case_id), "type": "case", **case.model_dump(mode="json"),
        # Mina sidor: a person's cases, newest first.
        "gsi1pk": f"PERSON#{case.owner}", "gsi1sk": f"CASE#{case.submitted_at.isoformat()}#{case.case_id}",
        # The case workers' inbox: every case, by submit time.
        "gsi2pk": INBOX_PK, "gsi2sk": f"{case.submitted_at.isoformat()}#{case.case_id}",
    }


def new_case_number(table: Any, year: int) -> str:
    """Readable and unique: ``2026-000042`` (one counter per year)."""
    return f"{year}-{next_number(table, f'case-number#{year}'):06d}"


class CaseRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self, case_id: str) -> Case:
        item = self.table.get_item(Key=case_key(case_id), ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound("no such case")
        return Case.model_validate(from_dynamo(item))

    def get_owned(self, case_id: str, owner: str) -> Case:
        """A person's own case; someone else's answers 404, as if it did not exist."""
        case = self.get(case_id)
        if case.owner != owner:
            raise NotFound("no such case")
        return case

    def of_person(self, owner: str) -> list[Case]:
        items = query_all(self.table, IndexName="gsi1", ScanIndexForward=False,
                          KeyConditionExpression="gsi1pk = :pk AND begins_with(gsi1sk, :c)",
                          ExpressionAttributeValues={":pk": f"PERSON#{owner}", ":c": "CASE#"})
        return [Case.model_validate(i) for i in items]

    def item(self, case: Case) -> dict[str, Any]:
        return to_dynamo(case_item(case))
