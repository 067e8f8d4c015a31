"""Forms, drafts, preview, signing and submit: every rule's failing case, and access."""
from tests.integration.eservices.helpers import (KARI, application_answers, fresh_citizen, fresh_contact_person,
                                                 give_assignment, monthly_answers, submitted_case)


def fields(response):
    assert response.headers["content-type"] == "application/problem+json", response.json
    return {e["field"] for e in response.json["errors"]}


def test_the_catalogue_lists_the_three_e_services(app_client):
    es = app_client("eservices")
    roles = {f["id"]: f["roles"] for f in es.get("/forms").json}
    assert set(roles) == {"contact-time-report", "contact-monthly-report", "support-application"}
    assert roles["contact-time-report"] == ["contact_person"] and "citizen" in roles["support-application"]
    detail = es.get("/forms/contact-monthly-report").json
    assert [s["id"] for s in detail["steps"]] == ["rapportering", "om_dig"]
    assert detail["schema"]["properties"]["rapportering"]["allOf"]  # the conditional rules travel too
    assert es.get("/forms/no-such-form").status == 404
    application = es.get("/forms/support-application").json
    assert application["own_behalf_only"] is True
    lss = next(f for f in application["steps"][0]["fields"] if f["name"] == "lss_insatser")
    assert len(lss["choices"]) == 10 and lss["required_when"] == {"field": "area", "values": ["lss"], "negate": False}


def start(es, tok, form_id, answers):
    return es.post("/drafts", {"form_id": form_id, "answers": answers}, token=tok)


def sign(es, tok, draft_id):
    return es.post(f"/drafts/{draft_id}/signature", token=tok)


