"""What finance decides and billing keeps as it was decided: a month's contact-person payouts
approved for payment (the figures as approved, never recomputed), and a new version of a rule pack
(stored beside the shipped files, never changing a pack in use). Pure data."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from .payouts import PayoutView
from .rules import RulePack


class PayoutApproval(BaseModel):
    """One round of a month's payouts approved for payment: locked; that round's payroll file is
    these figures. Round 1 is the month's approval; round N > 1 a supplementary payout
    (tilläggsutbetalning) of the reports approved after round N − 1, none of them in an earlier round.
    An approval stored before rounds existed has no ``round``: it reads as round 1."""

    model_config = ConfigDict(frozen=True)
    month: str
    round: int = Field(default=1, ge=1)
    approved_at: datetime
    approved_by: str
    approved_by_name: str = ""
    payouts: PayoutView


class StoredRulePack(BaseModel):
    """A rule pack version finance stored (checked against the current month first): in force from
    its ``valid_from`` until a later pack replaces it."""

    model_config = ConfigDict(frozen=True)
    pack: RulePack
    stored_at: datetime
    stored_by: str
    stored_by_name: str = ""
