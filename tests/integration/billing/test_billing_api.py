"""Billing over HTTP and SQS against the moto server: the inbox consumer, the invoice basis
(preliminary, final, 409 before the lock date), reconciliation, exports, classification, payouts,
and who may see what."""
import json
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from services.domain.calendar import STOCKHOLM, lock_date, next_month
from tests.integration.billing.helpers import feed
from tests.support.people import new_pnr
from tests.unit.billing.events import absence_registered, decision, envelope, report_approved, visit_changed

MONTH, YEAR, MM = "2025-05", 2025, 5  # long past its lock date, under Haninge's 2025 pack
T = datetime(2025, 5, 5, 8, tzinfo=timezone.utc)


def a_provider_month(billing):
    provider, client = f"prov-{uuid.uuid4().hex[:8]}", new_pnr(1940)
    feed(billing, decision(client, 3040, date(2025, 1, 1)),
         visit_changed("v1-" + provider, client, provider=provider, minutes=60, start=T, year=YEAR, month=MM),
         visit_changed("v2-" + provider, client, provider=provider, minutes=45, start=T + timedelta(days=1),
                       year=YEAR, month=MM),
         absence_registered("a-" + provider, client, date(2025, 5, 20), provider=provider))
    return provider, client


def test_the_basis_follows_the_events_and_is_preliminary(billing, finance):
    provider, client = a_provider_month(billing)
    r = billing.get(f"/invoice-basis?provider_id={provider}&month={MONTH}", token=finance)
    assert r.status == 200, r.json
    body = r.json
    assert (body["status"], body["lock_date"], body["rule_pack"]["version"]) == \
        ("preliminary", lock_date(YEAR, MM).isoformat(), "2025.1")
    (line,) = body["lines"]
    assert (line["client"], line["reference_code"], line["billable_minutes"], line["absence_minutes"]) == \
        (client, "780201", 105, 200)
    assert line["absence_ids"] == ["a-" + provider] and len(line["visit_ids"]) == 2
    assert body["totals"]["amount_ore"] == line["amount_ore"] == round(305 * 46800 / 60)


def test_a_batch_with_a_bad_record_fails_only_that_record(billing, finance):
    provider, client = f"prov-{uuid.uuid4().hex[:8]}", new_pnr(1940)
    good = visit_changed("v-" + provider, client, provider=provider, start=T, year=YEAR, month=MM)
    result = billing.sqs("on_event", ["not json", good.model_dump_json(),
                                      envelope("visit.changed", 7, {}).model_dump_json()], ["bad", "good", "v7"])
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad"}, {"itemIdentifier": "v7"}]}
    r = billing.get(f"/invoice-basis?provider_id={provider}&month={MONTH}", token=finance)
    assert r.json["totals"]["performed_minutes"] == 60


def test_final_after_the_lock_date_then_a_correction_is_version_two(billing, finance):
    provider, client = a_provider_month(billing)
    first = billing.post(f"/invoice-basis/{provider}/{MONTH}/final", token=finance)
    assert first.status == 200 and (first.json["status"], first.json["version"]) == ("final", 1)
    feed(billing, visit_changed("late-" + provider, client, provider=provider, minutes=15, start=T, year=YEAR,
                                month=MM))
    assert billing.get(f"/invoice-basis?provider_id={provider}&month={MONTH}", token=finance).json == first.json
    second = billing.post(f"/invoice-basis/{provider}/{MONTH}/final", token=finance).json
    assert (second["version"], second["corrects_version"], second["difference_totals"]["billable_minutes"]) == \
        (2, 1, 15)


def test_final_is_409_naming_the_lock_date_until_it_has_passed(billing, finance):
    today = datetime.now(STOCKHOLM).date()
    year, month = today.year, today.month
    r = billing.post(f"/invoice-basis/prov-x/{year:04d}-{month:02d}/final", token=finance)
    assert r.status == 409 and lock_date(year, month).isoformat() in r.json["detail"], r.json


