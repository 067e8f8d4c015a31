"""Relatives (närstående, god man) acting for a citizen: only with a case worker's approval,
only inside its dates. Case workers make approvals (case work, ``casework/relatives.py``); every
citizen operation asks ``acting_subject`` whom it acts for."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from ..adapters.dynamo import query_partition
from ..adapters.store import ItemStore
from ..domain.errors import Forbidden
from ..domain.periods import in_force, overlap
from ..domain.personnummer import Personnummer
from .citizen_problems import citizen_error


class RelativeApproval(BaseModel):
    approval_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    citizen: Personnummer
    citizen_first_name: str
    citizen_last_name: str
    relative: Personnummer
    relative_first_name: str
    relative_last_name: str
    valid_from: date
    valid_to: date | None = None
    note: str = ""
    consent_recorded: bool = True
    created_by: str
    created_at: datetime
    ended_at: datetime | None = None
    version: int = 1

    def active_on(self, day: date) -> bool:
        if self.ended_at is not None and self.ended_at.date() <= day:
            return False
        return in_force(self.valid_from, self.valid_to, day)

    def overlaps(self, valid_from: date, valid_to: date | None) -> bool:
        """Do the dates overlap [valid_from, valid_to] (an ended approval overlaps nothing)?"""
        if self.ended_at is not None:
            return False
        return overlap(self.valid_from, self.valid_to, valid_from, valid_to)


class ApprovalRepository(ItemStore[RelativeApproval]):
    model = RelativeApproval
    entity = "relative_approval"
    missing = "no such approval"

    def key(self, citizen: str, approval_id: str) -> dict[str, str]:
        return {"pk": f"PERSON#{citizen}", "sk": f"RELATIVE#{approval_id}"}

    def ident(self, a: RelativeApproval) -> tuple[str, str]:
        return (str(a.citizen), a.approval_id)

    def indexes(self, a: RelativeApproval) -> dict[str, str]:
        return {"gsi1pk": f"RELATIVE#{a.relative}", "gsi1sk": f"{a.citizen}#{a.approval_id}",
                # One approval by its id alone (case workers' URLs carry no personnummer).
                "gsi2pk": f"APPROVAL#{a.approval_id}", "gsi2sk": "APPROVAL"}

    def of_citizen(self, citizen: str) -> list[RelativeApproval]:
        items = query_partition(self.table, f"PERSON#{citizen}", "RELATIVE#")
        return [RelativeApproval.model_validate(i) for i in items]

    def of_relative(self, relative: str) -> list[RelativeApproval]:
        items = query_partition(self.table, f"RELATIVE#{relative}", index="gsi1")
        return [RelativeApproval.model_validate(i) for i in items]

    def by_id(self, approval_id: str) -> RelativeApproval:
        items = query_partition(self.table, f"APPROVAL#{approval_id}", index="gsi2")
        if not items:
            raise self.not_found()
        found = RelativeApproval.model_validate(items[0])
        return self.get(found.citizen, found.approval_id)  # the table, consistently

    def put(self, approval: RelativeApproval) -> None:
        self.put_now(approval)

    def active_approval(self, citizen: str, relative: str, day: date) -> RelativeApproval | None:
        return next((a for a in self.of_relative(relative) if a.citizen == citizen and a.active_on(day)), None)


def acting_subject(principal: Any, acting_for: Personnummer | None, approvals: ApprovalRepository,
                   today: date) -> Personnummer:
    """Whom a logged-in person acts for: themselves, or a citizen who approved them today."""
    me = principal.personnummer
    if me is None:
        raise citizen_error(Forbidden, "E-tjänsterna används av personer inloggade med e-legitimation")
    if acting_for is None or acting_for == me:
        return me
    if approvals.active_approval(acting_for, me, today) is None:
        raise citizen_error(Forbidden, "Du har inget godkännande att företräda den här personen i dag")
    return acting_for
