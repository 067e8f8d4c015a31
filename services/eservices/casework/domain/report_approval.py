"""A contact person's report approved against its assignment, and which forms are reports."""
from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from ....domain.periods import overlap

# form id -> (the step holding year and month, the kind of report)
REPORT_FORMS: dict[str, tuple[str, Literal["monthly", "time"]]] = {
    "contact-monthly-report": ("rapportering", "monthly"),
    "contact-time-report": ("tidrapport", "time"),
}


class ReportApproval(BaseModel):
    case_id: str
    assignment_id: str
    kind: Literal["monthly", "time"]
    year: int
    month: int
    km: float
    fee_ore: int
    allowance_ore: int
    terms_year: int
    approved_by: str
    approved_at: datetime


def in_force_during(valid_from: date, valid_to: date | None, year: int, month: int) -> bool:
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return overlap(valid_from, valid_to, first, last)
