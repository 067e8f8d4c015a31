"""Relatives' approvals: requests and views."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ValidationInfo, field_validator

from ....domain.bounds import SaneDate
from ....domain.personnummer import PersonnummerField
from .base import LongText, Request, Text, not_before


class PersonRef(Request):
    personnummer: PersonnummerField
    first_name: Text
    last_name: Text


class ApprovalRequest(Request):
    citizen: PersonRef
    relative: PersonRef
    valid_from: SaneDate
    valid_to: SaneDate | None = None
    note: LongText = ""
    consent_recorded: bool

    @field_validator("relative")
    @classmethod
    def _not_oneself(cls, value: PersonRef, info: ValidationInfo) -> PersonRef:
        citizen = info.data.get("citizen")
        if citizen is not None and value.personnummer == citizen.personnummer:
            raise ValueError("a person cannot be their own relative")
        return value

    @field_validator("valid_to")
    @classmethod
    def _to_after_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        return not_before(value, info)

    @field_validator("consent_recorded")
    @classmethod
    def _consent(cls, value: bool) -> bool:
        if not value:
            raise ValueError("record the citizen's consent before approving a relative")
        return value


class ApprovalChange(Request):
    version: int
    valid_from: SaneDate | None = None
    valid_to: SaneDate | None = None
    note: LongText | None = None


class ApprovalQuery(Request):
    citizen: PersonnummerField | None = None
    relative: PersonnummerField | None = None


class ApprovalView(BaseModel):
    approval_id: str
    citizen: str
    citizen_name: str
    relative: str
    relative_name: str
    valid_from: date
    valid_to: date | None
    note: str
    consent_recorded: bool
    created_by: str
    created_at: datetime
    ended_at: datetime | None
    active_today: bool
    version: int
