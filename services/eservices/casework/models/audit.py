"""The audit search: what an auditor asks."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from ....domain.bounds import SaneDate, check_line
from ....domain.personnummer import PersonnummerField
from .base import Request, not_before


class AuditQuery(Request):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    person: PersonnummerField | None = None
    actor: Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(check_line)] | None = None
    from_: SaneDate = Field(alias="from")
    to: SaneDate
    format: Literal["json", "csv"] = "json"
    limit: int = Field(5000, ge=1, le=5000, description="records per answer; the next page by cursor")
    cursor: Annotated[str, StringConstraints(max_length=1000)] | None = Field(
        None, description="the X-Next-Cursor header of the previous answer")

    @field_validator("to")
    @classmethod
    def _to_after_from(cls, value: date, info: ValidationInfo) -> date:
        return not_before(value, info, "from_")  # type: ignore[return-value]


STAFF_ROLE_CODES = Literal["case_worker", "relative", "contact_person", "citizen", "auditor", "ordering_unit",
                           "provider_staff", "provider_coordinator", "provider_manager"]


class LogQuery(Request):
    """The auditors' log follow-up on the staff pages: the API's search, and by case (its number
    ÅÅÅÅ-NNNNNN or its id) and by a staff member's user id with or without their role."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    person: PersonnummerField | None = None
    user: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")] | None = None
    role: STAFF_ROLE_CODES | None = None
    case: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")] | None = None
    from_: SaneDate = Field(alias="from")
    to: SaneDate
    limit: int = Field(50, ge=1, le=200)
    cursor: Annotated[str, StringConstraints(max_length=1000)] | None = None

    @field_validator("to")
    @classmethod
    def _to_after_from(cls, value: date, info: ValidationInfo) -> date:
        return not_before(value, info, "from_")  # type: ignore[return-value]
