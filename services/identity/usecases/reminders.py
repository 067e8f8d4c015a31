"""The daily reminder: accounts ending within 14 days (seed 004: extended at least 14 days before
they end) are reminded once per end date. The reminder is recorded (and audited); an account
extended to a new end date is reminded again before that one.

Sending it to the account holder is not wired yet: notify resolves a recipient's address from the
``contact_preferences.changed`` it was sent, which staff accounts do not publish. ``Reminded`` lists
who is due, with no personal data, for whoever sends it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...observability import audit_line, get_logger
from ..domain.model import reminder_window
from .common import entry, today as today_of

if TYPE_CHECKING:
    from ..ports import IdentityDeps

LOGGER = get_logger("identity")


@dataclass
class Reminded:
    accounts: list[str] = field(default_factory=list)  # account ids reminded now
    already: int = 0  # due, but reminded of that end date before


def remind_ending_accounts(deps: IdentityDeps) -> Reminded:
    first, last = reminder_window(today_of(deps))
    result = Reminded()
    for account in deps.accounts.ending_between(first, last):
        if account.ended_at is not None:
            continue
        audit = entry(deps, "reminder_recorded", "reminder", account_id=account.account_id,
                      organisation_id=account.organisation_id, details={"valid_to": account.valid_to.isoformat()})
        if deps.reminders.mark_reminded(account.account_id, account.valid_to, audit):
            result.accounts.append(account.account_id)
        else:
            result.already += 1
    audit_line(LOGGER, "staff_account_reminders", reminded=len(result.accounts), already=result.already)
    return result
