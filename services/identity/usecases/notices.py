"""What identity tells notify: a staff account's work e-mail, and the reminder that an account ends.

A staff member is a notify recipient of its own kind, ``staff#<account id>``: publishing a work
e-mail under ``person#<personnummer>`` would overwrite the address and channels the same person
chose as a citizen on Mina sidor. The account's e-mail is published with the write that adds the
account or changes its e-mail (the item's outbox; the relay on the table's stream publishes it).
The requests carry only the end date: no name, personnummer, organisation or account id.
"""
from __future__ import annotations

from datetime import date, datetime

from ...auth.principal import Role
from ...contracts.events import ContactPreferencesChanged, Event, NotificationRequested, Recipient
from ..domain import scope
from ..domain.model import StaffAccount
from .login import principals_of

ENDING = "staff_account.ending"  # to the account's holder
ENDING_ADMIN = "staff_account.ending_admin"  # to each administrator who keeps the account


def staff_recipient(account_id: str) -> Recipient:
    return Recipient(kind="staff", ref=account_id)


def contact_changed(account: StaffAccount, at: datetime) -> ContactPreferencesChanged:
    """The account's work e-mail as notify's copy of the staff recipient (e-mail only: no work
    mobile is kept). No e-mail: notify learns that there is none."""
    return ContactPreferencesChanged(recipient=staff_recipient(account.account_id), preferences="profile",
                                     email=account.email, email_on=bool(account.email), changed_at=at)


def contact_events(before: StaffAccount | None, after: StaffAccount) -> list[Event]:
    """The contact event a write publishes: when the account is new or its e-mail changed."""
    if before is not None and before.email == after.email:
        return []
    if before is None and not after.email:
        return []
    return [contact_changed(after, after.changed_at)]


def keepers(account: StaffAccount, candidates: list[StaffAccount], today: date) -> list[str]:
    """The administrators to tell that ``account`` ends: those of its own organisation who keep it
    (``domain/scope.py``), else (a provider's administrator, or an organisation without one) the
    municipality's administrators who keep it. Only accounts valid today; never the account itself."""
    def keeping(role: Role) -> list[str]:
        found = []
        for other in candidates:
            if other.account_id == account.account_id or not other.is_valid_on(today):
                continue
            if any(p.role == role and scope.reaches(p, account.organisation_id, account.organisation_kind,
                                                    account.roles) for p in principals_of(other)):
                found.append(other.account_id)
        return sorted(found)

    return keeping(Role.ORGANISATION_ADMIN) or keeping(Role.MUNICIPAL_ADMIN)


def ending_requests(account: StaffAccount, admins: list[str]) -> list[Event]:
    """One e-mail to the holder, one to each administrator, with the end date as the only parameter."""
    params = {"valid_to": account.valid_to.isoformat()}
    return [NotificationRequested(template=ENDING, recipient=staff_recipient(account.account_id),
                                  channels=["email"], params=params),
            *(NotificationRequested(template=ENDING_ADMIN, recipient=staff_recipient(admin), channels=["email"],
                                    params=params) for admin in admins)]
