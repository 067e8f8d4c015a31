"""The identity API's request and response models."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..auth.principal import Role
from ..domain.bounds import CleanLine, CleanText, SaneDate
from ..domain.personnummer import EXAMPLE as EXAMPLE_PNR, PersonnummerField
from ..domain.phone import OptionalEmailAddress
from .domain.model import AuditEntry, Organisation, OrganisationKind, StaffAccount

Status = Literal["valid", "not_yet_valid", "ended"]
ID = r"^[A-Za-z0-9._-]+$"  # organisation, account and user ids


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StaffAccountQuery(_Strict):
    organisation_id: str | None = Field(default=None, max_length=100, pattern=ID)
    role: Role | None = None
    status: Status | None = Field(default=None, description="valid today, not yet valid, or ended")
    ending_within_days: int | None = Field(default=None, ge=0, le=400,
                                           description="valid accounts whose end date is at most this many days away")


class NewStaffAccount(_Strict):
    personnummer: PersonnummerField
    name: CleanLine = Field(min_length=1, max_length=200)
    email: OptionalEmailAddress = None
    organisation_id: str = Field(min_length=1, max_length=100, pattern=ID)
    roles: list[Role] = Field(min_length=1, max_length=8)
    user_id: str | None = Field(default=None, min_length=1, max_length=100, pattern=ID,
                                description="what the other services know the person by; the account id by default")
    valid_from: SaneDate | None = Field(default=None, description="today by default")
    valid_to: SaneDate | None = Field(default=None, description="the next 15 February or 15 September by default "
                                                            "(one at least 14 days away)")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "personnummer": EXAMPLE_PNR, "name": "Anna Andersson", "email": "anna@omsorg.example",
        "organisation_id": "prov-omsorg", "roles": ["provider_staff"]}]})


class ExtensionRequest(_Strict):
    version: int = Field(ge=1, description="the account's version as read (409 if it changed since)")
    valid_to: SaneDate | None = Field(default=None, description="the next 15 February or 15 September after the "
                                                            "current end date by default")


class EndRequest(_Strict):
    version: int = Field(ge=1)
    reason: CleanText = Field(min_length=1, max_length=500)


class RolesRequest(_Strict):
    version: int = Field(ge=1)
    roles: list[Role] = Field(min_length=1, max_length=8)


class AuditQuery(_Strict):
    from_date: SaneDate = Field(alias="from")
    to_date: SaneDate = Field(alias="to")
    account_id: str | None = Field(default=None, max_length=100, pattern=ID)
    action: str | None = Field(default=None, max_length=40)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class StaffAccountView(BaseModel):
    account_id: str
    user_id: str
    personnummer_masked: str
    personnummer: str | None = Field(default=None, description="in the answer about one account only")
    name: str
    email: str | None
    organisation_id: str
    organisation_kind: OrganisationKind
    roles: list[Role]
    valid_from: date
    valid_to: date
    status: Status
    ended_at: datetime | None
    end_reason: str | None
    version: int

    @classmethod
    def of(cls, a: StaffAccount, today: date, *, full: bool = False) -> "StaffAccountView":
        return cls(account_id=a.account_id, user_id=a.user_id, personnummer_masked=a.masked_personnummer,
                   personnummer=str(a.personnummer) if full else None, name=a.name, email=a.email,
                   organisation_id=a.organisation_id, organisation_kind=a.organisation_kind, roles=list(a.roles),
                   valid_from=a.valid_from, valid_to=a.valid_to, status=a.status_on(today), ended_at=a.ended_at,
                   end_reason=a.end_reason, version=a.version)


class OrganisationView(Organisation):
    pass


class AuditEntryView(AuditEntry):
    pass
