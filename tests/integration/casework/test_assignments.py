"""Contact-person assignments: case workers register, read, change and end them (each emitted
for billing and audited for both persons); a contact person sees only their own."""
from datetime import date, timedelta

import pytest

from services.eservices.bootstrap import deps
from services.eservices.casework.adapters.repositories import AssignmentRepository
from services.eservices.adapters.table import eservices_table
from tests.integration.casework.helpers import actions_on, audit_of, case_worker, clear, events
from tests.support.people import new_pnr

TODAY = date.today()


def assignment(contact_person, client, **changes):
    body = {"kind": "kontaktperson", "contact_person": contact_person, "contact_person_first_name": "Kari",
            "contact_person_last_name": "Kontakt", "client": client, "client_first_name": "Kim",
            "client_last_name": "Klient", "sessions_per_month": 4, "monthly_fee_ore": 150000,
            "expense_allowance_ore": 40000, "valid_from": TODAY.isoformat(),
            "valid_to": (TODAY + timedelta(days=180)).isoformat(), "note": "Bio och promenader"}
    body.update(changes)
    return body


def stored_assignments():
    return len(AssignmentRepository(eservices_table()).of_client(None))


class TestAssignments:
    def test_register_and_the_contact_person_sees_it(self, app_client, token):
        # GIVEN a case worker, a contact person and a client
        es = app_client("eservices")
        cw_id, cw = case_worker(token)
        kp, client = new_pnr(), new_pnr()
        clear("billing-inbox")
        # WHEN the case worker registers the assignment
        r = es.post("/assignments", assignment(kp, client), token=cw)
        # THEN it is stored with its terms in öre
        assert r.status == 201, r.json
        a = r.json
        assert (a["sessions_per_month"], a["monthly_fee_ore"], a["expense_allowance_ore"]) == (4, 150000, 40000)
        assert (a["contact_person_name"], a["client_name"]) == ("Kari Kontakt", "Kim Klient")
        # AND billing gets assignment.registered with the terms
        [event] = events("billing-inbox", assignment_id=a["assignment_id"])
        assert event["event_type"] == "assignment.registered"
        assert (event["payload"]["contact_person"], event["payload"]["client"], event["payload"]["monthly_fee_ore"],
                event["payload"]["kind"]) == (kp, client, 150000, "kontaktperson")
        # AND the contact person sees it on Mina sidor, the client's personnummer masked
        mine = es.get("/my/assignments", token=token("contact_person", personnummer=kp))
        assert mine.status == 200
        [row] = mine.json
        assert (row["assignment_id"], row["client_name"], row["client_personnummer"], row["active"]) == (
            a["assignment_id"], "Kim Klient", client[:8] + "-****", True)
        # AND another contact person sees nothing of it
        assert es.get("/my/assignments", token=token("contact_person", personnummer=new_pnr())).json == []
        # AND the registration is audited for both the client and the contact person
        for person in (client, kp):
            record = next(r for r in audit_of(person=person) if r.action == "assignment.create")
            assert (record.actor, record.kind) == (f"case_worker:{cw_id}", "change")

    def test_list_read_change_and_end(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        kp, client = new_pnr(), new_pnr()
        a = es.post("/assignments", assignment(kp, client), token=cw).json
        # list by client and by contact person
        assert [x["assignment_id"] for x in es.get(f"/assignments?client={client}", token=cw).json] == [
            a["assignment_id"]]
        assert [x["assignment_id"] for x in es.get(f"/assignments?contact_person={kp}", token=cw).json] == [
            a["assignment_id"]]
        assert es.get(f"/assignments/{a['assignment_id']}", token=cw).json["version"] == 1
        # change the fee: a new version, emitted again for billing
        clear("billing-inbox")
        changed = es.patch(f"/assignments/{a['assignment_id']}", {"version": 1, "monthly_fee_ore": 175000},
                           token=cw)
        assert changed.status == 200, changed.json
        assert (changed.json["monthly_fee_ore"], changed.json["version"]) == (175000, 2)
        assert [e["payload"]["monthly_fee_ore"] for e in events("billing-inbox",
                                                                assignment_id=a["assignment_id"])] == [175000]
        # a stale version is a conflict
        assert es.patch(f"/assignments/{a['assignment_id']}", {"version": 1, "sessions_per_month": 2},
                        token=cw).status == 409
        # end it today: kept, with valid_to today, and no longer active for the contact person
        ended = es.post(f"/assignments/{a['assignment_id']}/end", token=cw)
        assert ended.status == 200 and ended.json["valid_to"] == TODAY.isoformat() and ended.json["ended_at"]
        assert es.post(f"/assignments/{a['assignment_id']}/end", token=cw).status == 409
        assert es.patch(f"/assignments/{a['assignment_id']}", {"version": 3, "note": "x"}, token=cw).status == 409
        # every step audited
        assert {"assignment.create", "assignment.read", "assignment.change", "assignment.end"} <= set(
            actions_on(client))

    def test_one_assignment_of_a_kind_per_pair_at_a_time(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        kp, client = new_pnr(), new_pnr()
        assert es.post("/assignments", assignment(kp, client), token=cw).status == 201
        before = stored_assignments()
        overlapping = assignment(kp, client, valid_from=(TODAY + timedelta(days=30)).isoformat(), valid_to=None)
        assert es.post("/assignments", overlapping, token=cw).status == 409
        assert stored_assignments() == before
        # a contact family for the same client is another kind
        assert es.post("/assignments", assignment(kp, client, kind="kontaktfamilj"), token=cw).status == 201

    def test_an_assignment_not_begun_is_changed_not_ended(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        later = assignment(new_pnr(), new_pnr(), valid_from=(TODAY + timedelta(days=10)).isoformat())
        a = es.post("/assignments", later, token=cw).json
        assert es.post(f"/assignments/{a['assignment_id']}/end", token=cw).status == 409

    @pytest.mark.parametrize("change,field", [
        ({"monthly_fee_ore": 1500.5}, "monthly_fee_ore"),
        ({"monthly_fee_ore": "150000"}, "monthly_fee_ore"),
        ({"expense_allowance_ore": -1}, "expense_allowance_ore"),
        ({"sessions_per_month": 0}, "sessions_per_month"),
        ({"kind": "ledsagare"}, "kind"),
        ({"client": "19500101-0000"}, "client"),
        ({"valid_to": (TODAY - timedelta(days=1)).isoformat()}, "valid_to"),
        ({"contact_person_first_name": ""}, "contact_person_first_name"),
    ])
    def test_bad_input_names_the_field_and_stores_nothing(self, app_client, token, change, field):
        es = app_client("eservices")
        _, cw = case_worker(token)
        client = new_pnr()
        clear("billing-inbox")
        before = stored_assignments()
        r = es.post("/assignments", {**assignment(new_pnr(), client), **change}, token=cw)
        assert r.status == 422 and field in [e["field"] for e in r.json["errors"]], r.json
        assert stored_assignments() == before
        assert events("billing-inbox") == []
        assert actions_on(client) == []

    def test_nobody_is_their_own_client(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        same = new_pnr()
        r = es.post("/assignments", assignment(same, same), token=cw)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["client"]

    def test_change_cannot_empty_a_term(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        a = es.post("/assignments", assignment(new_pnr(), new_pnr()), token=cw).json
        r = es.patch(f"/assignments/{a['assignment_id']}", {"version": 1, "monthly_fee_ore": None}, token=cw)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["monthly_fee_ore"]
        r = es.patch(f"/assignments/{a['assignment_id']}",
                     {"version": 1, "valid_to": (TODAY - timedelta(days=1)).isoformat()}, token=cw)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["valid_to"]
        assert es.get(f"/assignments/{a['assignment_id']}", token=cw).json["version"] == 1

    @pytest.mark.parametrize("role", ["citizen", "relative", "contact_person"])
    def test_people_do_not_manage_assignments(self, app_client, token, role):
        es = app_client("eservices")
        pnr = new_pnr()
        tok = token(role, personnummer=pnr)
        assert es.post("/assignments", assignment(pnr, new_pnr()), token=tok).status == 403
        assert es.get(f"/assignments?contact_person={pnr}", token=tok).status == 403

    def test_every_person_has_my_assignments_and_staff_do_not(self, app_client, token):
        """A person's own assignments follow from the register, not the login's role: a citizen
        without any reads an empty list; staff are refused."""
        es = app_client("eservices")
        mine = es.get("/my/assignments", token=token("citizen", personnummer=new_pnr()))
        assert (mine.status, mine.json) == (200, [])
        _, cw = case_worker(token)
        assert es.get("/my/assignments", token=cw).status == 403
