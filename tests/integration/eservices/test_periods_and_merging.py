"""Report periods (a report covers a month that has begun; every row in it) and how a PATCH
merges into a draft (field by field; null clears), over HTTP."""
from datetime import date, datetime, timedelta

from services.domain.calendar import STOCKHOLM
from tests.integration.eservices.helpers import KARI, fresh_contact_person, give_assignment, monthly_answers


def today():
    return datetime.now(STOCKHOLM).date()


def next_month(day: date) -> tuple[int, int]:
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


def previous_month(day: date) -> tuple[int, int]:
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


def problem_fields(response):
    assert response.headers["content-type"] == "application/problem+json", response.json
    return {e["field"] for e in response.json["errors"]}


def missing(draft):
    return {m["field"]: m["detail"] for m in draft["missing"]}


def time_report(pnr, year, month, activities, travel=()):
    return {"tidrapport": {"assignment_kind": "kontaktperson", "client_first_name": "Kim",
                           "client_last_name": "Klient", "year": year, "month": month,
                           "activities": list(activities), "travel": list(travel)},
            "om_dig": {"personnummer": pnr, "first_name": "K", "last_name": "K", "confirm": True}}


class TestReportPeriods:
    def test_a_monthly_report_for_2099_cannot_be_signed(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        # GIVEN a monthly report for a month in 2099
        draft = es.post("/drafts", {"form_id": "contact-monthly-report",
                                    "answers": monthly_answers(pnr, rapportering={"year": 2099, "month": 1})},
                        token=tok).json
        # THEN the draft already says what is wrong, and signing is refused naming the year
        assert "answers.rapportering.year" in missing(draft)
        assert problem_fields(es.post(f"/drafts/{draft['draft_id']}/signature", token=tok)) == {
            "answers.rapportering.year"}

    def test_next_month_cannot_be_reported_yet_but_the_current_month_can(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        year, month = next_month(today())
        ahead = es.post("/drafts", {"form_id": "contact-monthly-report",
                                    "answers": monthly_answers(pnr, rapportering={"year": year, "month": month})},
                        token=tok).json
        assert set(missing(ahead)) & {"answers.rapportering.year", "answers.rapportering.month"}
        assert es.post(f"/drafts/{ahead['draft_id']}/signature", token=tok).status == 422
        # AND the month that has begun (the current one) may be reported
        current = es.post("/drafts", {"form_id": "contact-monthly-report", "answers": monthly_answers(
            pnr, rapportering={"year": today().year, "month": today().month})}, token=tok).json
        assert missing(current) == {}
        assert es.post(f"/drafts/{current['draft_id']}/signature", token=tok).status == 201

    def test_a_time_report_row_outside_the_month_is_a_draft_error_and_not_counted(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        year, month = previous_month(today())
        inside = f"{year}-{month:02d}-02"
        outside = (date(year, month, 1) - timedelta(days=1)).isoformat()
        # GIVEN a time report for last month with one travel row dated the month before
        answers = time_report(pnr, year, month, [{"date": inside, "activity": "Bad", "hours": 2}],
                              [{"date": inside, "from_place": "Hem", "to_place": "Bad", "km": 10},
                               {"date": outside, "from_place": "Hem", "to_place": "Bio", "km": 99}])
        # WHEN the draft is saved
        draft = es.post("/drafts", {"form_id": "contact-time-report", "answers": answers}, token=tok)
        assert draft.status == 201, draft.json
        # THEN the draft lists the wrong row as it lists a missing field
        assert missing(draft.json) == {"answers.tidrapport.travel.1.date":
                                       "Datumet ska ligga i den månad rapporten gäller"}
        # AND its km total counts only the rows inside the month
        assert draft.json["computed"]["total_km"] == 10
        preview = es.get(f"/drafts/{draft.json['draft_id']}/preview", token=tok).json
        assert preview["computed"]["total_km"] == 10 and not preview["ready_to_sign"]

    def test_a_row_error_shows_beside_a_missing_field(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        year, month = previous_month(today())
        answers = time_report(pnr, year, month, [{"date": "2001-01-01", "activity": "Bad", "hours": 2}])
        del answers["tidrapport"]["client_last_name"]
        draft = es.post("/drafts", {"form_id": "contact-time-report", "answers": answers}, token=tok).json
        assert {"answers.tidrapport.client_last_name", "answers.tidrapport.activities.0.date"} <= set(missing(draft))


class TestDraftMerging:
    def test_a_partial_step_keeps_the_prefilled_fields(self, app_client, token):
        es = app_client("eservices")
        give_assignment(KARI)
        tok = token("contact_person", personnummer=KARI)
        # GIVEN a draft whose "om_dig" step was prefilled from the register
        draft = es.post("/drafts", {"form_id": "contact-monthly-report", "answers": {}}, token=tok).json
        # WHEN only the e-mail of that step is sent
        saved = es.patch(f"/drafts/{draft['draft_id']}",
                         {"answers": {"om_dig": {"email": "kari@example.se"}}, "version": 1}, token=tok)
        # THEN the personnummer and name stay, and the e-mail is added
        assert saved.status == 200, saved.json
        me = saved.json["answers"]["om_dig"]
        assert (me["personnummer"], me["first_name"], me["last_name"], me["email"]) == (
            KARI, "Kari", "Kontakt", "kari@example.se")
        es.delete(f"/drafts/{draft['draft_id']}", token=tok)

    def test_null_clears_one_field_and_leaves_the_rest(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        draft = es.post("/drafts", {"form_id": "contact-monthly-report", "answers": monthly_answers(pnr)},
                        token=tok).json
        saved = es.patch(f"/drafts/{draft['draft_id']}",
                         {"answers": {"rapportering": {"activities": None}}, "version": 1}, token=tok).json
        assert "activities" not in saved["answers"]["rapportering"]
        assert saved["answers"]["rapportering"]["client_first_name"] == "Kim"
        assert "answers.rapportering.activities" in missing(saved)

    def test_the_reporter_rule_is_reported_with_the_drafts_other_problems(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        other, _ = fresh_contact_person(token)
        answers = monthly_answers(pnr, om_dig={"personnummer": other})
        del answers["rapportering"]["client_last_name"]
        draft = es.post("/drafts", {"form_id": "contact-monthly-report", "answers": answers}, token=tok).json
        assert missing(draft)["answers.om_dig.personnummer"] == "Personnumret ska vara ditt eget"
        assert "answers.rapportering.client_last_name" in missing(draft)
        preview = es.get(f"/drafts/{draft['draft_id']}/preview", token=tok).json
        errors = {e["field"] for s in preview["steps"] for e in s["errors"]}
        assert {"answers.om_dig.personnummer", "answers.rapportering.client_last_name"} <= errors
