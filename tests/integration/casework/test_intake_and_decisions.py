"""Intake (aktualisering) and decisions: the status moves on and the citizen sees it on Mina
sidor; decisions per insats with a letter, emitted for visits, reports and billing; every
refusal stores nothing; every change is audited in its own transaction."""
import json
import uuid
from datetime import date, timedelta

import pytest

from services.auth.tokens import principal_from_headers
from services.adapters.aws import client
from services.contracts.events import DecisionPublished, DecisionPublishedV2, Envelope, granted_lines
from services.domain.errors import Conflict
from services.entrypoints.http import Call
from services.eservices.bootstrap import deps
from services.eservices.casework.usecases import intake
from services.eservices.casework.models.intake import IntakeRequest
from services.eservices.adapters.table import eservices_table
from tests.integration.eservices.helpers import fresh_citizen
from tests.integration.casework.helpers import (INTAKE, actions_on, audit_of, case_item, case_worker, clear,
                                                enable_messaging, events, new_application, taken_in)

PDF = {"Accept": "application/pdf"}
TODAY = date.today()
HOME_CARE = {"insats": "hemtjanst", "outcome": "granted", "granted_minutes_per_month": 1200,
             "valid_from": TODAY.isoformat(), "valid_to": (TODAY + timedelta(days=365)).isoformat(),
             "motivation": "Behov av stöd med städning och inköp"}
ALARM_REFUSED = {"insats": "trygghetslarm", "outcome": "refused", "valid_from": TODAY.isoformat(),
                 "motivation": "Behovet tillgodoses på annat sätt"}
HOME_CARE_REFUSED = {"insats": "hemtjanst", "outcome": "refused", "valid_from": TODAY.isoformat(),
                     "motivation": "Behovet tillgodoses på annat sätt"}
LSS_APPLICATION = {"area": "lss", "sol_insats": None, "lss_insatser": ["kontaktperson"]}
LSS_INTAKE = {**INTAKE, "intake_type": "begaran_lss", "lss_insatser": ["kontaktperson", "ledsagarservice"]}


