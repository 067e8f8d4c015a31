"""Relatives (närstående, god man) acting for a citizen: only with a case worker's approval,
only inside its dates. Case workers make approvals (case work, ``casework/relatives.py``); every
citizen operation asks ``acting_subject`` whom it acts for."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from ...domain.periods import in_force, overlap
from ...domain.personnummer import Personnummer

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
