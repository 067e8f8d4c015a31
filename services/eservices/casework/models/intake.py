"""Intake (aktualisering): what a case worker sends, to take an e-application in or to register
an application that came another way (phone, letter, visit, a report from someone else)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from ....domain.insatser import FB, LSS, SOL, SOL_INSATSER
from ....domain.personnummer import PersonnummerField
from ..domain.catalog import E_APPLICATION, LSS_CODES, Channel, FromWhom, IntakeType
from .base import Line, LongText, Request, Text

LssCode = Literal[tuple(sorted(LSS_CODES))]  # type: ignore[valid-type]
SolCode = Literal[tuple(i.value for i in SOL_INSATSER)]  # type: ignore[valid-type]
Area = Literal["sol_aldre", "lss", "forsorjningsstod"]
assert (SOL, LSS, FB) == ("sol_aldre", "lss", "forsorjningsstod")


class IntakeRequest(Request):
    intake_type: IntakeType
    lss_insatser: list[LssCode] = Field(default_factory=list, validate_default=True, max_length=len(LSS_CODES),
                                        description="one or more, required for begaran_lss")
    case_worker_id: Text | None = Field(None, description="defaults to the caller")
    case_worker_name: Text | None = None
    organisation: Text
    from_whom: FromWhom = "den_enskilde"
    channel: Channel = Field(E_APPLICATION, description="aktualiseringssätt; an e-application is e_ansokan")
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


class RegistrationRequest(IntakeRequest):
    """An application that came by phone, letter, visit or a report from someone else, registered
    by the case worker as a case and taken in at once: who it is about, what is applied for, and
    the intake. For LSS the insatser requested are ``lss_insatser``."""

    channel: Channel = Field(description="aktualiseringssätt: telefon, brev, besok or anmalan (an e-application "
                                          "is taken in from the inbox)")
    personnummer: PersonnummerField = Field(description="the person the application is about")
    first_name: Text = Field(description="as in the population register when it knows the personnummer")
    last_name: Text
    area: Area = Field(description="sol_aldre (elderly care, SoL), lss or forsorjningsstod")
    sol_insats: SolCode | None = Field(None, validate_default=True, description="required for sol_aldre")
    need: LongText = Field(description="the need as the person or the reporter told it")

    @field_validator("channel")
    @classmethod
    def _not_an_e_application(cls, value: str) -> str:
        if value == E_APPLICATION:
            raise ValueError("an e-application is taken in from the inbox (POST /cases/{case_id}/intake)")
        return value

    @field_validator("sol_insats")
    @classmethod
    def _sol_insats_for_sol(cls, value: str | None, info: ValidationInfo) -> str | None:
        area = info.data.get("area")
        if area == SOL and value is None:
            raise ValueError("elderly care (sol_aldre) needs the insats applied for")
        if area is not None and area != SOL and value is not None:
            raise ValueError("only for elderly care (sol_aldre)")
        return value

    @field_validator("need")
    @classmethod
    def _need_told(cls, value: str) -> str:
        if not value:
            raise ValueError("describe the need as it was told")
        return value
