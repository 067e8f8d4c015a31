"""Intake (aktualisering): what a case worker sends."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from ..catalog import LSS_CODES, Channel, FromWhom, IntakeType
from .base import Line, LongText, Request, Text

LssCode = Literal[tuple(sorted(LSS_CODES))]  # type: ignore[valid-type]


class IntakeRequest(Request):
    intake_type: IntakeType
    lss_insatser: list[LssCode] = Field(default_factory=list, validate_default=True, max_length=len(LSS_CODES),
                                        description="one or more, required for begaran_lss")
    case_worker_id: Text | None = Field(None, description="defaults to the caller")
    case_worker_name: Text | None = None
    organisation: Text
    from_whom: FromWhom = "den_enskilde"
    channel: Channel = "e_ansokan"
    reason: Line = ""
    note: LongText = ""

    @field_validator("lss_insatser")
    @classmethod
    def _lss_only_for_lss(cls, value: list[str], info: ValidationInfo) -> list[str]:
        kind = info.data.get("intake_type")
        if kind == "begaran_lss" and not value:
            raise ValueError("Begäran LSS needs one or more LSS insatser")
        if kind is not None and kind != "begaran_lss" and value:
            raise ValueError("LSS insatser go only with Begäran LSS")
        if len(set(value)) != len(value):
            raise ValueError("each insats once")
        return value
