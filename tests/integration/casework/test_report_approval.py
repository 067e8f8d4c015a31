"""A case worker approves a contact person's report against its assignment: the approval carries
what billing pays from, reaches billing, and is refused for the wrong assignment, the wrong month,
a second time, or anyone but a case worker."""

from tests.integration.casework.helpers import actions_on, case_worker, clear, events
from tests.integration.casework.test_assignments import assignment
from tests.integration.eservices.helpers import fresh_contact_person, monthly_answers, submitted_case
from tests.support.people import new_pnr


def report_and_assignment(es, token, cw, *, valid_from="2026-09-01", valid_to="2026-12-31"):
    kp, kp_tok = fresh_contact_person(token)
    client = new_pnr(1990)
    a = es.post("/assignments", assignment(kp, client, valid_from=valid_from, valid_to=valid_to,
                                           monthly_fee_ore=148_000, expense_allowance_ore=49_333), token=cw)
    assert a.status == 201, a.json
    receipt = submitted_case(es, kp_tok, "contact-monthly-report", monthly_answers(kp))  # October 2026
    return kp, client, a.json["assignment_id"], receipt["case_id"]


def test_a_case_worker_approves_a_monthly_report_and_billing_pays_it(app_client, token):
    es, billing = app_client("eservices"), app_client("billing")
    _, cw = case_worker(token)
    kp, client, assignment_id, case_id = report_and_assignment(es, token, cw)
    clear("billing-inbox")
    r = es.post(f"/cases/{case_id}/report-approval", {"assignment_id": assignment_id}, token=cw)
    assert r.status == 201, r.json
    assert (r.json["kind"], r.json["year"], r.json["month"], r.json["fee_ore"], r.json["terms_year"]) == \
        ("monthly", 2026, 10, 148_000, 2026)
    (sent,) = events("billing-inbox", case_id=case_id)
    assert sent["event_type"] == "contact_report.approved" and sent["payload"]["assignment_id"] == assignment_id
    assert "contact_report.approve" in actions_on(kp) and "contact_report.approve" in actions_on(client)
    # billing pays it: the queue's message through billing's consumer
    import json

    assert billing.sqs("on_event", [json.dumps(sent)]) == {"batchItemFailures": []}
    payouts = billing.get("/payouts?month=2026-10", token=token("ordering_unit", user_id="ekonom")).json
    (line,) = [p for p in payouts["lines"] if p["contact_person"] == kp]
    assert (line["fee_ore"], line["allowance_ore"], line["mileage_ore"]) == (148_000, 49_333, 0)
    again = es.post(f"/cases/{case_id}/report-approval", {"assignment_id": assignment_id}, token=cw)
    assert again.status == 409


def test_the_assignment_must_be_the_reporters_and_in_force_that_month(app_client, token):
    es = app_client("eservices")
    _, cw = case_worker(token)
    _, _, other_assignment, _ = report_and_assignment(es, token, cw)
    _, _, ended_assignment, case_id = report_and_assignment(es, token, cw, valid_from="2026-01-01",
                                                            valid_to="2026-09-30")
    for body in ({"assignment_id": other_assignment}, {"assignment_id": ended_assignment},
                 {"assignment_id": "no-such"}):
        r = es.post(f"/cases/{case_id}/report-approval", body, token=cw)
        assert r.status == 422 and r.json["errors"][0]["field"] == "assignment_id", r.json
    assert es.post(f"/cases/{case_id}/report-approval", {}, token=cw).status == 422


def test_only_case_workers_approve_and_only_reports(app_client, token):
    from tests.integration.casework.helpers import new_application

    es = app_client("eservices")
    _, cw = case_worker(token)
    kp, _, assignment_id, case_id = report_and_assignment(es, token, cw)
    for role, claims in (("contact_person", {"personnummer": kp}), ("ordering_unit", {"user_id": "ekonom"})):
        r = es.post(f"/cases/{case_id}/report-approval", {"assignment_id": assignment_id}, token=token(role, **claims))
        assert r.status == 403
    _, _, receipt = new_application(es, token)
    r = es.post(f"/cases/{receipt['case_id']}/report-approval", {"assignment_id": assignment_id}, token=cw)
    assert r.status == 409
    assert es.post("/cases/nope/report-approval", {"assignment_id": assignment_id}, token=cw).status == 404