def test_a_provider_sees_its_own_and_not_anothers_and_citizens_nothing(billing, token):
    provider, _ = a_provider_month(billing)
    own = token("provider_coordinator", user_id="cora", provider_id=provider)
    other = token("provider_coordinator", user_id="bo", provider_id="prov-other")
    url = f"/invoice-basis?provider_id={provider}&month={MONTH}"
    assert billing.get(url, token=own).status == 200
    assert billing.get(url, token=token("provider_manager", user_id="vera", provider_id=provider)).status == 200
    # care staff see their own registrations (visits), not the provider's basis
    assert billing.get(url, token=token("provider_staff", user_id="anna", provider_id=provider)).status == 403
    assert billing.get(url, token=other).status == 403
    assert billing.get(f"/invoice-basis/{provider}/{MONTH}/csv", token=other).status == 403
    assert billing.get(url, token=token("citizen", personnummer=new_pnr(1960))).status == 403
    assert billing.post(f"/invoice-basis/{provider}/{MONTH}/final", token=own).status == 403  # finance finalizes
    assert billing.get(f"/payouts?month={MONTH}", token=own).status == 403


def test_bad_month_and_provider_are_422_naming_the_field(billing, finance):
    r = billing.get("/invoice-basis?provider_id=p1&month=2025-13", token=finance)
    assert r.status == 422 and r.json["errors"][0]["field"] == "query.month"
    r = billing.post("/invoice-basis/p1/may/final", token=finance)
    assert r.status == 422 and r.json["errors"][0]["field"] == "month"
    r = billing.get("/invoice-basis/p%20x/2025-05/csv", token=finance)
    assert r.status == 422 and r.json["errors"][0]["field"] == "provider_id"


def test_reconciliation_answers_every_difference_and_the_due_date(billing, token):
    provider, client = a_provider_month(billing)
    own = token("provider_coordinator", user_id="cora", provider_id=provider)
    claim = {"received_on": "2025-06-10", "lines": [{"client": client, "hours": "5.10", "amount_ore": 1}]}
    r = billing.post(f"/invoice-basis/{provider}/{MONTH}/reconciliation", claim, token=own)
    assert r.status == 200, r.json
    assert r.json["due_date"] == "2025-07-10" and not r.json["matches"]
    assert {d["field"] for d in r.json["differences"]} == {"billed_minutes", "amount_ore"}
    bad = billing.post(f"/invoice-basis/{provider}/{MONTH}/reconciliation",
                       {"received_on": "2025-06-10", "lines": [{"client": "123", "hours": 1, "amount_ore": 1}]},
                       token=own)
    assert bad.status == 422 and bad.json["errors"][0]["field"].startswith("lines.0.client")


def test_csv_and_pdf_exports(billing, finance):
    provider, client = a_provider_month(billing)
    csv = billing.get(f"/invoice-basis/{provider}/{MONTH}/csv", token=finance)
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    rows = csv.body.decode("utf-8-sig").splitlines()
    assert rows[0].split(";")[:3] == ["Utförare", "Månad", "Status"] and client in rows[1]
    pdf = billing.get(f"/invoice-basis/{provider}/{MONTH}/pdf", token=finance, headers={"Accept": "application/pdf"})
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF")
    assert "preliminart.pdf" in pdf.headers["content-disposition"]


def test_finance_classifies_a_rural_client_and_the_supplement_follows(billing, finance, token):
    provider, client = a_provider_month(billing)
    r = billing.put(f"/clients/{client}/classification", {"area": "rural"}, token=finance)
    assert r.status == 200 and r.json["area"] == "rural"
    line = billing.get(f"/invoice-basis?provider_id={provider}&month={MONTH}", token=finance).json["lines"][0]
    assert line["rural_minutes"] == 105 and line["rural_supplement_ore"] == round(105 * 4500 / 60)
    assert billing.put(f"/clients/{client}/classification", {"area": "moon"}, token=finance).status == 422
    feed(billing, absence_registered("t-" + provider, client, date(2025, 5, 26), kind="terminated", provider=provider))
    with_termination = billing.get(f"/invoice-basis?provider_id={provider}&month={MONTH}", token=finance).json
    assert with_termination["lines"][0]["absence_minutes"] == 200 + 500
    r = billing.put(f"/clients/{client}/classification", {"area": "rural", "mismanaged_terminations": ["t-" + provider]},
                    token=finance)
    assert r.status == 200 and r.json["mismanaged_terminations"] == ["t-" + provider]
    line = billing.get(f"/invoice-basis?provider_id={provider}&month={MONTH}", token=finance).json["lines"][0]
    assert line["absence_minutes"] == 200 and line["rural_minutes"] == 105
    staff = token("provider_staff", user_id="anna", provider_id=provider)
    assert billing.put(f"/clients/{client}/classification", {"area": "rural"}, token=staff).status == 403