class TestIntake:
    def test_intake_moves_the_case_on_and_the_citizen_sees_it(self, app_client, token):
        # GIVEN a submitted application and a citizen with messaging alerts by SMS to phone 2
        es = app_client("eservices")
        pnr, tok, receipt = new_application(es, token)
        cw_id, cw = case_worker(token)
        enable_messaging(es, cw, pnr, phone1="+46701111111", phone2="+46702222222", sms_alert=True, sms_phone=2)
        clear("notify-inbox")
        # WHEN a case worker takes it in as Förenklad handläggning
        r = es.post(f"/cases/{receipt['case_id']}/intake",
                    {**INTAKE, "intake_type": "forenklad_handlaggning", "reason": "Ny ansökan"}, token=cw)
        # THEN the case is under investigation, the intake recorded with the caller as case worker
        assert r.status == 200, r.json
        assert (r.json["status"], r.json["status_label"]) == ("in_progress", "Under utredning")
        intake = r.json["intake"]
        assert (intake["intake_type_label"], intake["case_worker_id"], intake["case_worker_name"]) == (
            "Förenklad handläggning", cw_id, "Marita Aronsson")
        assert (intake["organisation"], intake["channel"], intake["from_whom"]) == ("Testenhet", "e_ansokan",
                                                                                    "den_enskilde")
        assert [h["status"] for h in r.json["history"]] == ["submitted", "received", "in_progress"]
        # AND the application's PDF still belongs to the case
        assert [d["kind"] for d in r.json["documents"]] == ["submission_pdf"]
        # AND the citizen sees the new status on Mina sidor
        mine = es.get(f"/my/cases/{receipt['case_id']}", token=tok).json
        assert mine["status_label"] == "Under utredning"
        # AND notify is asked to alert the citizen through the alerts set with messaging (phone 2 only,
        # which notify learnt from the settings), naming no address and nothing of the case
        [event] = events("notify-inbox", recipient={"kind": "person", "ref": pnr})
        assert (event["event_type"], event["payload"]["template"], event["payload"]["preferences"],
                event["payload"]["params"]) == ("notification.requested", "case.status_changed", "alerts", {})
        assert receipt["case_number"] not in json.dumps(event)
        # AND the intake is audited as a change of this person's data
        record = next(r for r in audit_of(person=pnr) if r.action == "intake.create")
        assert (record.actor, record.kind, record.purpose) == (f"case_worker:{cw_id}", "change",
                                                               "Aktualisering av ärende")

    def test_begaran_lss_with_its_insatser(self, app_client, token):
        es = app_client("eservices")
        _, _, receipt = new_application(es, token, area="lss", sol_insats=None, lss_insatser=["kontaktperson"])
        _, cw = case_worker(token)
        r = es.post(f"/cases/{receipt['case_id']}/intake",
                    {**INTAKE, "intake_type": "begaran_lss", "lss_insatser": ["kontaktperson", "ledsagarservice"],
                     "case_worker_id": "hl-other", "case_worker_name": "Karin Andersson"}, token=cw)
        assert r.status == 200, r.json
        assert r.json["intake"]["lss_insatser"] == ["kontaktperson", "ledsagarservice"]
        assert r.json["intake"]["case_worker_id"] == "hl-other"

    def test_without_alert_settings_the_status_change_alerts_no_one(self, app_client, token):
        es = app_client("eservices")
        _, _, receipt = new_application(es, token)
        _, cw = case_worker(token)
        clear("notify-inbox")
        assert es.post(f"/cases/{receipt['case_id']}/intake", INTAKE, token=cw).status == 200
        [event] = events("notify-inbox", template="case.status_changed")
        # notify has no alert preferences for this citizen: it sends nothing
        from services.notify.bootstrap import deps as notify
        from services.contracts.events import Recipient

        assert notify().preferences.find(Recipient.model_validate(event["payload"]["recipient"]),
                                         "alerts") is None

    @pytest.mark.parametrize("change,field", [
        ({"intake_type": "begaran_lss"}, "lss_insatser"),
        ({"intake_type": "ansokan_sol", "lss_insatser": ["kontaktperson"]}, "lss_insatser"),
        ({"intake_type": "begaran_lss", "lss_insatser": ["hemtjanst"]}, "lss_insatser.0"),
        ({"intake_type": "begaran_lss", "lss_insatser": ["kontaktperson", "kontaktperson"]}, "lss_insatser"),
        ({"intake_type": "ansökan"}, "intake_type"),
        ({"organisation": ""}, "organisation"),
        ({"channel": "papper"}, "channel"),
        ({"channel": "telefon"}, "channel"),  # an e-application came as one; POST /cases registers the others
        ({"from_whom": "grannen"}, "from_whom"),
        ({"note": "x" * 4001}, "note"),
        ({"unknown": 1}, "unknown"),
    ])
    def test_bad_intake_names_the_field_and_stores_nothing(self, app_client, token, change, field):
        # GIVEN a submitted application
        es = app_client("eservices")
        pnr, _, receipt = new_application(es, token)
        _, cw = case_worker(token)
        before = case_item(receipt["case_id"])
        # WHEN the intake has a bad field
        r = es.post(f"/cases/{receipt['case_id']}/intake", {**INTAKE, **change}, token=cw)
        # THEN 422 names it, and the case, the audit trail and the status stay as they were
        assert r.status == 422 and r.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in r.json["errors"]], r.json
        assert case_item(receipt["case_id"]) == before
        assert "intake.create" not in actions_on(pnr)

    def test_a_second_intake_is_a_conflict(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        pnr, _, receipt = taken_in(es, token, cw)
        before = case_item(receipt["case_id"])
        r = es.post(f"/cases/{receipt['case_id']}/intake", INTAKE, token=cw)
        assert r.status == 409
        assert case_item(receipt["case_id"]) == before
        assert actions_on(pnr).count("intake.create") == 1

    def test_an_unknown_case_is_404(self, app_client, token):
        _, cw = case_worker(token)
        assert app_client("eservices").post(f"/cases/{uuid.uuid4()}/intake", INTAKE, token=cw).status == 404


class TestDecisions:
    def test_a_decision_per_insats_is_published_to_mina_sidor_with_a_letter(self, app_client, token):
        # GIVEN an application taken in, for a citizen with e-mail alerts
        es = app_client("eservices")
        cw_id, cw = case_worker(token)
        pnr, tok, receipt = taken_in(es, token, cw)
        enable_messaging(es, cw, pnr, email_alert=True, email="annika@example.se")
        for q in ("notify-inbox", "visits-inbox", "billing-inbox", "reports-inbox"):
            clear(q)
        # WHEN the case worker grants the home care applied for
        r = es.post(f"/cases/{receipt['case_id']}/decisions",
                    {"decisions": [HOME_CARE], "letter_text": "Välkommen att höra av dig."}, token=cw)
        # THEN the case is decided with the decision and a decision letter
        assert r.status == 201, r.json
        assert r.json["status"] == "decided"
        got = {d["insats"]: d for d in r.json["decisions"]}
        assert (got["hemtjanst"]["outcome"], got["hemtjanst"]["granted_minutes_per_month"],
                got["hemtjanst"]["law"]) == ("granted", 1200, "SoL")
        letter = next(d for d in r.json["documents"] if d["kind"] == "decision_letter")
        # AND the citizen sees the decisions and downloads the letter on Mina sidor
        mine = es.get(f"/my/cases/{receipt['case_id']}", token=tok).json
        assert mine["status_label"] == "Beslutad" and len(mine["decisions"]) == 1
        link = next(d for d in mine["documents"] if d["document_id"] == letter["document_id"])
        pdf = es.get(link["url"].removeprefix("/eservices"), token=tok, headers=PDF)
        assert pdf.status == 200 and pdf.body.startswith(b"%PDF")
        # AND one decision.published per insats reaches visits (the source of granted time) and billing
        for queue in ("visits-inbox", "billing-inbox", "reports-inbox"):
            published = events(queue, case_id=receipt["case_id"])
            assert sorted((e["payload"]["insats"], e["payload"]["outcome"],
                           e["payload"]["granted_minutes_per_month"]) for e in published) == [
                ("hemtjanst", "granted", 1200)]
            assert all(e["payload"]["client"] == pnr for e in published)
            # the envelopes keep the contract the consumers parse
            assert all(isinstance(Envelope.model_validate(e).parse(), DecisionPublished) for e in published)
            # AND it is v2: without a breakdown, one line of the decided insats with its minutes
            parsed = [Envelope.model_validate(e).parse() for e in published]
            assert [e["version"] for e in published] == [2] and isinstance(parsed[0], DecisionPublishedV2)
            assert [(g.insats, g.minutes_per_month) for g in parsed[0].granted] == [("hemtjanst", 1200)]
        # AND the citizen is alerted once, by e-mail, with no content
        notify = events("notify-inbox")
        requested = [e for e in notify if e["event_type"] == "notification.requested"
                     and e["payload"]["template"] == "decision.published"]
        assert len(requested) == 1 and requested[0]["payload"]["recipient"] == {"kind": "person", "ref": pnr}
        assert (requested[0]["payload"]["preferences"], requested[0]["payload"]["params"]) == ("alerts", {})
        # AND the decision is audited as a change by this case worker
        assert any(r.action == "decision.create" and r.actor == f"case_worker:{cw_id}" for r in audit_of(person=pnr))

    def test_granted_home_care_is_published_per_insats_with_the_provider(self, app_client, token):
        # GIVEN an application taken in
        es = app_client("eservices")
        _, cw = case_worker(token)
        _, _, receipt = taken_in(es, token, cw)
        clear("visits-inbox")
        # WHEN the case worker grants home care broken down per insats, for a provider, in social psychiatry
        grant = {**HOME_CARE, "granted": [{"insats": "personlig_omsorg", "minutes_per_month": 900},
                                          {"insats": "service", "minutes_per_month": 300}],
                 "provider_id": "prov-1", "social_psychiatry": True}
        r = es.post(f"/cases/{receipt['case_id']}/decisions", {"decisions": [grant]}, token=cw)
        assert r.status == 201, r.json
        # THEN visits gets decision.published v2 with the lines, the provider and the target group
        [published] = events("visits-inbox", case_id=receipt["case_id"])
        got = Envelope.model_validate(published).parse()
        assert isinstance(got, DecisionPublishedV2) and published["version"] == 2
        assert [(g.insats, g.minutes_per_month) for g in granted_lines(got)] == [("personlig_omsorg", 900),
                                                                                 ("service", 300)]
        assert (got.granted_minutes_per_month, got.provider_id, got.social_psychiatry) == (1200, "prov-1", True)

    def test_the_citizen_reads_the_granted_time_per_insats_and_the_law_cited(self, app_client, token, issuer):
        from tests.integration.web.helpers import login, text

        # GIVEN an application taken in
        es = app_client("eservices")
        _, cw = case_worker(token)
        pnr, tok, receipt = taken_in(es, token, cw)
        # WHEN home care is granted as 10 hours a month, broken down per home-care insats
        grant = {**HOME_CARE, "granted_minutes_per_month": 600,
                 "granted": [{"insats": "personlig_omsorg", "minutes_per_month": 450},
                             {"insats": "service", "minutes_per_month": 150}]}
        r = es.post(f"/cases/{receipt['case_id']}/decisions", {"decisions": [grant]}, token=cw)
        assert r.status == 201, r.json
        # THEN the my/cases API gives the time per insats and the law in force today
        [mine] = es.get(f"/my/cases/{receipt['case_id']}", token=tok).json["decisions"]
        assert mine["granted_minutes_per_month"] == 600
        assert [(g["insats"], g["label"], g["minutes_per_month"]) for g in mine["granted"]] == [
            ("personlig_omsorg", "Personlig omsorg", 450), ("service", "Serviceinsatser", 150)]
        assert mine["law_reference"] == "socialtjänstlagen (2025:400)"
        # AND the case page on Mina sidor shows the total, each insats' time and the law
        browser, _, _ = login(es, issuer, role="citizen", pnr=pnr)
        page = browser.get(f"/web/mina-sidor/arenden/{receipt['case_id']}")
        assert page.status == 200
        shown = text(page)
        for expected in ("10 timmar", "Personlig omsorg: 7 timmar 30 minuter", "Serviceinsatser: 2 timmar 30 minuter",
                         "socialtjänstlagen (2025:400)"):
            assert expected in shown, expected

    def test_a_later_decision_adds_to_a_decided_case(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        _, _, receipt = taken_in(es, token, cw)
        assert es.post(f"/cases/{receipt['case_id']}/decisions", {"decisions": [HOME_CARE_REFUSED]},
                       token=cw).status == 201
        r = es.post(f"/cases/{receipt['case_id']}/decisions", {"decisions": [HOME_CARE]}, token=cw)
        assert r.status == 201 and r.json["status"] == "decided"
        assert [(d["insats"], d["outcome"]) for d in r.json["decisions"]] == [("hemtjanst", "refused"),
                                                                              ("hemtjanst", "granted")]
        assert [h["status"] for h in r.json["history"]].count("decided") == 1

    def test_before_intake_no_decision(self, app_client, token):
        es = app_client("eservices")
        pnr, _, receipt = new_application(es, token)
        _, cw = case_worker(token)
        before = case_item(receipt["case_id"])
        r = es.post(f"/cases/{receipt['case_id']}/decisions", {"decisions": [HOME_CARE]}, token=cw)
        assert r.status == 409 and "aktualisering" in r.json["detail"]
        assert case_item(receipt["case_id"]) == before
        assert "decision.create" not in actions_on(pnr)

    @pytest.mark.parametrize("decisions,field", [
        ([{**HOME_CARE, "granted_minutes_per_month": None}], "decisions.0.granted_minutes_per_month"),
        ([{**HOME_CARE, "granted_minutes_per_month": 0}], "decisions.0.granted_minutes_per_month"),
        ([{**HOME_CARE, "granted_minutes_per_month": 90.5}], "decisions.0.granted_minutes_per_month"),
        ([{**HOME_CARE, "granted_minutes_per_month": 31 * 24 * 60 + 1}], "decisions.0.granted_minutes_per_month"),
        ([{**ALARM_REFUSED, "granted_minutes_per_month": 60}], "decisions.0.granted_minutes_per_month"),
        ([ALARM_REFUSED], "decisions.0.insats"),  # a safety alarm was not applied for
        ([HOME_CARE, {**ALARM_REFUSED, "insats": "kontaktperson"}], "decisions.1.insats"),
        ([{**HOME_CARE, "outcome": "refused"}], "decisions.0.granted_minutes_per_month"),
        ([{**HOME_CARE, "valid_to": (TODAY - timedelta(days=1)).isoformat()}], "decisions.0.valid_to"),
        ([{**HOME_CARE, "insats": "städning"}], "decisions.0.insats"),
        ([{**HOME_CARE, "outcome": "maybe"}], "decisions.0.outcome"),
        ([{k: v for k, v in HOME_CARE.items() if k != "valid_from"}], "decisions.0.valid_from"),
        ([HOME_CARE, HOME_CARE], "decisions"),
        ([{**HOME_CARE, "granted": [{"insats": "service", "minutes_per_month": 100}]}], "decisions.0.granted"),
        ([{**HOME_CARE, "granted": [{"insats": "service", "minutes_per_month": 600}] * 2}], "decisions.0.granted"),
        ([{**HOME_CARE, "granted": [{"insats": "trygghetslarm", "minutes_per_month": 1200}]}],
         "decisions.0.granted.0.insats"),
        ([{**HOME_CARE_REFUSED, "granted": [{"insats": "service", "minutes_per_month": 60}]}], "decisions.0.granted"),
        ([{**HOME_CARE_REFUSED, "provider_id": "prov-1"}], "decisions.0.provider_id"),
        ([{**HOME_CARE, "provider_id": "prov 1; drop"}], "decisions.0.provider_id"),
        ([{**HOME_CARE_REFUSED, "social_psychiatry": True}], "decisions.0.social_psychiatry"),
        ([], "decisions"),
    ])
    def test_bad_decisions_name_the_field_and_store_nothing(self, app_client, token, decisions, field):
        # GIVEN an application taken in
        es = app_client("eservices")
        _, cw = case_worker(token)
        pnr, _, receipt = taken_in(es, token, cw)
        before = case_item(receipt["case_id"])
        clear("visits-inbox")
        # WHEN the decision has a bad field
        r = es.post(f"/cases/{receipt['case_id']}/decisions", {"decisions": decisions}, token=cw)
        # THEN 422 names it; no decision, letter, event or audit record is stored
        assert r.status == 422, r.json
        assert field in [e["field"] for e in r.json["errors"]], r.json
        assert case_item(receipt["case_id"]) == before
        assert events("visits-inbox", case_id=receipt["case_id"]) == []
        assert "decision.create" not in actions_on(pnr)
        listed = client("s3").list_objects_v2(Bucket=deps().documents.bucket,
                                                          Prefix=f"cases/{receipt['case_id']}/decisions/")
        assert listed.get("KeyCount", 0) == 0

    def test_people_cannot_decide(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        pnr, tok, receipt = taken_in(es, token, cw)
        assert es.post(f"/cases/{receipt['case_id']}/decisions", {"decisions": [HOME_CARE]}, token=tok).status == 403
        assert case_item(receipt["case_id"])["status"] == "in_progress"


class StaleRead:
    """The real dependencies, except that the case repository answers with a copy read earlier."""

    def __init__(self, real, stale):
        self._real, self._stale = real, stale

    def __getattr__(self, name):
        return getattr(self._real, name)

    @property
    def cases(self):
        stale, real = self._stale, self._real.cases

        class StaleCases:
            def get(self, case_id):
                return stale

            def save_in(self, uow, case, *, expected_version):
                return real.save_in(uow, case, expected_version=expected_version)

        return StaleCases()


class TestConcurrentChanges:
    def test_a_case_changed_meanwhile_refuses_the_intake_and_its_audit_record(self, app_client, token):
        # GIVEN a case worker who read the case, and then someone else changed it
        es = app_client("eservices")
        pnr, _, receipt = new_application(es, token)
        _, cw = case_worker(token)
        stale = deps().cases.get(receipt["case_id"])
        eservices_table().update_item(Key={"pk": f"CASE#{receipt['case_id']}", "sk": "CASE"},
                                 UpdateExpression="SET version = version + :one",
                                 ExpressionAttributeValues={":one": 1})
        call = Call(principal=principal_from_headers({"authorization": f"Bearer {cw}"}), headers={})
        # WHEN the intake is written from the copy read before THEN 409, and neither the change
        # nor its audit record is stored
        with pytest.raises(Conflict):
            intake.take_in(StaleRead(deps(), stale), call.who, receipt["case_id"], IntakeRequest(**INTAKE))
        assert case_item(receipt["case_id"])["status"] == "submitted"
        assert "intake.create" not in actions_on(pnr)


class TestOneGrantPerPeriod:
    def test_a_second_grant_of_an_insats_in_the_same_dates_is_a_conflict(self, app_client, token):
        # GIVEN home care granted for a year
        es = app_client("eservices")
        _, cw = case_worker(token)
        _, _, receipt = taken_in(es, token, cw)
        assert es.post(f"/cases/{receipt['case_id']}/decisions", {"decisions": [HOME_CARE]}, token=cw).status == 201
        before = case_item(receipt["case_id"])
        clear("visits-inbox")
        # WHEN the same grant comes again (a double click) THEN 409 and nothing more is granted or emitted
        r = es.post(f"/cases/{receipt['case_id']}/decisions", {"decisions": [HOME_CARE]}, token=cw)
        assert r.status == 409 and "already granted" in r.json["detail"]
        assert case_item(receipt["case_id"]) == before
        assert events("visits-inbox", case_id=receipt["case_id"]) == []
        # AND a grant for the period after the first ends is a new decision
        after = (TODAY + timedelta(days=366)).isoformat()
        nxt = es.post(f"/cases/{receipt['case_id']}/decisions",
                      {"decisions": [{**HOME_CARE, "valid_from": after, "valid_to": None}]}, token=cw)
        assert nxt.status == 201 and len(nxt.json["decisions"]) == 2


class TestWhatWasAppliedFor:
    def test_an_lss_case_decides_what_was_taken_in_and_cannot_grant_home_care(self, app_client, token):
        # GIVEN an LSS request for a contact person, taken in with escort service too
        es = app_client("eservices")
        _, cw = case_worker(token)
        pnr, tok, receipt = new_application(es, token, **LSS_APPLICATION)
        assert es.post(f"/cases/{receipt['case_id']}/intake", LSS_INTAKE, token=cw).status == 200
        before = case_item(receipt["case_id"])
        clear("visits-inbox")
        # WHEN the case worker grants home care on it THEN 422 names the insats, and nothing flows to visits
        r = es.post(f"/cases/{receipt['case_id']}/decisions", {"decisions": [HOME_CARE]}, token=cw)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["decisions.0.insats"]
        assert case_item(receipt["case_id"]) == before
        assert events("visits-inbox", case_id=receipt["case_id"]) == []
        # AND what was taken in is decided, one granted and one refused
        granted = {"insats": "kontaktperson", "outcome": "granted", "valid_from": TODAY.isoformat()}
        refused = {"insats": "ledsagarservice", "outcome": "refused", "valid_from": TODAY.isoformat()}
        r = es.post(f"/cases/{receipt['case_id']}/decisions", {"decisions": [granted, refused]}, token=cw)
        assert r.status == 201, r.json
        assert sorted((d["insats"], d["outcome"], d["law"]) for d in r.json["decisions"]) == [
            ("kontaktperson", "granted", "LSS"), ("ledsagarservice", "refused", "LSS")]
        published = events("visits-inbox", case_id=receipt["case_id"])
        assert sorted((e["payload"]["insats"], e["payload"]["outcome"]) for e in published) == [
            ("kontaktperson", "granted"), ("ledsagarservice", "refused")]

    def test_a_report_is_not_an_application_and_is_not_taken_in(self, app_client, token):
        from tests.integration.eservices.helpers import fresh_contact_person, monthly_answers, submitted_case

        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        receipt = submitted_case(es, tok, "contact-monthly-report", monthly_answers(pnr))
        _, cw = case_worker(token)
        before = case_item(receipt["case_id"])
        r = es.post(f"/cases/{receipt['case_id']}/intake", INTAKE, token=cw)
        assert r.status == 409 and "not an application" in r.json["detail"]
        assert case_item(receipt["case_id"]) == before
        assert "intake.create" not in actions_on(pnr)

    @pytest.mark.parametrize("ansokan,intake_type", [
        (LSS_APPLICATION, "ansokan_sol"),
        ({}, "begaran_lss"),
        ({"area": "forsorjningsstod", "sol_insats": None}, "forenklad_handlaggning"),
    ])
    def test_the_intake_type_fits_the_application(self, app_client, token, ansokan, intake_type):
        es = app_client("eservices")
        _, cw = case_worker(token)
        _, _, receipt = new_application(es, token, **ansokan)
        body = {**INTAKE, "intake_type": intake_type}
        if intake_type == "begaran_lss":
            body["lss_insatser"] = ["kontaktperson"]
        r = es.post(f"/cases/{receipt['case_id']}/intake", body, token=cw)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["intake_type"], r.json
        assert case_item(receipt["case_id"])["status"] == "submitted"


PHONE_CALL = {"intake_type": "ansokan_sol", "organisation": "Testenhet", "from_whom": "narstaende",
              "channel": "telefon", "first_name": "Test", "last_name": "Testsson", "area": "sol_aldre",
              "sol_insats": "hemtjanst", "need": "Sonen ringde: behöver hjälp med inköp och städning",
              "note": "Samtal 09.40"}


class TestRegistrationFromAnotherChannel:
    def test_a_phone_application_is_registered_taken_in_and_seen_on_mina_sidor(self, app_client, token):
        # GIVEN a person who has never used the e-service
        es = app_client("eservices")
        cw_id, cw = case_worker(token)
        pnr, tok = fresh_citizen(token)
        # WHEN a case worker registers the application her son phoned in
        r = es.post("/cases", {**PHONE_CALL, "personnummer": pnr}, token=cw)
        # THEN 201: a numbered case under investigation, taken in by the caller, with how it came
        assert r.status == 201, r.json
        case_id = r.json["case_id"]
        assert (r.json["status"], r.json["category"]) == ("in_progress", "Hemtjänst insatser")
        intake = r.json["intake"]
        assert (intake["channel"], intake["channel_label"], intake["from_whom"], intake["from_whom_label"],
                intake["case_worker_id"]) == ("telefon", "Telefon", "narstaende", "Anhörig / närstående", cw_id)
        assert case_item(case_id)["owner"] == pnr
        # AND the person sees it on Mina sidor
        assert [c["case_id"] for c in es.get("/my/cases", token=tok).json] == [case_id]
        assert es.get(f"/my/cases/{case_id}", token=tok).json["status_label"] == "Under utredning"
        # AND it is audited as a change of this person's data, and home care can be decided on it
        assert actions_on(pnr) == ["intake.create"]
        assert es.post(f"/cases/{case_id}/decisions", {"decisions": [HOME_CARE]}, token=cw).status == 201

    @pytest.mark.parametrize("change,field", [
        ({"channel": "e_ansokan"}, "channel"),
        ({"channel": "fax"}, "channel"),
        ({"from_whom": "granne"}, "from_whom"),
        ({"personnummer": "19121212121"}, "personnummer"),
        ({"area": "lss"}, "sol_insats"),
        ({"need": "  "}, "need"),
        ({"intake_type": "begaran_lss", "lss_insatser": ["kontaktperson"]}, "intake_type"),
        ({"first_name": "Rad\u202eett"}, "first_name"),
    ])
    def test_a_bad_registration_names_the_field_and_stores_nothing(self, app_client, token, change, field):
        es = app_client("eservices")
        _, cw = case_worker(token)
        pnr, tok = fresh_citizen(token)
        r = es.post("/cases", {**PHONE_CALL, "personnummer": pnr, **change}, token=cw)
        assert r.status == 422 and r.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in r.json["errors"]] == [field], r.json
        assert es.get("/my/cases", token=tok).json == [] and actions_on(pnr) == []

    def test_only_case_workers_register(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        assert es.post("/cases", {**PHONE_CALL, "personnummer": pnr}, token=tok).status == 403
        assert es.get("/my/cases", token=tok).json == []
