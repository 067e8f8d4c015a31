"""Report approval: what the API takes."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReportApprovalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignment_id: str = Field(min_length=1, max_length=64, description="The assignment the report is paid under")


class ReportReturnRequest(BaseModel):
    """Why a report is sent back to the contact person: they read it on Mina sidor."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=1000, description="What the contact person should change")
