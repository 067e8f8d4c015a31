"""Names against the population register, and protected identity in the inbox and the case view."""
from datetime import date

from tests.integration.casework.helpers import INTAKE, case_item, case_worker
from tests.integration.eservices.helpers import ANNIKA, JOSEFINE, SAM, application_answers, submitted_case
from tests.support.people import new_pnr

TODAY = date.today().isoformat()


def error_fields(r):
    assert r.status == 422 and r.headers["content-type"] == "application/problem+json", (r.status, r.json)
    return {e["field"]: e["detail"] for e in r.json["errors"]}


class TestNamesAgainstTheRegister:
    def test_messaging_with_another_name_than_the_registers_is_refused_naming_the_field(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        # WHEN a case worker switches messaging on for Annika Test under another first name
        r = es.put("/messaging/settings", {"citizen": ANNIKA, "first_name": "Anna", "last_name": "Test",
                                           "enabled": True}, token=cw)
        # THEN 422 names the field and shows the registered name
        errors = error_fields(r)
        assert list(errors) == ["first_name"] and "Annika Test" in errors["first_name"]
        # AND the register's spelling is what is stored when the name matches (case and spacing aside)
        ok = es.put("/messaging/settings", {"citizen": ANNIKA, "first_name": " annika", "last_name": "TEST",
                                            "enabled": True}, token=cw)
        assert ok.status == 200, ok.json
        assert ok.json["name"] == "Annika Test"
        found = es.get("/messaging/citizens?name=annika", token=cw).json
        assert {"citizen": ANNIKA, "name": "Annika Test"} in found

    def test_a_relative_with_a_wrong_name_is_not_approved(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        body = {"citizen": {"personnummer": ANNIKA, "first_name": "Annika", "last_name": "Test"},
                "relative": {"personnummer": JOSEFINE, "first_name": "Josefine", "last_name": "Andersson"},
                "valid_from": TODAY, "consent_recorded": True}
        before = es.get(f"/relatives?relative={JOSEFINE}", token=cw).json
        errors = error_fields(es.post("/relatives", body, token=cw))
        assert list(errors) == ["relative.last_name"] and "Josefine Test" in errors["relative.last_name"]
        assert es.get(f"/relatives?relative={JOSEFINE}", token=cw).json == before  # nothing approved

    def test_a_protected_persons_registered_name_is_never_shown_in_the_error(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        r = es.put("/messaging/settings", {"citizen": SAM, "first_name": "Kim", "last_name": "Okänd",
                                           "enabled": False}, token=cw)
        errors = error_fields(r)
        assert set(errors) == {"first_name", "last_name"}
        assert "Sam" not in r.body.decode() and "Skyddad" not in r.body.decode()

    def test_a_person_the_register_does_not_know_keeps_the_typed_name(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        pnr = new_pnr()
        r = es.put("/messaging/settings", {"citizen": pnr, "first_name": "Okänd", "last_name": "Person",
                                           "enabled": True}, token=cw)
        assert r.status == 200 and r.json["name"] == "Okänd Person"


class TestProtectedIdentity:
    def submitted_by_sam(self, es, token):
        tok = token("citizen", personnummer=SAM)
        answers = application_answers(SAM)
        answers["om_dig"].update(first_name="Sam", last_name="Skyddad", street="Hemlig gata 9")
        return submitted_case(es, tok, "support-application", answers, key=f"sam-{new_pnr()}")

    def test_the_inbox_lists_no_protected_name_and_the_case_shows_it_only_to_the_assigned_case_worker(
            self, app_client, token):
        es = app_client("eservices")
        receipt = self.submitted_by_sam(es, token)
        assigned_id, assigned = case_worker(token, name="Tilldelad Handläggare")
        _, other = case_worker(token, name="Annan Handläggare")
        # WHEN any case worker lists the inbox THEN the row has the masked name, not Sam's
        rows = [r for r in es.get(f"/inbox?status=new&from={_today()}&to={_today()}&limit=100", token=other).json["items"]
                if r["case_id"] == receipt["case_id"]]
        assert [(r["name"], r["protected_identity"]) for r in rows] == [("Skyddad identitet", True)]
        # AND before intake no one sees the name, the address or the application's PDF
        case = es.get(f"/cases/{receipt['case_id']}", token=other)
        assert case.json["name"] == "Skyddad identitet" and "om_dig" not in case.json["answers"]
        assert "Hemlig" not in case.body.decode() and "Sam" not in case.body.decode()
        pdf = case.json["documents"][0]["url"].removeprefix("/eservices")
        assert es.get(pdf, token=other).status == 403
        # WHEN the case is taken in and assigned to one case worker
        r = es.post(f"/cases/{receipt['case_id']}/intake", {**INTAKE, "case_worker_id": assigned_id}, token=other)
        assert r.status == 200 and r.json["name"] == "Skyddad identitet"  # the caller is not the assigned one
        # THEN the assigned case worker sees the name and the answers, and the others still do not
        mine = es.get(f"/cases/{receipt['case_id']}", token=assigned).json
        assert mine["name"] == "Skyddad, Sam" and mine["answers"]["om_dig"]["street"] == "Hemlig gata 9"
        assert es.get(pdf, token=assigned, headers={"Accept": "application/pdf"}).status == 200
        assert es.get(f"/cases/{receipt['case_id']}", token=other).json["name"] == "Skyddad identitet"
        assert es.get(pdf, token=other).status == 403
        assert case_item(receipt["case_id"])["protected_identity"] is True

    def test_other_people_are_listed_by_name(self, app_client, token):
        es = app_client("eservices")
        pnr = new_pnr()
        receipt = submitted_case(es, token("citizen", personnummer=pnr), "support-application",
                                 application_answers(pnr))
        _, cw = case_worker(token)
        rows = [r for r in es.get(f"/inbox?status=new&from={_today()}&to={_today()}&limit=100", token=cw).json["items"] if r["case_id"] == receipt["case_id"]]
        assert [(r["name"], r["protected_identity"]) for r in rows] == [("Testsson, Test", False)]


def test_a_protected_person_is_not_found_by_name_in_the_messaging_search(app_client, token):
    es = app_client("eservices")
    _, cw = case_worker(token)
    assert es.put("/messaging/settings", {"citizen": SAM, "first_name": "Sam", "last_name": "Skyddad",
                                          "enabled": True}, token=cw).status == 200
    assert all(c["citizen"] != SAM for c in es.get("/messaging/citizens?name=sam", token=cw).json)
    listed = [c for c in es.get("/messaging/citizens", token=cw).json if c["citizen"] == SAM]
    assert listed == [{"citizen": SAM, "name": "Skyddad identitet"}]


def _today() -> str:
    """Today's new applications only: other tests of this worker's store may have cases dated later."""
    from datetime import datetime, timezone

    from services.domain.calendar import stockholm_date

    return stockholm_date(datetime.now(timezone.utc)).isoformat()
