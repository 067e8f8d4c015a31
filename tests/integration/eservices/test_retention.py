"""Draft retention against the moto stack: the scheduled sweep, reminders to the profile's
contact, re-armed by a save, and submitted drafts left to their case."""
import dataclasses
import json
from datetime import datetime, timedelta

from infra.local.scheduler import scheduled_event
from services.adapters.aws import client, queue_url
from services.eservices.bootstrap import deps
from services.eservices.usecases.retention import sweep
from services.eservices.adapters.table import eservices_table
from tests.integration.eservices.helpers import (application_answers, fresh_citizen, fresh_contact_person,
                                                 monthly_answers)
from tests.support.stack import drain


def at(instant):
    return dataclasses.replace(deps(), clock=lambda: instant)


def reminders_to(pnr):
    """Reminders requested for this person (notify resolves their address when it sends)."""
    messages = [json.loads(m["Body"]) for m in drain(queue_url("notify-inbox"), client("sqs"), wait=1)]
    return [m for m in messages if m["event_type"] == "notification.requested"
            and m["payload"]["recipient"] == {"kind": "person", "ref": pnr}
            and m["payload"]["template"] == "draft.expiring"]


def test_the_schedule_runs_the_sweep(app_client):
    # GIVEN the e-services app WHEN its hourly schedule fires THEN the sweep reports what it did
    result = app_client("eservices").module.sweep_drafts(scheduled_event("sweep_drafts"), None)
    assert set(result) == {"deleted", "reminded"}


def test_a_save_after_the_reminder_arms_a_new_one(app_client, token):
    es = app_client("eservices")
    pnr, tok = fresh_citizen(token)
    es.put("/profile", {"mobile": "+46705550101", "notify_sms": True}, token=tok)
    draft = es.post("/drafts", {"form_id": "support-application"}, token=tok).json
    drain(queue_url("notify-inbox"), client("sqs"))

    # GIVEN a reminder went two days before expiry
    sweep(at(datetime.fromisoformat(draft["expires_at"]) - timedelta(days=2)))
    assert len(reminders_to(pnr)) == 1
    # WHEN the citizen saves the draft again (a reminder is no change of theirs: same version)
    body = {"answers": {"ansokan": {"need": "x"}}, "version": draft["version"]}
    saved = es.patch(f"/drafts/{draft['draft_id']}", body, token=tok)
    assert saved.status == 200, saved.json
    # THEN it lives another full period, and its new expiry gets its own reminder
    new_expiry = datetime.fromisoformat(saved.json["expires_at"])
    sweep(at(new_expiry - timedelta(days=2)))
    assert len(reminders_to(pnr)) == 1
    assert es.get(f"/drafts/{draft['draft_id']}", token=tok).status == 200


def test_without_a_contact_no_reminder_is_sent_and_none_is_tried_again(app_client, token):
    es = app_client("eservices")
    pnr, tok = fresh_citizen(token)
    draft = es.post("/drafts", {"form_id": "support-application"}, token=tok).json
    before = datetime.fromisoformat(draft["expires_at"]) - timedelta(days=1)
    sweep(at(before))
    assert deps().drafts.get(pnr, draft["draft_id"]).reminded is True
    assert es.get(f"/drafts/{draft['draft_id']}", token=tok).status == 200


def test_a_submitted_draft_is_never_swept_and_its_receipt_can_be_fetched_again(app_client, token):
    es = app_client("eservices")
    pnr, tok = fresh_contact_person(token)
    draft = es.post("/drafts", {"form_id": "contact-monthly-report", "answers": monthly_answers(pnr)}, token=tok).json
    did = draft["draft_id"]
    assert es.post(f"/drafts/{did}/signature", token=tok).status == 201
    first = es.post(f"/drafts/{did}/submit", token=tok, headers={"Idempotency-Key": "late"}).json

    # WHEN the sweep runs long after the retention period
    sweep(at(datetime.fromisoformat(draft["expires_at"]) + timedelta(days=30)))

    # THEN the submission is intact: a late retry still gets the same receipt
    again = es.post(f"/drafts/{did}/submit", token=tok, headers={"Idempotency-Key": "late"})
    assert again.status == 201 and again.json["case_id"] == first["case_id"]
    assert deps().drafts.get(pnr, did).status == "submitted"


def test_a_draft_far_from_expiry_is_left_alone(app_client, token):
    es = app_client("eservices")
    pnr, tok = fresh_citizen(token)
    es.put("/profile", {"email": "alone@example.se", "notify_email": True}, token=tok)
    draft = es.post("/drafts", {"form_id": "support-application", "answers": application_answers(pnr)},
                    token=tok).json
    drain(queue_url("notify-inbox"), client("sqs"))
    sweep(at(datetime.fromisoformat(draft["created_at"]) + timedelta(days=1)))
    assert reminders_to(pnr) == []
    assert deps().drafts.get(pnr, draft["draft_id"]).reminded is False


def test_the_retention_period_and_the_reminder_are_configurable(aws):
    from services.auth.principal import Principal, Role
    from services.eservices.acting_for import resolve_acting
    from services.eservices.usecases.retention import due
    from services.eservices.usecases.submissions import start_draft
    from tests.support.people import new_pnr

    # GIVEN a municipality that keeps drafts 7 days and reminds 1 day before
    pnr = new_pnr()
    configured = dataclasses.replace(deps(), settings=dataclasses.replace(
        deps().settings, draft_retention_days=7, draft_reminder_days_before=1))
    me = resolve_acting(deps(), Principal(subject=pnr, role=Role.CITIZEN, personnummer=pnr))
    # WHEN a draft is started
    view = start_draft(configured, me, "support-application", {})
    # THEN it expires after 7 days, and the reminder is due only on its last day
    assert view.expires_at - view.created_at == timedelta(days=7)
    draft = deps().drafts.get(pnr, view.draft_id)
    assert due(draft, view.created_at + timedelta(days=5, hours=23), 1) is None
    assert due(draft, view.created_at + timedelta(days=6), 1) == "remind"


def test_draft_expiry_is_indexed_per_day_with_a_ttl_and_the_sweep_reads_only_its_days(aws):
    """GIVEN a draft WHEN stored THEN its expiry index partition is its expiry day (not one
    partition for every draft) and it carries a TTL after the expiry; the repository finds it
    by reading the days from ``since`` to the instant asked, and not when those days exclude it."""
    from services.auth.principal import Principal, Role
    from services.eservices.acting_for import resolve_acting
    from services.eservices.adapters.drafts import EXPIRY_TTL_GRACE
    from services.eservices.usecases.submissions import start_draft
    from tests.support.people import new_pnr

    pnr = new_pnr()
    me = resolve_acting(deps(), Principal(subject=pnr, role=Role.CITIZEN, personnummer=pnr))
    view = start_draft(deps(), me, "support-application", {})
    item = eservices_table().get_item(Key={"pk": f"PERSON#{pnr}", "sk": f"DRAFT#{view.draft_id}"})["Item"]
    expires = view.expires_at
    assert item["gsi1pk"] == f"DRAFTEXPIRY#{expires.date().isoformat()}"
    assert int(item["ttl"]) == int((expires + EXPIRY_TTL_GRACE).timestamp())
    found = deps().drafts.expiring_before(expires + timedelta(minutes=1), since=expires - timedelta(days=1))
    assert view.draft_id in [d.draft_id for d in found]
    later = deps().drafts.expiring_before(expires + timedelta(days=3), since=expires + timedelta(days=1))
    assert view.draft_id not in [d.draft_id for d in later]