def test_payouts_from_approved_reports_as_json_and_csv(billing, finance):
    person, month = new_pnr(1975), "2025-11"
    feed(billing, report_approved(f"case-{uuid.uuid4().hex[:6]}", person, km=42, year=2025, month=11,
                                  assignment="as-" + person))
    body = billing.get(f"/payouts?month={month}", token=finance).json
    mine = [p for p in body["lines"] if p["contact_person"] == person]
    assert len(mine) == 1 and (mine[0]["fee_ore"], mine[0]["mileage_ore"]) == (147_000, 10_500)
    csv = billing.get(f"/payouts/{month}/csv", token=finance)
    assert csv.status == 200 and person in csv.body.decode("utf-8-sig")


def test_only_verified_visits_are_billed_and_final_with_unverified_ones_needs_finances_reason(billing, finance, token):
    """Issue 20, item 1. GIVEN a month with an approved visit of 60, one of 45 the coordinator has
    not approved and one of 30 whose manual receipt waits for the case worker WHEN finance reads the
    basis THEN 60 minutes are billed and the others stand on their own lines; making it final is 409
    until finance confirms with a reason, which is validated, stored and shown in JSON, CSV and PDF."""
    from tests.support.pdf import pdf_text

    provider, client = f"prov-{uuid.uuid4().hex[:8]}", new_pnr(1940)
    feed(billing, decision(client, 3040, date(2025, 1, 1)),
         visit_changed("ok-" + provider, client, provider=provider, minutes=60, start=T, year=YEAR, month=MM),
         visit_changed("un-" + provider, client, provider=provider, minutes=45, start=T + timedelta(days=1),
                       year=YEAR, month=MM, status="registered"),
         visit_changed("wait-" + provider, client, provider=provider, minutes=30, start=T + timedelta(days=2),
                       year=YEAR, month=MM, status="registered", deviations=(("manual_receipt", "pending"),)))
    url = f"/invoice-basis?provider_id={provider}&month={MONTH}"
    body = billing.get(url, token=finance).json
    assert (body["totals"]["billable_minutes"], body["totals"]["amount_ore"]) == (60, 46800)
    assert (body["totals"]["unapproved_minutes"], body["totals"]["awaiting_decision_minutes"]) == (45, 30)
    assert [(u["label"], u["minutes"], u["visit_ids"]) for u in body["unverified"]] == \
        [("Ej godkänt", 45, ["un-" + provider]), ("Väntar på beslut", 30, ["wait-" + provider])]

    refused = billing.post(f"/invoice-basis/{provider}/{MONTH}/final", token=finance)
    assert refused.status == 409 and refused.json["type"].endswith("unverified-visits"), refused.json
    assert "unverified-confirmation" in refused.json["detail"]
    confirm = f"/invoice-basis/{provider}/{MONTH}/final/unverified-confirmation"
    for bad in ({}, {"reason": "  "}, {"reason": "ok\u202e"}, {"reason": "x" * 501}, {"reason": "två\nrader"}):
        r = billing.post(confirm, bad, token=finance)
        assert r.status == 422 and r.json["errors"][0]["field"] == "reason", (bad, r.json)
    staff = token("provider_staff", user_id="anna", provider_id=provider)
    assert billing.post(confirm, {"reason": "Vi vill ha betalt"}, token=staff).status == 403
    assert billing.get(url, token=finance).json["status"] == "preliminary"  # nothing stored

    final = billing.post(confirm, {"reason": "Utföraren attesterar inte i tid; rättas i nästa version"},
                         token=finance)
    assert final.status == 200, final.json
    assert (final.json["status"], final.json["version"], final.json["totals"]["billable_minutes"]) == ("final", 1, 60)
    confirmed = final.json["unverified_confirmation"]
    assert (confirmed["reason"], confirmed["confirmed_by"], confirmed["unapproved_minutes"],
            confirmed["awaiting_decision_minutes"]) == \
        ("Utföraren attesterar inte i tid; rättas i nästa version", "ordering_unit:ekonom", 45, 30)
    assert billing.get(url, token=finance).json["unverified_confirmation"] == confirmed
    csv = billing.get(f"/invoice-basis/{provider}/{MONTH}/csv", token=finance).body.decode("utf-8-sig")
    assert f"{client};Ej godkänt;1;0,75;un-{provider}" in csv and f"{client};Väntar på beslut;1;0,50" in csv
    assert "rättas i nästa version" in csv
    pdf = billing.get(f"/invoice-basis/{provider}/{MONTH}/pdf", token=finance, headers={"Accept": "application/pdf"})
    text = " ".join(pdf_text(pdf.body).split())
    assert "Ej godkänt" in text and "Väntar på beslut" in text and "rättas i nästa version" in text


