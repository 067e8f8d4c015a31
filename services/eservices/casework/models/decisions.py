"""Decisions per insats: what a case worker sends."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, field_validator

from ....domain.bounds import SaneDate, check_text
from ....domain.insatser import HOME_CARE_INSATSER  # the catalogue's breakdown of hemtjänst
from ..domain.catalog import HOME_CARE, INSATSER, MAX_MINUTES_PER_MONTH
from .base import LongText, Request, not_before

InsatsCode = Literal[tuple(INSATSER)]  # type: ignore[valid-type]


class GrantedLine(Request):
    insats: Literal[HOME_CARE_INSATSER]  # type: ignore[valid-type]
    minutes_per_month: Annotated[int, Field(strict=True, ge=1, le=MAX_MINUTES_PER_MONTH)]


class InsatsDecision(Request):
    insats: InsatsCode
    outcome: Literal["granted", "refused"]
    granted_minutes_per_month: Annotated[int, Field(strict=True, ge=1, le=MAX_MINUTES_PER_MONTH)] | None = Field(
        None, validate_default=True, description="home care (hemtjanst) granted: required; otherwise absent")
    granted: list[GrantedLine] | None = Field(
        None, max_length=len(HOME_CARE_INSATSER),
        description="granted home care: the minutes per month per home-care insats, adding up to "
                    "granted_minutes_per_month; optional")
    provider_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                                  pattern=r"^[A-Za-z0-9._-]+$")] | None = Field(
        None, description="granted home care: the provider the order goes to; optional")
    social_psychiatry: bool = Field(False, description="granted home care within social psychiatry")
    valid_from: SaneDate
    valid_to: SaneDate | None = None
    motivation: LongText = ""

    @field_validator("granted")
    @classmethod
    def _lines_add_up(cls, value: list[GrantedLine] | None, info: ValidationInfo) -> list[GrantedLine] | None:
        if value is None:
            return value
        total = info.data.get("granted_minutes_per_month")
        if total is None:
            raise ValueError("only granted home care is broken down per insats")
        if len({g.insats for g in value}) != len(value):
            raise ValueError("each insats once")
        if sum(g.minutes_per_month for g in value) != total:
            raise ValueError(f"the minutes per insats must add up to granted_minutes_per_month ({total})")
        return value

    @field_validator("provider_id", "social_psychiatry")
    @classmethod
    def _only_for_granted_home_care(cls, value: Any, info: ValidationInfo) -> Any:
        if value and not (info.data.get("insats") == HOME_CARE and info.data.get("outcome") == "granted"):
            raise ValueError("only for granted home care")
        return value

    @field_validator("granted_minutes_per_month")
    @classmethod
    def _minutes_only_for_granted_home_care(cls, value: int | None, info: ValidationInfo) -> int | None:
        insats, outcome = info.data.get("insats"), info.data.get("outcome")
        if insats is None or outcome is None:
            return value
        if insats == HOME_CARE and outcome == "granted" and value is None:
            raise ValueError("granted home care needs the granted minutes per month")
        if (insats != HOME_CARE or outcome != "granted") and value is not None:
            raise ValueError("only granted home care has granted minutes per month")
        return value

    @field_validator("valid_to")
    @classmethod
    def _to_after_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        return not_before(value, info)


class DecisionRequest(Request):
    decisions: list[InsatsDecision] = Field(min_length=1, max_length=20)
    letter_text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=8000),
                           AfterValidator(check_text)] = ""

    @field_validator("decisions")
    @classmethod
    def _each_insats_once(cls, value: list[InsatsDecision]) -> list[InsatsDecision]:
        if len({d.insats for d in value}) != len(value):
            raise ValueError("one decision per insats")
        return value
