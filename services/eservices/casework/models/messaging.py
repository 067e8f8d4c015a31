"""Messaging settings and the "To client" search: requests and views."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, ValidationInfo, field_validator

from ....domain.bounds import check_line
from ....domain.personnummer import PersonnummerField
from ....domain.phone import EmailAddress as Email
from ....domain.phone import MobilePhone as Phone
from .base import Request, Text


class MessagingSettingsRequest(Request):
    citizen: PersonnummerField
    first_name: Text
    last_name: Text
    enabled: bool
    phone1: Phone | None = None
    phone2: Phone | None = None
    sms_alert: bool = False
    sms_phone: Literal[1, 2] | None = Field(None, validate_default=True,
                                            description="which phone gets the SMS alert")
    email_alert: bool = False
    email: Email | None = Field(None, validate_default=True)

    @field_validator("sms_phone")
    @classmethod
    def _sms_needs_a_phone(cls, value: int | None, info: ValidationInfo) -> int | None:
        if not info.data.get("sms_alert"):
            return value
        if value is None:
            raise ValueError("choose phone 1 or 2 for the SMS alert")
        if not info.data.get(f"phone{value}"):
            raise ValueError(f"phone {value} has no number")
        return value

    @field_validator("email")
    @classmethod
    def _email_alert_needs_an_address(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("email_alert") and not value:
            raise ValueError("an e-mail address is needed for alerts by e-mail")
        return value


class PersonQuery(Request):
    citizen: PersonnummerField


class NameQuery(Request):
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), AfterValidator(check_line)] = ""


class MessagingSettingsView(BaseModel):
    citizen: str
    name: str
    enabled: bool
    phone1: str | None
    phone2: str | None
    sms_alert: bool
    sms_phone: int | None
    email_alert: bool
    email: str | None
    changed_by: str
    changed_at: datetime


class MessagingCitizen(BaseModel):
    """A citizen with messaging on, as the "To client" search shows them: name, then personnummer."""

    citizen: str
    name: str
