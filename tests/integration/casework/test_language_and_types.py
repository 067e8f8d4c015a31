"""What citizens and relatives read is Swedish; every number has one type in every response;
case workers' statuses have one code and one label, and the inbox filter takes that code."""
from datetime import date, datetime

from services.adapters.aws import client
from services.domain.calendar import STOCKHOLM
from services.eservices.bootstrap import deps
from services.eservices.casework.domain.messages import MAX_ATTACHMENT_BYTES
from tests.integration.casework.helpers import case_worker, enable_messaging, new_application, taken_in
from tests.integration.eservices.helpers import fresh_contact_person, submitted_case
from tests.support.people import new_pnr


def swedish(problem):
    """A problem document a citizen reads: Swedish title and detail (no English tell-tales)."""
    text = f"{problem['title']} {problem['detail']}".lower()
    assert not any(word in text for word in (" the ", "not ", "no ", "request", "switched", "larger")), problem
    return problem


class TestSwedishForPeople:
    def test_a_relative_without_an_approval_reads_why_in_swedish(self, app_client, token):
        es = app_client("eservices")
        citizen, _, _ = new_application(es, token)
        r = es.get("/my/cases", token=token("relative", personnummer=new_pnr()), headers={"X-Acting-For": citizen})
        assert r.status == 403
        assert swedish(r.json)["detail"] == "Du har inget godkännande att företräda den här personen i dag"

    def test_a_citizen_without_messaging_reads_why_in_swedish_and_staff_in_english(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        citizen, ctok, receipt = taken_in(es, token, cw)
        r = es.post("/my/messages", {"case_id": receipt["case_id"], "subject": "Fråga", "body": "Hej"}, token=ctok)
        assert r.status == 409 and "Meddelandefunktionen är inte påslagen" in swedish(r.json)["detail"]
        staff = es.post("/messages", {"citizen": citizen, "subject": "S", "body": "B"}, token=cw)
        assert staff.status == 409 and "messaging is not switched on" in staff.json["detail"]

    def test_a_citizens_too_large_file_is_refused_in_swedish(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        citizen, ctok, receipt = taken_in(es, token, cw)
        enable_messaging(es, cw, citizen)
        t = es.post("/my/messages/attachments", {"filename": "stor.pdf", "content_type": "application/pdf"},
                    token=ctok).json
        client("s3").put_object(Bucket=deps().documents.bucket, Key=t["fields"]["key"],
                                Body=b"x" * (MAX_ATTACHMENT_BYTES + 1))
        r = es.post("/my/messages", {"case_id": receipt["case_id"], "subject": "S", "body": "B",
                                     "attachments": [t["upload_id"]]}, token=ctok)
        assert r.status == 422
        assert r.json["errors"] == [{"field": "attachments.0", "pointer": "#/attachments/0",
                                     "detail": "Filen är större än 16 MB"}]
        assert swedish(r.json)["title"] == "Några uppgifter behöver rättas"

    def test_someone_elses_case_is_not_found_in_swedish(self, app_client, token):
        es = app_client("eservices")
        _, _, receipt = new_application(es, token)
        r = es.get(f"/my/cases/{receipt['case_id']}", token=token("citizen", personnummer=new_pnr()))
        assert r.status == 404 and swedish(r.json)["detail"] == "Ärendet finns inte"


class TestOneTypePerNumber:
    def test_hours_and_km_are_json_numbers_in_the_draft_the_receipt_and_the_case_view(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        today = datetime.now(STOCKHOLM).date()
        day = date(today.year, today.month, 1).isoformat()
        answers = {"tidrapport": {"assignment_kind": "kontaktperson", "client_first_name": "Kim",
                                  "client_last_name": "K", "year": today.year, "month": today.month,
                                  "activities": [{"date": day, "activity": "Bad", "hours": 2}],
                                  "travel": [{"date": day, "from_place": "A", "to_place": "B", "km": "10"}]},
                   "om_dig": {"personnummer": pnr, "first_name": "K", "last_name": "K", "confirm": True}}
        draft = es.post("/drafts", {"form_id": "contact-time-report", "answers": answers}, token=tok).json
        receipt = submitted_case(es, tok, "contact-time-report", answers, key=f"n-{pnr}")
        _, cw = case_worker(token)
        case = es.get(f"/cases/{receipt['case_id']}", token=cw).json
        expected = {"total_hours": 2.0, "total_km": 10.0, "mileage_kronor": 25.0}
        for computed in (draft["computed"], receipt["computed"], case["computed"]):
            assert computed == expected and all(type(v) is float for v in computed.values()), computed
        for travel in (draft["answers"]["tidrapport"]["travel"], case["answers"]["tidrapport"]["travel"]):
            assert type(travel[0]["km"]) is float
        assert type(case["answers"]["tidrapport"]["year"]) is int


class TestStatusesPerAudience:
    def test_the_inbox_filter_takes_the_code_its_rows_show(self, app_client, token):
        es = app_client("eservices")
        _, ctok, receipt = new_application(es, token)
        _, cw = case_worker(token)
        rows = es.get("/inbox?status=new&limit=100", token=cw).json["items"]
        row = next(r for r in rows if r["case_id"] == receipt["case_id"])
        assert (row["status"], row["status_label"]) == ("new", "Ny")
        assert {r["status"] for r in rows} == {"new"}
        assert es.get(f"/cases/{receipt['case_id']}", token=cw).json["status"] == "new"
        assert es.get("/inbox?status=submitted", token=cw).status == 422  # one name per audience
        # AND the citizen keeps their own code and label for the same case
        [mine] = es.get("/my/cases", token=ctok).json
        assert (mine["status"], mine["status_label"]) == ("submitted", "Inskickad")


def test_a_citizens_malformed_request_reads_in_swedish_and_a_case_workers_in_english(app_client, token):
    es = app_client("eservices")
    _, cw = case_worker(token)
    citizen, ctok, receipt = taken_in(es, token, cw)
    enable_messaging(es, cw, citizen)
    r = es.post("/my/messages", {"case_id": receipt["case_id"], "subject": "", "extra": 1}, token=ctok)
    assert r.status == 422
    assert {e["field"]: e["detail"] for e in swedish(r.json)["errors"]} == {
        "subject": "För kort", "body": "Obligatoriskt fält", "extra": "Okänt fält"}
    assert r.json["title"] == "Några uppgifter behöver rättas"
    staff = es.post("/messages", {"citizen": citizen, "subject": "", "body": "B"}, token=cw)
    assert staff.status == 422 and staff.json["title"] == "The request has invalid fields"
    assert "at least 1 character" in staff.json["errors"][0]["detail"]
    draft = es.patch("/drafts/x", {"answers": {}, "version": 0}, token=ctok)
    assert draft.status == 422 and draft.json["errors"] == [
        {"field": "version", "pointer": "#/version", "detail": "För litet värde"}]


class TestSwedishAtTheEdge:
    """What the HTTP layer itself answers (no token, a bad X-Acting-For, the policy's refusals)
    reads Swedish to citizens and relatives, and stays English for staff."""

    def test_someone_not_logged_in_is_asked_in_swedish_to_log_in(self, app_client):
        r = app_client("eservices").get("/my/cases")
        assert r.status == 401 and r.json["title"] == "Logga in med e-legitimation"

    def test_a_relative_with_a_malformed_acting_for_reads_why_in_swedish(self, app_client, token):
        r = app_client("eservices").get("/my/cases", token=token("relative", personnummer=new_pnr()),
                                        headers={"X-Acting-For": "19121212-121"})
        assert r.status == 422
        assert r.json["errors"][0]["field"] == "X-Acting-For"
        assert swedish(r.json)["errors"][0]["detail"].startswith("Ange ett giltigt personnummer")
        assert r.json["title"] == "Några uppgifter behöver rättas"

    def test_the_policys_refusal_is_swedish_to_a_citizen_and_english_to_staff(self, app_client, token):
        es = app_client("eservices")
        citizen = es.get("/inbox", token=token("citizen", personnummer=new_pnr()))
        assert citizen.status == 403 and citizen.json["title"] == "Du har inte behörighet"
        _, cw = case_worker(token)
        staff = es.get("/my/cases", token=cw)
        assert staff.status == 403 and staff.json["title"] == "Not allowed"
