"""The identity ports' events: a write that carries events (a staff account's work e-mail, the end
reminder's notification requests) commits them with its state, in the identity table's outbox for
the stream relay; a write refused (an account that exists, a reminder already recorded) carries
none. Adapter and fake alike."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from services.contracts.events import ContactPreferencesChanged, NotificationRequested, Recipient
from services.domain.errors import Conflict

from .identity_ports import NOW, an_account, an_entry, an_id


@dataclass
class Subject:
    ports: Any
    # (event type, recipient key, template or e-mail) of every committed write's events naming ``ref``
    events_for: Callable[[str], list[tuple[str, str, str | None]]]


def _summary(event_type: str, payload: dict) -> tuple[str, str, str | None]:
    r = payload["recipient"]
    return event_type, f"{r['kind']}#{r['ref']}", payload.get("template") or payload.get("email")


def _outbox_events(table: Any, ref: str) -> list[tuple[str, str, str | None]]:
    found, kwargs = [], {"FilterExpression": "begins_with(pk, :outbox)",
                         "ExpressionAttributeValues": {":outbox": "OUTBOX#"}, "ConsistentRead": True}
    while True:
        page = table.scan(**kwargs)
        for item in page.get("Items", []):
            for raw in item.get("outbox", []):
                envelope = json.loads(raw)
                if envelope["payload"].get("recipient", {}).get("ref") == ref:
                    found.append(_summary(envelope["event_type"], envelope["payload"]))
        if "LastEvaluatedKey" not in page:
            return sorted(found)
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.fixture(params=["memory", "dynamodb"])
def subject(request) -> Subject:
    if request.param == "memory":
        from tests.support.fakes.identity import fake_identity_deps

        deps = fake_identity_deps(clock=lambda: NOW)
        return Subject(deps, lambda ref: sorted(_summary(e.event_type, e.model_dump(mode="json"))
                                                for e in deps.published if e.recipient.ref == ref))
    request.getfixturevalue("aws")
    from services.adapters.aws import table
    from services.identity.bootstrap import deps

    return Subject(deps(), lambda ref: _outbox_events(table("identity"), ref))


def contact(account_id: str, email: str) -> ContactPreferencesChanged:
    return ContactPreferencesChanged(recipient=Recipient(kind="staff", ref=account_id), email=email, email_on=True,
                                     changed_at=NOW)


def asked(account_id: str, template: str = "staff_account.ending") -> NotificationRequested:
    return NotificationRequested(template=template, recipient=Recipient(kind="staff", ref=account_id),
                                 channels=["email"], params={"valid_to": "2027-02-15"})


def test_an_added_account_commits_its_events_and_a_refused_add_none(subject):
    account = an_account(an_id("org"))
    subject.ports.accounts.add_account(account, an_entry(account_id=account.account_id),
                                       [contact(account.account_id, "a@example.se")])
    with pytest.raises(Conflict):
        subject.ports.accounts.add_account(account, an_entry(), [contact(account.account_id, "b@example.se")])
    assert subject.events_for(account.account_id) == [
        ("contact_preferences.changed", f"staff#{account.account_id}", "a@example.se")]


def test_a_saved_or_put_account_commits_its_events_and_a_stale_save_none(subject):
    account = an_account(an_id("org"))
    subject.ports.accounts.put_account(account, [contact(account.account_id, "a@example.se")])
    changed = account.model_copy(update={"email": "b@example.se"})
    subject.ports.accounts.save_account(changed, 1, an_entry("roles_changed"), [contact(account.account_id,
                                                                                       "b@example.se")])
    with pytest.raises(Conflict):
        subject.ports.accounts.save_account(changed, 1, an_entry("roles_changed"),
                                            [contact(account.account_id, "c@example.se")])
    assert subject.events_for(account.account_id) == [
        ("contact_preferences.changed", f"staff#{account.account_id}", "a@example.se"),
        ("contact_preferences.changed", f"staff#{account.account_id}", "b@example.se")]


def test_a_reminders_requests_are_committed_with_it_once(subject):
    account, admin = an_id(), an_id()
    events = [asked(account), asked(admin, "staff_account.ending_admin")]
    assert subject.ports.reminders.mark_reminded(account, date(2027, 2, 15), an_entry("reminder_recorded"), events)
    assert not subject.ports.reminders.mark_reminded(account, date(2027, 2, 15), an_entry("reminder_recorded"),
                                                     events)
    assert subject.events_for(account) == [("notification.requested", f"staff#{account}", "staff_account.ending")]
    assert subject.events_for(admin) == [("notification.requested", f"staff#{admin}", "staff_account.ending_admin")]
