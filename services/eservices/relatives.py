"""Relatives (närstående, god man) acting for a citizen: only with a case worker's approval,
only inside its dates. Case workers make approvals (case work, ``casework/relatives.py``); every
citizen operation asks ``acting_subject`` whom it acts for."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from ..adapters.dynamo import from_dynamo, query_all, query_partition, to_dynamo
from ..domain.errors import Forbidden, NotFound
from ..domain.personnummer import Personnummer
from .sv import citizen_error


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
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def overlaps(self, valid_from: date, valid_to: date | None) -> bool:
        """Do the dates overlap [valid_from, valid_to] (an ended approval overlaps nothing)?"""
        if self.ended_at is not None:
            return False
        return ((self.valid_to is None or valid_from <= self.valid_to)
                and (valid_to is None or self.valid_from <= valid_to))


def approval_item(a: RelativeApproval) -> dict[str, Any]:
    return {"pk": f"PERSON#{a.citizen}", "sk": f"RELATIVE#{a.approval_id}", "type": "relative_approval",
            **a.model_dump(mode="json"),
            "gsi1pk": f"RELATIVE#{a.relative}", "gsi1sk": f"{a.citizen}#{a.approval_id}",
            # One approval by its id alone (case workers' URLs carry no personnummer).
            "gsi2pk": f"APPROVAL#{a.approval_id}", "gsi2sk": "APPROVAL"}


class ApprovalRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def of_citizen(self, citizen: str) -> list[RelativeApproval]:
        items = query_partition(self.table, f"PERSON#{citizen}", "RELATIVE#")
        return [RelativeApproval.model_validate(i) for i in items]

    def of_relative(self, relative: str) -> list[RelativeApproval]:
        items = query_all(self.table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                          ExpressionAttributeValues={":pk": f"RELATIVE#{relative}"})
        return [RelativeApproval.model_validate(i) for i in items]

    def get(self, citizen: str, approval_id: str) -> RelativeApproval:
        item = self.table.get_item(Key={"pk": f"PERSON#{citizen}", "sk": f"RELATIVE#{approval_id}"},
                                   ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound("no such approval")
        return RelativeApproval.model_validate(from_dynamo(item))

    def by_id(self, approval_id: str) -> RelativeApproval:
        items = query_all(self.table, IndexName="gsi2", KeyConditionExpression="gsi2pk = :pk",
                          ExpressionAttributeValues={":pk": f"APPROVAL#{approval_id}"})
        if not items:
            raise NotFound("no such approval")
        found = RelativeApproval.model_validate(items[0])
        return self.get(found.citizen, found.approval_id)  # the table, consistently

    def item(self, approval: RelativeApproval) -> dict[str, Any]:
        return approval_item(approval)

    def add(self, uow: Any, approval: RelativeApproval) -> RelativeApproval:
        uow.put(approval_item(approval), condition="attribute_not_exists(pk)")
        return approval

    def replace(self, uow: Any, approval: RelativeApproval, *, expected_version: int) -> RelativeApproval:
        saved = approval.model_copy(update={"version": expected_version + 1})
        uow.put(approval_item(saved), condition="#v = :v", names={"#v": "version"}, values={":v": expected_version})
        return saved

    def put(self, approval: RelativeApproval) -> None:
        self.table.put_item(Item=to_dynamo(approval_item(approval)))

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
