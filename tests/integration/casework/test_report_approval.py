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


def test_a_time_reports_km_are_paid_as_mileage(app_client, token):
    """GIVEN a time report with two trips (12.5 + 30 km) WHEN approved THEN the event carries 42.5 km
    and billing pays 42.5 × 2.50 kr tax-free."""
    import json

    es, billing = app_client("eservices"), app_client("billing")
    _, cw = case_worker(token)
    kp, kp_tok = fresh_contact_person(token)
    a = es.post("/assignments", assignment(kp, new_pnr(1990), valid_from="2026-09-01", valid_to="2026-12-31",
                                           monthly_fee_ore=148_000, expense_allowance_ore=0), token=cw).json
    me = monthly_answers(kp)["om_dig"]
    report = {"assignment_kind": "kontaktperson", "client_first_name": "Kim", "client_last_name": "Klient",
              "year": 2026, "month": 10,
              "activities": [{"date": "2026-10-03", "activity": "Bio", "hours": 3}],
              "travel": [{"date": "2026-10-03", "from_place": "Hem", "to_place": "Bio", "km": 12.5},
                         {"date": "2026-10-10", "from_place": "Hem", "to_place": "Skog", "km": 30}]}
    receipt = submitted_case(es, kp_tok, "contact-time-report", {"tidrapport": report, "om_dig": me})
    clear("billing-inbox")
    r = es.post(f"/cases/{receipt['case_id']}/report-approval", {"assignment_id": a["assignment_id"]}, token=cw)
    assert r.status == 201 and (r.json["kind"], r.json["km"]) == ("time", 42.5), r.json
    (sent,) = events("billing-inbox", case_id=receipt["case_id"])
    assert billing.sqs("on_event", [json.dumps(sent)]) == {"batchItemFailures": []}
    payouts = billing.get("/payouts?month=2026-10", token=token("ordering_unit", user_id="ekonom")).json
    (line,) = [p for p in payouts["lines"] if p["contact_person"] == kp]
    assert (line["km"], line["mileage_ore"], line["tax_free_ore"], line["taxable_ore"]) == (42.5, 10_625, 10_625,
                                                                                           148_000)


def test_a_report_about_someone_else_is_refused_naming_the_mismatch(app_client, token):
    """GIVEN the reporter's assignment for Kim Klient and a report naming "Någon Annan" WHEN a case
    worker approves it THEN 422 on assignment_id saying which of the report's fields differ and both
    names; nothing reaches billing and the report stays new."""
    es = app_client("eservices")
    _, cw = case_worker(token)
    kp, kp_tok = fresh_contact_person(token)
    a = es.post("/assignments", assignment(kp, new_pnr(1990), valid_from="2026-09-01", valid_to="2026-12-31"),
                token=cw).json
    receipt = submitted_case(es, kp_tok, "contact-monthly-report", monthly_answers(
        kp, rapportering={"client_first_name": "Någon", "client_last_name": "Annan"}))
    clear("billing-inbox")
    r = es.post(f"/cases/{receipt['case_id']}/report-approval", {"assignment_id": a["assignment_id"]}, token=cw)
    assert r.status == 422 and r.headers["content-type"].startswith("application/problem+json"), r.json
    assert r.json["errors"] == [{"field": "assignment_id", "pointer": "#/assignment_id", "detail": (
        "the report is about Någon Annan (answers.rapportering.client_first_name, "
        "answers.rapportering.client_last_name), but the assignment's client is Kim Klient")}]
    assert events("billing-inbox", case_id=receipt["case_id"]) == []
    assert es.get(f"/cases/{receipt['case_id']}", token=cw).json["status"] == "new"


def test_an_approved_report_is_closed_in_the_inbox_and_on_mina_sidor(app_client, token):
    """GIVEN a submitted report, "Ny" to case workers and "Inskickad" to the reporter WHEN approved THEN
    the case worker reads it closed ("Avslutad"), the inbox lists it under closed and no longer
    under new, and the reporter's Mina sidor shows the history Inskickad, Mottagen, Avslutad; the
    status change is published and the reporter is told without any personal data."""
    es = app_client("eservices")
    _, cw = case_worker(token)
    kp, _, assignment_id, case_id = report_and_assignment(es, token, cw)
    kp_tok = token("contact_person", personnummer=kp)
    listed = lambda status: [c["case_id"] for c in es.get(f"/inbox?status={status}&limit=100",  # noqa: E731
                                                           token=cw).json["items"]]
    assert es.get(f"/my/cases/{case_id}", token=kp_tok).json["status"] == "submitted" and case_id in listed("new")
    clear("notify-inbox")
    assert es.post(f"/cases/{case_id}/report-approval", {"assignment_id": assignment_id}, token=cw).status == 201
    staff_view = es.get(f"/cases/{case_id}", token=cw).json
    assert (staff_view["status"], staff_view["status_label"]) == ("closed", "Avslutad")
    assert case_id in listed("closed") and case_id not in listed("new")
    mine = es.get(f"/my/cases/{case_id}", token=kp_tok).json
    assert mine["status"] == "closed"
    assert [h["label"] for h in mine["history"]] == ["Inskickad", "Mottagen", "Avslutad"]
    (told,) = [e for e in events("notify-inbox") if e["payload"].get("template") == "case.status_changed"]
    assert told["payload"]["recipient"]["ref"] == kp and told["payload"]["params"] == {}
