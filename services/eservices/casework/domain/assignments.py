"""A contact-person assignment: who meets whom, on what terms, from and to."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from ....domain.periods import in_force, overlap
from ....domain.personnummer import Personnummer


class Assignment(BaseModel):
    assignment_id: str
    kind: Literal["kontaktperson", "kontaktfamilj"]
    contact_person: Personnummer
    contact_person_first_name: str
    contact_person_last_name: str
    client: Personnummer
    client_first_name: str
    client_last_name: str
    sessions_per_month: int
    monthly_fee_ore: int
    expense_allowance_ore: int
    valid_from: date
    valid_to: date | None = None
    case_id: str | None = None
    note: str = ""
    created_by: str
    created_at: datetime
    ended_at: datetime | None = None
    version: int = 1

    def in_force_on(self, day: date) -> bool:
        return in_force(self.valid_from, self.valid_to, day)

    def overlaps(self, other: "Assignment") -> bool:
        return overlap(self.valid_from, self.valid_to, other.valid_from, other.valid_to)
