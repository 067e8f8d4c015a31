"""Contact-person assignments: requests and views."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from ....domain.bounds import SaneDate
from ....domain.personnummer import PersonnummerField
from .base import Id, LongText, Ore, Request, Text, not_before


class AssignmentRequest(Request):
    kind: Literal["kontaktperson", "kontaktfamilj"]
    contact_person: PersonnummerField
    contact_person_first_name: Text
    contact_person_last_name: Text
    client: PersonnummerField
    client_first_name: Text
    client_last_name: Text
    sessions_per_month: Annotated[int, Field(strict=True, ge=1, le=31)]
    monthly_fee_ore: Ore
    expense_allowance_ore: Ore
    valid_from: SaneDate
    valid_to: SaneDate | None = None
    case_id: Id | None = None
    note: LongText = ""

    @field_validator("client")
    @classmethod
    def _not_oneself(cls, value: str, info: ValidationInfo) -> str:
        if value == info.data.get("contact_person"):
            raise ValueError("a contact person cannot be their own client")
        return value

    @field_validator("valid_to")
    @classmethod
    def _to_after_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        return not_before(value, info)


class AssignmentChange(Request):
    """Only the fields sent change; ``valid_to: null`` makes the assignment open-ended."""

    version: int
    sessions_per_month: Annotated[int, Field(strict=True, ge=1, le=31)] | None = None
    monthly_fee_ore: Ore | None = None
    expense_allowance_ore: Ore | None = None
    valid_from: SaneDate | None = None
    valid_to: SaneDate | None = None
    note: LongText | None = None


class AssignmentQuery(Request):
    client: PersonnummerField | None = None
    contact_person: PersonnummerField | None = None


class AssignmentView(BaseModel):
    assignment_id: str
    kind: str
    contact_person: str
    contact_person_name: str
    client: str
    client_name: str
    sessions_per_month: int
    monthly_fee_ore: int
    expense_allowance_ore: int
    valid_from: date
    valid_to: date | None
    case_id: str | None
    note: str
    ended_at: datetime | None
    version: int


class MyAssignmentView(BaseModel):
    """What a contact person sees of an assignment: the client's name, not their personnummer."""

    assignment_id: str
    kind: str
    client_name: str
    client_personnummer: str = Field(description="masked: YYYYMMDD-****")
    sessions_per_month: int
    monthly_fee_ore: int
    expense_allowance_ore: int
    valid_from: date
    valid_to: date | None
    active: bool
