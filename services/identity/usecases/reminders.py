"""The daily reminder: accounts ending within 14 days (seed 004: extended at least 14 days before
they end) are reminded once per end date, by e-mail through notify. An account extended to a new
end date is reminded again before that one.

The reminder record, its audit entry and the ``notification.requested`` events (``notices.py``:
to the holder, and to the administrators who keep the account, since only they can extend it) are
one conditional write: a re-run or redelivered sweep finds the record and emits nothing, so each
account is told once per end date. The e-mails carry the end date only."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...auth.principal import Role
from ...observability import audit_line, get_logger
from ..domain.model import StaffAccount, reminder_window
from .common import entry, today as today_of
from .notices import ending_requests, keepers

if TYPE_CHECKING:
    from ..ports import IdentityDeps

LOGGER = get_logger("identity")


@dataclass
class Reminded:
    accounts: list[str] = field(default_factory=list)  # account ids reminded now
    already: int = 0  # due, but reminded of that end date before
    told: int = 0  # e-mails asked for now (holders and administrators)


class _Candidates:
    """The administrators an ending account may have, read once per organisation per sweep: its own
    organisation's accounts, and the municipal units' (the municipality's administrators)."""

    def __init__(self, deps: IdentityDeps) -> None:
        self.deps = deps
        self.by_org: dict[str, list[StaffAccount]] = {}
        self.municipal: list[StaffAccount] | None = None

    def of(self, organisation_id: str) -> list[StaffAccount]:
        if organisation_id not in self.by_org:
            self.by_org[organisation_id] = self.deps.accounts.accounts_of(organisation_id)
        return self.by_org[organisation_id]

    def for_account(self, account: StaffAccount) -> list[StaffAccount]:
        if self.municipal is None:
            units = [o.organisation_id for o in self.deps.organisations.all_organisations()
                     if o.kind == "municipal_unit"]
            self.municipal = [a for u in units for a in self.of(u) if Role.MUNICIPAL_ADMIN in a.roles]
        own = self.of(account.organisation_id)
        return own + [a for a in self.municipal if a.organisation_id != account.organisation_id]


def remind_ending_accounts(deps: IdentityDeps) -> Reminded:
    today = today_of(deps)
    first, last = reminder_window(today)
    result = Reminded()
    candidates = _Candidates(deps)
    for account in deps.accounts.ending_between(first, last):
        if account.ended_at is not None:
            continue
        admins = keepers(account, candidates.for_account(account), today)
        events = ending_requests(account, admins)
        audit = entry(deps, "reminder_recorded", "reminder", account_id=account.account_id,
                      organisation_id=account.organisation_id,
                      details={"valid_to": account.valid_to.isoformat(), "administrators": admins})
        if deps.reminders.mark_reminded(account.account_id, account.valid_to, audit, events):
            result.accounts.append(account.account_id)
            result.told += len(events)
        else:
            result.already += 1
    audit_line(LOGGER, "staff_account_reminders", reminded=len(result.accounts), already=result.already,
               told=result.told)
    return result