def test_a_visit_on_a_compensated_absence_day_is_billed_once_and_flagged(billing, finance):
    """Issue 20, item 3. GIVEN a hospital stay from May 20 (compensated the 20th and 21st) and an
    approved visit of 40 minutes on the 20th THEN the 20th is billed as the visit only and flagged
    in the JSON and the CSV."""
    provider, client = f"prov-{uuid.uuid4().hex[:8]}", new_pnr(1940)
    feed(billing, decision(client, 3040, date(2025, 1, 1)),
         absence_registered("h-" + provider, client, date(2025, 5, 20), provider=provider),
         visit_changed("v-" + provider, client, provider=provider, minutes=40, year=YEAR, month=MM,
                       start=datetime(2025, 5, 20, 12, tzinfo=timezone.utc)))
    body = billing.get(f"/invoice-basis?provider_id={provider}&month={MONTH}", token=finance).json
    (line,) = body["lines"]
    assert (line["billable_minutes"], line["absence_minutes"]) == (40, 100)
    assert [d["day"] for d in line["absence_days"]] == ["2025-05-21"]
    assert body["totals"]["amount_ore"] == round(40 * 46800 / 60) + round(100 * 46800 / 60)
    (flag,) = body["visits_on_absence_days"]
    assert (flag["day"], flag["absence_id"], flag["visit_ids"], flag["billed"], flag["compensation_minutes"]) == \
        ("2025-05-20", "h-" + provider, ["v-" + provider], "visit", "100")
    csv = billing.get(f"/invoice-basis/{provider}/{MONTH}/csv", token=finance).body.decode("utf-8-sig")
    assert f"{client};2025-05-20;h-{provider};sjukhus;v-{provider};0,67;0,67;1,67;besöket" in csv


def test_a_visit_row_stored_before_attestation_was_kept_is_not_billed(billing, finance):
    """A client-month written by the code before issue 20 holds 7-field visit rows: read as not
    approved (never billed unverified), and billed once visits' next change of the visit arrives."""
    from services.adapters.aws import table

    provider, client = f"prov-{uuid.uuid4().hex[:8]}", new_pnr(1940)
    feed(billing, decision(client, 3040, date(2025, 1, 1)))
    row = ["old-" + provider, 1, int(T.timestamp()), 60, 1, "none", 0]
    table("billing").put_item(Item={"pk": f"MONTH#{MONTH}", "sk": provider})
    table("billing").put_item(Item={"pk": f"CM#{provider}#{MONTH}", "sk": client, "visits": json.dumps([row]),
                                    "absences": "[]", "rev": 1})
    url = f"/invoice-basis?provider_id={provider}&month={MONTH}"
    body = billing.get(url, token=finance).json
    assert (body["totals"]["billable_minutes"], body["totals"]["unapproved_minutes"]) == (0, 60)
    feed(billing, visit_changed("old-" + provider, client, provider=provider, version=2, minutes=60, start=T,
                                year=YEAR, month=MM))
    assert billing.get(url, token=finance).json["totals"]["billable_minutes"] == 60
