"""The staff account's end reminder, end to end over moto: identity's writes carry the work e-mail
and the reminder's requests in their outbox, the identity table's stream relay publishes them,
notify's inbox takes them and SES sends; a second sweep sends nothing more. The e-mail says the end
date and where to log in, and nothing of the person."""
from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import timedelta

from services.adapters.aws import client, queue_url
from services.clock import utc_now
from services.domain.calendar import stockholm_date, swedish_date
from services.identity.domain.model import Organisation
from tests.integration.notify.test_notify import mail_to, notify_handles
from tests.support.people import new_pnr
from tests.support.stack import drain


def staff_events(refs):
    """What reached notify's inbox for these staff recipients (the rest is left to other tests)."""
    bodies = [m["Body"] for m in drain(queue_url("notify-inbox"), client("sqs"), wait=1)]
    mine = [b for b in bodies if json.loads(b)["payload"].get("recipient", {}).get("ref") in refs]
    return sorted(mine, key=lambda b: json.loads(b)["event_type"])  # preferences before requests


def test_an_ending_account_and_its_administrator_get_the_reminder_by_email_once(aws, app_client, token):
    from services.identity.bootstrap import deps
    from services.identity.usecases.reminders import remind_ending_accounts

    # GIVEN a provider, its administrator and a care staff member with work e-mails, added through the API
    n = uuid.uuid4().hex[:8]
    org = f"prov-rem-{n}"
    deps().organisations.put_organisation(Organisation(organisation_id=org, kind="provider", name=f"Org {n}"))
    api = app_client("identity")
    today = stockholm_date(utc_now())
    staff_mail, admin_mail = f"staff-{n}@omsorg.example", f"admin-{n}@omsorg.example"
    staff_pnr = new_pnr(1984)
    admin = api.post("/staff-accounts", {"personnummer": new_pnr(1975), "name": "Adam Administratör",
                                         "organisation_id": org, "roles": ["organisation_admin"],
                                         "email": admin_mail},
                     token=token("municipal_admin", user_id=f"kim-{n}", organisation_id=f"enhet-it-{n}"))
    ending = (today + timedelta(days=10)).isoformat()
    staff = api.post("/staff-accounts", {"personnummer": staff_pnr, "name": "Stina Stafflund", "organisation_id": org,
                                         "roles": ["provider_staff"], "email": staff_mail, "valid_to": ending},
                     token=token("organisation_admin", user_id=f"adm-{n}", organisation_id=org, provider_id=org))
    assert admin.status == 201 and staff.status == 201, (admin.json, staff.json)
    refs = {admin.json["account_id"], staff.json["account_id"]}
    # WHEN the daily sweep runs twice (a retried schedule) and notify handles what was published
    remind_ending_accounts(deps())
    remind_ending_accounts(dataclasses.replace(deps()))
    bodies = staff_events(refs)
    assert [json.loads(b)["event_type"] for b in bodies] == ["contact_preferences.changed"] * 2 + [
        "notification.requested"] * 2
    assert notify_handles(app_client, bodies) == {"batchItemFailures": []}
    assert notify_handles(app_client, bodies) == {"batchItemFailures": []}  # a redelivery sends nothing more
    # THEN each gets one e-mail at the work address, with the end date and the staff entry only
    to_staff, to_admin = mail_to(staff_mail), mail_to(admin_mail)
    assert len(to_staff) == 1 and len(to_admin) == 1
    assert to_staff[0]["subject"] == "Ditt tjänstekonto upphör snart"
    assert to_admin[0]["subject"] == "Ett tjänstekonto som du administrerar upphör snart"
    for mail in (to_staff[0], to_admin[0]):
        body = mail["body"]
        assert "/personal" in body and swedish_date(today + timedelta(days=10)) in body
        for personal in (staff_pnr, staff_pnr[2:], "Stina", "Stafflund", staff_mail, staff.json["account_id"], org):
            assert personal not in body and personal not in mail["subject"]
    # AND a later sweep of the same end date asks for nothing
    remind_ending_accounts(deps())
    assert [json.loads(b)["event_type"] for b in staff_events(refs)] == []
