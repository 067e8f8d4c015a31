"""Cases (ärenden): what a submission becomes. Status moves submitted → received →
in_progress → decided; each step is kept in the history the citizen sees on Mina sidor.

Case work adds the intake (aktualisering) and the decisions (beslut) to the case; the citizen
reads them on Mina sidor. How a case is stored: ``adapters/cases.py``.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from ...domain.errors import Conflict, NotFound
from ...domain.personnummer import Personnummer
from .citizen_problems import citizen_error

CaseStatus = Literal["submitted", "received", "in_progress", "decided", "closed"]
STATUS_LABELS_SV: dict[str, str] = {
    "submitted": "Inskickad", "received": "Mottagen", "in_progress": "Under utredning",
    "decided": "Beslutad", "closed": "Avslutad",
}
# One name per audience. Citizens read the stored codes with ``STATUS_LABELS_SV``. Case workers
# call a case nobody has taken in yet "Ny" (as Lifecare does), so for them its code is ``new``
# too: the inbox filter, the rows and the case view use these codes and labels.
StaffStatus = Literal["new", "received", "in_progress", "decided", "closed"]
STAFF_CODES: dict[str, str] = {"submitted": "new"}
STAFF_LABELS_SV: dict[str, str] = {"new": "Ny", "received": "Mottagen", "in_progress": "Under utredning",
                                   "decided": "Beslutad", "closed": "Avslutad"}


def staff_status(status: str) -> tuple[str, str]:
    """A stored status as case workers read it: (code, label)."""
    code = STAFF_CODES.get(status, status)
    return code, STAFF_LABELS_SV.get(code, code)


def stored_status(staff_code: str) -> str:
    return next((k for k, v in STAFF_CODES.items() if v == staff_code), staff_code)
NEXT_STATUSES: dict[str, frozenset[str]] = {
    "submitted": frozenset({"received"}),
    "received": frozenset({"in_progress", "closed"}),  # closed: a contact person's report, once approved
    "in_progress": frozenset({"decided", "closed"}),
    "decided": frozenset({"closed"}),
    "closed": frozenset(),
}


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


class Intake(BaseModel):
    """Aktualisering: the application connected to an investigation and a case worker."""

    intake_type: str
    intake_type_label: str
    lss_insatser: list[str] = Field(default_factory=list)
    case_worker_id: str
    case_worker_name: str
    organisation: str
    from_whom: str
    from_whom_label: str = ""
    channel: str = "e_ansokan"
    channel_label: str = ""
    reason: str = ""
    note: str = ""
    at: datetime
    by: str

    @model_validator(mode="after")
    def _labels(self) -> "Intake":
        """Intakes stored before the labels were kept get them from the catalogue."""
        from ..casework.domain.catalog import CHANNELS, FROM_WHOM

        self.from_whom_label = self.from_whom_label or FROM_WHOM.get(self.from_whom, self.from_whom)
        self.channel_label = self.channel_label or CHANNELS.get(self.channel, self.channel)
        return self


class GrantedTimeLine(BaseModel):
    """Part of a home-care grant: one home-care insats with its minutes per month."""

    insats: str
    insats_label: str
    minutes_per_month: int


class Decision(BaseModel):
    """Beslut about one insats; what the citizen sees on Mina sidor."""

    decision_id: str
    insats: str
    insats_label: str
    law: str
    # the SFS number of the law cited (casework/laws.py); None on decisions made before it was kept
    law_sfs: str | None = None
    outcome: Literal["granted", "refused"]
    granted_minutes_per_month: int | None = None
    granted: list[GrantedTimeLine] = Field(default_factory=list)  # the breakdown, when one was given
    valid_from: date
    valid_to: date | None = None
    motivation: str = ""
    decided_at: datetime
    decided_by: str
    letter_document_id: str | None = None


class ReportReturned(BaseModel):
    """A contact person's report the case worker sent back instead of approving it: why, so the
    contact person can send a new one. Nothing is paid for a returned report."""

    reason: str
    at: datetime
    by: str  # a non-personal actor label


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
    intake: Intake | None = None
    decisions: list[Decision] = Field(default_factory=list)
    protected_identity: bool = False  # the owner's, as the register said at submit
    returned: ReportReturned | None = None  # a contact person's report sent back (report_approval.send_back)
    version: int = 1

    @property
    def applicant_name(self) -> str:
        """"Efternamn, Förnamn" as the inbox shows it: from the form, else the stored name."""
        me = self.answers.get("om_dig") or {}
        first, last = me.get("first_name") or "", me.get("last_name") or ""
        if first or last:
            return f"{last}, {first}".strip(", ")
        return self.owner_name

    def moved_to(self, status: CaseStatus, at: datetime, by: str) -> "Case":
        """The case in its next status, the step kept in the history; 409 for a step not allowed."""
        if status not in NEXT_STATUSES[self.status]:
            raise Conflict(f"a case that is {self.status} cannot become {status}")
        return self.model_copy(update={"status": status,
                                       "history": [*self.history, StatusChange(status=status, at=at, by=by)]})


def owned_by(case: Case | None, owner: str) -> Case:
    """A person's own case; someone else's answers 404, as if it did not exist."""
    if case is None or case.owner != owner:
        raise citizen_error(NotFound, "Ärendet finns inte")
    return case
