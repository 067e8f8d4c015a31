"""The shapes of the reports API."""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

_MONTH = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    month: str = Field(description="YYYY-MM", examples=["2026-10"], max_length=7)
    provider_id: str | None = Field(default=None, min_length=1, max_length=64,
                                    description="One provider (a provider's coordinator and management: only their own)")

    @field_validator("month")
    @classmethod
    def _month(cls, value: str) -> str:
        if not _MONTH.match(value):
            raise ValueError("must be a month as YYYY-MM, e.g. 2026-10")
        return value



class Row(BaseModel):
    provider_id: str
    client: str = Field(description="Personnummer, masked")
    client_no: int = Field(ge=0, description=(
        "The client's place among every client of the build (the same for every reader): names one client's rows "
        "without the personnummer, until the next build"))
    aged_65: bool
    insats: str
    granted: int
    performed: int
    approved: int
    share_performed: float | None
    visits: int
    double_staffed: int
    without_decision: bool
    absence_days: dict[str, int]
    continuity_max: int | None
    deviations: dict[str, int] = Field(default_factory=dict, description=(
        "The client's deviations at the provider this month, by kind (the provider's totals add these up)"))
    visits_on_absence_days: list[str] = Field(default_factory=list, description=(
        "Days registered as the client's absence that also have a performed visit (billed once: see the invoice basis)"))


class Report(BaseModel):
    month: str
    built_at: str = Field(description="When the report was built")
    data_until: str | None = Field(description="The latest change the report includes")
    build: str = Field(description="full or incremental")
    providers: list[dict] = Field(description="Per provider (a provider's people: their own; a case worker: none)")
    municipality: dict | None = Field(description="Every provider together (the ordering unit, no provider named)")
    rows: list[Row]