class TestMonthlyReportRules:
    def test_activities_are_required_unless_the_answer_is_nej(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        answers = monthly_answers(pnr, rapportering={"performed_all": "nej_nagra", "activities": "",
                                                     "reason": "Sjuk"})
        draft = start(es, tok, "contact-monthly-report", answers).json
        assert "answers.rapportering.activities" in fields(sign(es, tok, draft["draft_id"]))
        answers = monthly_answers(pnr, rapportering={"performed_all": "nej", "activities": "", "reason": "Sjuk"})
        draft = start(es, tok, "contact-monthly-report", answers).json
        assert sign(es, tok, draft["draft_id"]).status == 201

    def test_a_reason_is_required_unless_the_answer_is_ja_alla(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        for answer in ("nej_nagra", "nej"):
            draft = start(es, tok, "contact-monthly-report",
                          monthly_answers(pnr, rapportering={"performed_all": answer})).json
            assert "answers.rapportering.reason" in fields(sign(es, tok, draft["draft_id"]))

    def test_the_confirmation_is_required(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        draft = start(es, tok, "contact-monthly-report", monthly_answers(pnr, om_dig={"confirm": False})).json
        assert fields(sign(es, tok, draft["draft_id"])) == {"answers.om_dig.confirm"}

    def test_the_reporter_is_the_person_logged_in(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        other, _ = fresh_contact_person(token)
        draft = start(es, tok, "contact-monthly-report", monthly_answers(pnr, om_dig={"personnummer": other})).json
        assert fields(sign(es, tok, draft["draft_id"])) == {"answers.om_dig.personnummer"}

    def test_a_chosen_channel_needs_its_address(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        draft = start(es, tok, "contact-monthly-report",
                      monthly_answers(pnr, om_dig={"notify_sms": True, "mobile": ""})).json
        assert fields(sign(es, tok, draft["draft_id"])) == {"answers.om_dig.mobile"}

    def test_only_contact_persons_report(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        assert start(es, tok, "contact-monthly-report", {}).status == 403


class TestDrafts:
    def test_bad_input_names_the_field_and_stores_nothing(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        r = start(es, tok, "contact-monthly-report", {"om_dig": {"email": "not-an-email"},
                                                      "rapportering": {"month": 13, "bogus": 1}})
        assert r.status == 422
        assert fields(r) == {"answers.om_dig.email", "answers.rapportering.month", "answers.rapportering.bogus"}
        assert es.get("/drafts", token=tok).json == []

    def test_save_at_any_step_resume_and_discard(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        draft = start(es, tok, "contact-monthly-report", {"rapportering": {"year": 2026}}).json
        saved = es.patch(f"/drafts/{draft['draft_id']}", {"answers": {"rapportering": {"year": 2026, "month": 9}},
                                                           "version": draft["version"]}, token=tok)
        assert saved.status == 200 and saved.json["version"] == draft["version"] + 1
        assert saved.json["missing"]  # partial data is fine in a draft
        listed = es.get("/drafts", token=tok).json
        assert [d["draft_id"] for d in listed] == [draft["draft_id"]]
        assert es.get(f"/drafts/{draft['draft_id']}", token=tok).json["answers"]["rapportering"]["month"] == 9
        assert es.delete(f"/drafts/{draft['draft_id']}", token=tok).status == 204
        assert es.get(f"/drafts/{draft['draft_id']}", token=tok).status == 404

    def test_a_stale_version_is_a_conflict(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        draft = start(es, tok, "contact-monthly-report", {}).json
        body = {"answers": {"rapportering": {"year": 2026}}, "version": draft["version"]}
        assert es.patch(f"/drafts/{draft['draft_id']}", body, token=tok).status == 200
        assert es.patch(f"/drafts/{draft['draft_id']}", body, token=tok).status == 409

    def test_another_persons_draft_does_not_exist_for_you(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        _, stranger = fresh_contact_person(token)
        did = start(es, tok, "contact-monthly-report", monthly_answers(pnr)).json["draft_id"]
        assert es.get(f"/drafts/{did}", token=stranger).status == 404
        assert es.patch(f"/drafts/{did}", {"answers": {}, "version": 1}, token=stranger).status == 404
        assert es.get(f"/drafts/{did}/preview", token=stranger).status == 404
        assert es.post(f"/drafts/{did}/signature", token=stranger).status == 404
        assert es.post(f"/drafts/{did}/submit", token=stranger, headers={"Idempotency-Key": "x"}).status == 404
        assert es.delete(f"/drafts/{did}", token=stranger).status == 404
        assert es.get(f"/drafts/{did}", token=tok).status == 200

    def test_a_draft_is_not_a_case(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        start(es, tok, "contact-monthly-report", monthly_answers(pnr))
        assert es.get("/my/cases", token=tok).json == []


class TestPreviewSignSubmit:
    def test_preview_shows_every_step_with_its_errors(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        did = start(es, tok, "contact-monthly-report", {"rapportering": {"year": 2026}}).json["draft_id"]
        preview = es.get(f"/drafts/{did}/preview", token=tok).json
        assert [s["step"] for s in preview["steps"]] == ["rapportering", "om_dig"]
        assert preview["ready_to_sign"] is False
        assert preview["steps"][0]["errors"] and preview["steps"][0]["change_link"] == "#step-rapportering"

    def test_submit_needs_a_signature_that_matches_the_answers(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        draft = start(es, tok, "contact-monthly-report", monthly_answers(pnr)).json
        did = draft["draft_id"]
        assert es.post(f"/drafts/{did}/submit", token=tok, headers={"Idempotency-Key": "a"}).status == 409
        assert sign(es, tok, did).status == 201
        changed = monthly_answers(pnr, rapportering={"activities": "Något annat"})
        es.patch(f"/drafts/{did}", {"answers": changed, "version": draft["version"] + 1}, token=tok)
        assert es.post(f"/drafts/{did}/submit", token=tok, headers={"Idempotency-Key": "a"}).status == 409
        assert es.get("/my/cases", token=tok).json == []

    def test_submit_needs_an_idempotency_key(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        did = start(es, tok, "contact-monthly-report", monthly_answers(pnr)).json["draft_id"]
        sign(es, tok, did)
        r = es.post(f"/drafts/{did}/submit", token=tok)
        assert r.status == 422 and fields(r) == {"Idempotency-Key"}

    def test_a_double_click_makes_one_case_and_the_key_is_not_reusable(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        first = submitted_case(es, tok, "contact-monthly-report", monthly_answers(pnr), key="k1")
        assert len(es.get("/my/cases", token=tok).json) == 1
        did = start(es, tok, "contact-monthly-report", monthly_answers(pnr)).json["draft_id"]
        sign(es, tok, did)
        reused = es.post(f"/drafts/{did}/submit", token=tok, headers={"Idempotency-Key": "k1"})
        assert reused.status == 409
        assert len(es.get("/my/cases", token=tok).json) == 1
        assert first["case_number"]

    def test_the_receipt_pdf_is_the_owners_alone(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        _, stranger = fresh_contact_person(token)
        receipt = submitted_case(es, tok, "contact-monthly-report", monthly_answers(pnr))
        path = receipt["document_url"].removeprefix("/eservices")
        pdf = es.get(path, token=tok, headers={"Accept": "application/pdf"})
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body.startswith(b"%PDF")
        assert es.get(path, token=stranger, headers={"Accept": "application/pdf"}).status == 404

    def test_report_for_another_person_carries_the_reporter_over(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        receipt = submitted_case(es, tok, "contact-monthly-report", monthly_answers(pnr))
        follow = next(f for f in receipt["follow_ups"] if f["kind"] == "report_another")
        draft = es.post(follow["href"].removeprefix("/eservices"), token=tok)
        assert draft.status == 201
        about_me = draft.json["answers"]["om_dig"]
        assert about_me["personnummer"] == pnr and about_me["email"] == "kari@example.se"
        assert "confirm" not in about_me
        assert "rapportering" not in draft.json["answers"]


class TestTimeReport:
    def answers(self, pnr, activities, travel):
        return {"tidrapport": {"assignment_kind": "kontaktfamilj", "client_first_name": "Kim",
                               "client_last_name": "Klient", "year": 2026, "month": 10,
                               "activities": activities, "travel": travel},
                "om_dig": {"personnummer": pnr, "first_name": "K", "last_name": "K", "confirm": True}}

    def test_the_server_sums_km_and_computes_mileage(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        answers = self.answers(pnr, [{"date": "2026-10-03", "activity": "Bad", "hours": 2},
                                     {"date": "2026-10-10", "activity": "Bio", "hours": 1.5}],
                               [{"date": "2026-10-03", "from_place": "Hem", "to_place": "Badhuset", "km": 12.5},
                                {"date": "2026-10-10", "from_place": "Hem", "to_place": "Bion", "km": 7}])
        did = start(es, tok, "contact-time-report", answers).json["draft_id"]
        preview = es.get(f"/drafts/{did}/preview", token=tok).json
        assert preview["ready_to_sign"], preview
        assert preview["computed"] == {"total_hours": 3.5, "total_km": 19.5, "mileage_kronor": 48.75}

    def test_prefilled_from_the_register_and_the_km_sum_follows_each_save(self, app_client, token):
        es = app_client("eservices")
        give_assignment(KARI)
        tok = token("contact_person", personnummer=KARI)
        # GIVEN a contact person in the register WHEN they start a time report
        draft = start(es, tok, "contact-time-report", {}).json
        # THEN who they are is filled in (the time report asks for no address)
        me = draft["answers"]["om_dig"]
        assert (me["personnummer"], me["first_name"], me["last_name"]) == (KARI, "Kari", "Kontakt")
        assert not {"street", "city"} & set(me)
        # AND each save returns the server's sums of the rows as they stand
        travel = [{"date": "2026-10-01", "from_place": "Hem", "to_place": "Bad", "km": 4.2}]
        step = {"year": 2026, "month": 10, "travel": travel}
        saved = es.patch(f"/drafts/{draft['draft_id']}", {"answers": {"tidrapport": step}, "version": 1},
                         token=tok).json
        assert saved["computed"]["total_km"] == 4.2
        step["travel"] = travel * 3
        saved = es.patch(f"/drafts/{draft['draft_id']}", {"answers": {"tidrapport": step}, "version": 2},
                         token=tok).json
        assert saved["computed"]["total_km"] == 12.6 and saved["computed"]["mileage_kronor"] == 31.5
        es.delete(f"/drafts/{draft['draft_id']}", token=tok)

    def test_rows_are_added_and_removed_freely_and_each_row_is_checked(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        answers = self.answers(pnr, [{"date": "2026-10-03", "activity": "Bad", "hours": 2}], [])
        draft = start(es, tok, "contact-time-report", answers).json
        answers["tidrapport"]["activities"] = []
        saved = es.patch(f"/drafts/{draft['draft_id']}", {"answers": answers, "version": 1}, token=tok).json
        assert saved["answers"]["tidrapport"].get("activities", []) == []  # removed rows are gone
        assert "answers.tidrapport.activities" in {m["field"] for m in
                                                   es.get(f"/drafts/{draft['draft_id']}/preview", token=tok)
                                                   .json["steps"][0]["errors"]}
        bad = self.answers(pnr, [{"date": "2026-11-01", "activity": "", "hours": 30}],
                           [{"date": "2026-10-01", "from_place": "A", "to_place": "B", "km": -1}])
        r = start(es, tok, "contact-time-report", bad)
        assert r.status == 422
        assert fields(r) == {"answers.tidrapport.activities.0.activity", "answers.tidrapport.activities.0.hours",
                             "answers.tidrapport.travel.0.km"}  # a row is checked whole, even in a draft
        draft = start(es, tok, "contact-time-report", self.answers(
            pnr, [{"date": "2026-11-01", "activity": "Bad", "hours": 1}], [])).json
        assert "answers.tidrapport.activities.0.date" in fields(sign(es, tok, draft["draft_id"]))


class TestSupportApplication:
    def test_lss_needs_at_least_one_insats_and_sol_its_insats(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        for area, missing in (("lss", "answers.ansokan.lss_insatser"), ("sol_aldre", "answers.ansokan.sol_insats")):
            did = start(es, tok, "support-application",
                        application_answers(pnr, area=area, sol_insats=None)).json["draft_id"]
            assert missing in fields(sign(es, tok, did))

    def test_the_need_must_be_described(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        did = start(es, tok, "support-application", application_answers(pnr, need="")).json["draft_id"]
        assert fields(sign(es, tok, did)) == {"answers.ansokan.need"}

    def test_the_inbox_category_follows_the_chosen_insats(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        receipt = submitted_case(es, tok, "support-application", application_answers(
            pnr, area="lss", sol_insats=None, lss_insatser=["ledsagarservice", "daglig_verksamhet"]))
        mine = es.get("/my/cases", token=tok).json
        assert mine[0]["case_id"] == receipt["case_id"]
        assert mine[0]["category"] == "LSS: Ledsagarservice, Daglig verksamhet"
        assert mine[0]["status_label"] == "Inskickad"

    def test_a_person_outside_the_register_may_apply(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)  # not in the population register
        assert submitted_case(es, tok, "support-application", application_answers(pnr))["case_number"]
