"""The identity ports (organisations, staff accounts, audit trail, reminders): adapter and fake alike."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.auth.principal import Role
from services.domain.errors import Conflict
from services.identity.domain.model import Organisation

from .identity_ports import NOW, an_account, an_entry, an_id, ports  # noqa: F401


def test_organisations_are_stored_listed_in_order_and_renamed(ports):
    a, b = an_id("org"), an_id("org")
    ports.organisations.put_organisation(Organisation(organisation_id=b, kind="provider", name="B"))
    ports.organisations.put_organisation(Organisation(organisation_id=a, kind="municipal_unit", name="A"))
    ports.organisations.put_organisation(Organisation(organisation_id=a, kind="municipal_unit", name="A2"))
    assert ports.organisations.get_organisation(a).name == "A2"
    assert ports.organisations.get_organisation(an_id("org")) is None
    listed = [o.organisation_id for o in ports.organisations.all_organisations() if o.organisation_id in (a, b)]
    assert listed == sorted([a, b])


def test_an_account_is_added_once_per_person_found_by_id_personnummer_and_organisation(ports):
    org = an_id("org")
    first = an_account(org)
    ports.accounts.add_account(first, an_entry(account_id=first.account_id))
    assert ports.accounts.get_account(first.account_id) == first
    assert ports.accounts.account_of(first.personnummer) == first
    with pytest.raises(Conflict):  # the same person again, under another id
        ports.accounts.add_account(an_account(org, personnummer=first.personnummer), an_entry())
    with pytest.raises(Conflict):  # the same id again
        ports.accounts.add_account(an_account(org, account_id=first.account_id), an_entry())
    second = an_account(org)
    ports.accounts.add_account(second, an_entry())
    assert [a.account_id for a in ports.accounts.accounts_of(org)] == sorted([first.account_id, second.account_id])
    assert ports.accounts.accounts_of(an_id("org")) == []


def test_an_account_is_saved_only_over_the_version_read_with_its_audit_entry(ports):
    org = an_id("org")
    account = an_account(org)
    ports.accounts.add_account(account, an_entry(account_id=account.account_id))
    changed = account.model_copy(update={"roles": [Role.PROVIDER_COORDINATOR]})
    entry = an_entry("roles_changed", at=NOW + timedelta(seconds=1), account_id=account.account_id)
    saved = ports.accounts.save_account(changed, 1, entry)
    assert saved.version == 2 and ports.accounts.get_account(account.account_id) == saved
    with pytest.raises(Conflict):
        ports.accounts.save_account(changed.model_copy(update={"name": "Annan"}), 1, an_entry("roles_changed"))
    assert ports.accounts.get_account(account.account_id).name == "Test Testsson"
    kept = ports.audit.entries(NOW.date(), NOW.date())
    assert [e.action for e in kept if e.account_id == account.account_id] == ["account_added", "roles_changed"]
    assert entry in kept


def test_accounts_ending_in_a_window_are_found_by_end_date_and_never_once_ended(ports):
    org = an_id("org")
    far = date(2031, 3, 1) + timedelta(days=hash(org) % 500)  # a window no other test's accounts reach
    inside = an_account(org, valid_to=far)
    last_day = an_account(org, valid_to=far + timedelta(days=14))
    after = an_account(org, valid_to=far + timedelta(days=15))
    ended = an_account(org, valid_to=far, ended_at=NOW)
    for a in (inside, last_day, after, ended):
        ports.accounts.put_account(a)
    found = [a.account_id for a in ports.accounts.ending_between(far, far + timedelta(days=14))
             if a.organisation_id == org]
    assert found == [inside.account_id, last_day.account_id]


def test_the_audit_trail_answers_the_days_asked_oldest_first(ports):
    marker = an_id("acct")
    day = NOW - timedelta(days=3)
    older, newer, outside = (an_entry("login", at=day, account_id=marker),
                             an_entry("login_refused", at=day + timedelta(days=1), account_id=marker,
                                      reason="acr_too_low", personnummer="198503212444"),
                             an_entry("login", at=day - timedelta(days=1), account_id=marker))
    for e in (newer, outside, older):
        ports.audit.record(e)
    kept = [e for e in ports.audit.entries(day.date(), (day + timedelta(days=1)).date()) if e.account_id == marker]
    assert kept == [older, newer]


def test_an_accounts_entries_are_found_across_months_oldest_first_and_no_other_accounts(ports):
    mine, other = an_id("acct"), an_id("acct")
    spring, summer = an_entry("account_added", at=NOW - timedelta(days=200), account_id=mine), \
        an_entry("roles_changed", at=NOW - timedelta(days=90), account_id=mine)
    for e in (summer, an_entry("login", at=NOW, account_id=other), spring, an_entry("audit_searched", at=NOW)):
        ports.audit.record(e)
    assert ports.audit.entries_of_account(mine) == [spring, summer]


def test_a_reminder_is_recorded_once_per_account_and_end_date(ports):
    account = an_id()
    assert ports.reminders.mark_reminded(account, date(2027, 2, 15), an_entry("reminder_recorded", account_id=account))
    assert not ports.reminders.mark_reminded(account, date(2027, 2, 15), an_entry("reminder_recorded"))
    assert ports.reminders.mark_reminded(account, date(2027, 9, 15), an_entry("reminder_recorded"))
    recorded = [e for e in ports.audit.entries(NOW.date(), NOW.date()) if e.account_id == account]
    assert len(recorded) == 1
