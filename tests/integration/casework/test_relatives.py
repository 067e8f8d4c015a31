"""Approving relatives: recorded consent, dates, a note; list, change, end. Inside the dates the
relative acts for the citizen (X-Acting-For); outside them, or once ended, nothing."""
from datetime import date, timedelta

import pytest

from services.eservices.bootstrap import deps
from tests.integration.casework.helpers import actions_on, audit_of, case_worker, new_application
from tests.support.people import new_pnr

TODAY = date.today()


def approval(citizen, relative, **changes):
    body = {"citizen": {"personnummer": citizen, "first_name": "Annika", "last_name": "Test"},
            "relative": {"personnummer": relative, "first_name": "Josefine", "last_name": "Test"},
            "valid_from": TODAY.isoformat(), "valid_to": (TODAY + timedelta(days=365)).isoformat(),
            "note": "Samtycke inhämtat muntligt", "consent_recorded": True}
    body.update(changes)
    return body


def acting(citizen):
    return {"X-Acting-For": citizen}


class TestApprove:
    def test_an_approved_relative_acts_for_the_citizen_inside_the_dates(self, app_client, token):
        # GIVEN a citizen with a submitted application and a relative without approval
        es = app_client("eservices")
        citizen, _, receipt = new_application(es, token)
        relative = new_pnr()
        rtok = token("relative", personnummer=relative)
        assert es.get("/my/cases", token=rtok, headers=acting(citizen)).status == 403
        cw_id, cw = case_worker(token)
        # WHEN a case worker approves the relative after recorded consent
        r = es.post("/relatives", approval(citizen, relative), token=cw)
        # THEN the approval is in force today
        assert r.status == 201, r.json
        assert (r.json["active_today"], r.json["consent_recorded"], r.json["relative_name"]) == (
            True, True, "Josefine Test")
        # AND the relative reads the citizen's cases
        cases = es.get("/my/cases", token=rtok, headers=acting(citizen))
        assert cases.status == 200 and [c["case_id"] for c in cases.json] == [receipt["case_id"]]
        # AND the approval is audited for both the citizen and the relative
        for person in (citizen, relative):
            assert any(r.action == "relative.create" and r.actor == f"case_worker:{cw_id}"
                       for r in audit_of(person=person))

    def test_list_by_citizen_or_relative(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        citizen, relative, other = new_pnr(), new_pnr(), new_pnr()
        first = es.post("/relatives", approval(citizen, relative), token=cw).json
        second = es.post("/relatives", approval(citizen, other), token=cw).json
        assert {a["approval_id"] for a in es.get(f"/relatives?citizen={citizen}", token=cw).json} == {
            first["approval_id"], second["approval_id"]}
        assert [a["approval_id"] for a in es.get(f"/relatives?relative={other}", token=cw).json] == [
            second["approval_id"]]
        r = es.get("/relatives", token=cw)
        assert r.status == 422 and r.json["errors"][0]["field"] == "query.citizen"
        assert "relative.read" in actions_on(other)

    @pytest.mark.parametrize("change,field", [
        ({"consent_recorded": False}, "consent_recorded"),
        ({"consent_recorded": None}, "consent_recorded"),
        ({"valid_to": (TODAY - timedelta(days=1)).isoformat()}, "valid_to"),
        ({"valid_from": "i morgon"}, "valid_from"),
        ({"note": "x" * 4001}, "note"),
    ])
    def test_bad_input_names_the_field_and_approves_nothing(self, app_client, token, change, field):
        es = app_client("eservices")
        _, cw = case_worker(token)
        citizen, relative = new_pnr(), new_pnr()
        body = approval(citizen, relative)
        body.update(change)
        r = es.post("/relatives", body, token=cw)
        assert r.status == 422 and field in [e["field"] for e in r.json["errors"]], r.json
        assert deps().approvals.of_citizen(citizen) == []
        assert actions_on(citizen) == []

    def test_consent_is_required(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        body = approval(new_pnr(), new_pnr())
        del body["consent_recorded"]
        r = es.post("/relatives", body, token=cw)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["consent_recorded"]

    def test_nobody_is_their_own_relative_and_personnummer_are_checked(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        same = new_pnr()
        r = es.post("/relatives", approval(same, same), token=cw)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["relative"]
        bad = approval(new_pnr(), new_pnr())
        bad["relative"]["personnummer"] = "19860826-1966"
        r = es.post("/relatives", bad, token=cw)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["relative.personnummer"]

    def test_one_approval_per_pair_at_a_time(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        citizen, relative = new_pnr(), new_pnr()
        assert es.post("/relatives", approval(citizen, relative), token=cw).status == 201
        assert es.post("/relatives", approval(citizen, relative, valid_to=None), token=cw).status == 409
        assert len(deps().approvals.of_citizen(citizen)) == 1


class TestChangeAndEnd:
    def test_dates_moved_into_the_future_shut_the_relative_out(self, app_client, token):
        # GIVEN an approval in force
        es = app_client("eservices")
        citizen, _, _ = new_application(es, token)
        relative = new_pnr()
        rtok = token("relative", personnummer=relative)
        _, cw = case_worker(token)
        a = es.post("/relatives", approval(citizen, relative), token=cw).json
        assert es.get("/my/cases", token=rtok, headers=acting(citizen)).status == 200
        # WHEN the case worker moves it to begin tomorrow
        r = es.patch(f"/relatives/{a['approval_id']}",
                     {"version": 1, "valid_from": (TODAY + timedelta(days=1)).isoformat(), "note": "Från i morgon"},
                     token=cw)
        # THEN it is not in force today and the relative can do nothing for the citizen
        assert r.status == 200, r.json
        assert (r.json["active_today"], r.json["note"], r.json["version"]) == (False, "Från i morgon", 2)
        assert es.get("/my/cases", token=rtok, headers=acting(citizen)).status == 403
        assert es.get("/my/messages", token=rtok, headers=acting(citizen)).status == 403
        # AND a stale version is refused
        assert es.patch(f"/relatives/{a['approval_id']}", {"version": 1, "note": "x"}, token=cw).status == 409
        assert "relative.change" in actions_on(citizen)

    def test_an_approval_that_ended_yesterday_opens_nothing(self, app_client, token):
        es = app_client("eservices")
        citizen, _, _ = new_application(es, token)
        relative = new_pnr()
        _, cw = case_worker(token)
        a = es.post("/relatives", approval(citizen, relative,
                                           valid_from=(TODAY - timedelta(days=30)).isoformat(),
                                           valid_to=(TODAY - timedelta(days=1)).isoformat()), token=cw)
        assert a.status == 201 and a.json["active_today"] is False
        rtok = token("relative", personnummer=relative)
        assert es.get("/my/cases", token=rtok, headers=acting(citizen)).status == 403

    def test_ending_shuts_the_relative_out_today(self, app_client, token):
        es = app_client("eservices")
        citizen, _, _ = new_application(es, token)
        relative = new_pnr()
        rtok = token("relative", personnummer=relative)
        _, cw = case_worker(token)
        a = es.post("/relatives", approval(citizen, relative), token=cw).json
        ended = es.post(f"/relatives/{a['approval_id']}/end", token=cw)
        assert ended.status == 200 and ended.json["ended_at"] and ended.json["active_today"] is False
        assert es.get("/my/cases", token=rtok, headers=acting(citizen)).status == 403
        assert es.post(f"/relatives/{a['approval_id']}/end", token=cw).status == 409
        assert es.patch(f"/relatives/{a['approval_id']}", {"version": 2, "note": "x"}, token=cw).status == 409
        assert "relative.end" in actions_on(relative)
        # a new approval may follow an ended one
        assert es.post("/relatives", approval(citizen, relative), token=cw).status == 201

    def test_an_unknown_approval_is_404(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        assert es.post("/relatives/00000000-0000-0000-0000-000000000000/end", token=cw).status == 404

    @pytest.mark.parametrize("role", ["citizen", "relative", "contact_person"])
    def test_people_never_approve(self, app_client, token, role):
        es = app_client("eservices")
        me = new_pnr()
        r = es.post("/relatives", approval(new_pnr(), me), token=token(role, personnummer=me))
        assert r.status == 403
        assert deps().approvals.of_relative(me) == []
