"""Organisations, staff accounts, the default end date and the role rules.

An account is bound to one personnummer (one account per person), belongs to one organisation (a
municipal unit or a provider) and holds one or more staff roles. It is valid from ``valid_from``
through ``valid_to`` (both whole days, inclusive) unless it was ended (``ended_at``).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...auth.principal import PROVIDER_ROLES, STAFF_ROLES, Role
from ...domain.personnummer import PersonnummerField, mask

OrganisationKind = Literal["municipal_unit", "provider"]

# How far ahead an end date must lie: an account is to be extended at least 14 days before it ends
# (seed 004), and the reminder goes 14 days before.
NOTICE_DAYS = 14
TERM_DAYS = ((2, 15), (9, 15))  # 15 February and 15 September

MUNICIPAL_ROLES = frozenset({Role.CASE_WORKER, Role.ORDERING_UNIT, Role.FINANCE, Role.AUDITOR,
                             Role.ORGANISATION_ADMIN, Role.MUNICIPAL_ADMIN})
PROVIDER_ORG_ROLES = frozenset({*PROVIDER_ROLES, Role.ORGANISATION_ADMIN})


class Organisation(BaseModel):
    model_config = ConfigDict(frozen=True)

    organisation_id: str
    kind: OrganisationKind
    name: str


class StaffAccount(BaseModel):
    """A staff member's account in the directory. ``user_id`` is what the other contexts know the
    person by (visits' staff registry, case assignments); ``account_id`` is the token's subject."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    user_id: str
    personnummer: PersonnummerField
    name: str
    email: str | None = None
    organisation_id: str
    organisation_kind: OrganisationKind
    roles: list[Role]
    valid_from: date
    valid_to: date
    ended_at: datetime | None = None
    end_reason: str | None = None
    created_at: datetime
    changed_at: datetime
    changed_by: str
    version: int = 1

    @property
    def provider_id(self) -> str | None:
        return self.organisation_id if self.organisation_kind == "provider" else None

    @property
    def masked_personnummer(self) -> str:
        return mask(self.personnummer)

    def is_valid_on(self, day: date) -> bool:
        return self.ended_at is None and self.valid_from <= day <= self.valid_to

    def status_on(self, day: date) -> Literal["valid", "not_yet_valid", "ended"]:
        if self.ended_at is not None or day > self.valid_to:
            return "ended"
        return "not_yet_valid" if day < self.valid_from else "valid"


class AuditEntry(BaseModel):
    """One line of the directory's audit trail: a login, a refusal (with its reason), an account
    change or a role change. ``personnummer`` only where the person logging in is the subject."""

    model_config = ConfigDict(frozen=True)

    entry_id: str
    at: datetime
    action: Literal["login", "login_refused", "account_added", "account_extended", "account_ended",
                    "roles_changed", "reminder_recorded", "audit_searched"]
    actor: str  # the principal's label, or "login" for a login's own record
    account_id: str | None = None
    organisation_id: str | None = None
    personnummer: PersonnummerField | None = None
    reason: str | None = None
    details: dict[str, str | int | list[str] | None] = Field(default_factory=dict)


def _term_dates_after(day: date) -> list[date]:
    """The 15 February and 15 September dates strictly after ``day``, the nearest first (two)."""
    found = [date(y, m, d) for y in (day.year, day.year + 1, day.year + 2) for m, d in TERM_DAYS]
    return [t for t in found if t > day][:2]


def next_term_date(after: date) -> date:
    """The first 15 February or 15 September strictly after ``after``."""
    return _term_dates_after(after)[0]


def default_valid_to(today: date) -> date:
    """An account's end date by default: the next 15 February or 15 September.

    The rule: a term date less than 14 days away (``NOTICE_DAYS``) is skipped for the one after
    it, because an account must be extended at least 14 days before it ends and its reminder goes
    14 days before: an account added on 5 September would be due for extension (and reminded) at
    once. So on 1 September the default is 15 September (14 days away), on 2 September 15 February.
    """
    first, second = _term_dates_after(today)
    return first if (first - today).days >= NOTICE_DAYS else second


def default_extension(current_end: date, today: date) -> date:
    """Where an extension moves the end date by default: the next term date after the current end;
    for an account whose end date has passed, the default end date counted from today."""
    if current_end < today:
        return default_valid_to(today)
    return next_term_date(current_end)


def roles_refusal(kind: OrganisationKind, roles: list[Role]) -> str | None:
    """Why ``roles`` cannot be held in an organisation of ``kind`` (None: they can). Staff roles
    only; a provider's accounts hold provider roles and its administrator; a municipal unit's the
    municipality's roles."""
    if not roles:
        return "give the account at least one role"
    if len(set(roles)) != len(roles):
        return "a role is named twice"
    not_staff = [r for r in roles if r not in STAFF_ROLES]
    if not_staff:
        return f"not a staff role: {', '.join(sorted(not_staff))}"
    allowed = PROVIDER_ORG_ROLES if kind == "provider" else MUNICIPAL_ROLES
    wrong = sorted(str(r) for r in roles if r not in allowed)
    if wrong:
        where = "a provider" if kind == "provider" else "a municipal unit"
        return f"{', '.join(wrong)} cannot be held in {where}"
    return None


def reminder_window(today: date) -> tuple[date, date]:
    """The end dates the daily sweep reminds of: from today to 14 days ahead."""
    return today, today + timedelta(days=NOTICE_DAYS)
