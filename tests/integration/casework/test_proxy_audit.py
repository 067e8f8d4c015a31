"""A relative acting for a citizen leaves an audit record of who, as whom, what and why for every
read and message; a refused request by someone logged in is logged with who they are (masked)."""
import logging
from datetime import date, timedelta

from tests.integration.casework.helpers import audit_of, auditor, case_worker, enable_messaging, taken_in
from tests.support.people import new_pnr

TODAY = date.today()
RANGE = f"from={(TODAY - timedelta(days=1)).isoformat()}&to={(TODAY + timedelta(days=1)).isoformat()}"


def masked(pnr):
    return f"{pnr[:8]}-****"


def test_a_relatives_reads_and_messages_as_the_citizen_are_audited(app_client, token):
    # GIVEN a citizen with a case taken in, messaging on, and an approved relative
    es = app_client("eservices")
    cw_id, cw = case_worker(token)
    citizen, _, receipt = taken_in(es, token, cw)
    enable_messaging(es, cw, citizen)
    relative = new_pnr()
    rtok = token("relative", personnummer=relative, name="Josefine Test")
    assert es.post("/relatives", {"citizen": {"personnummer": citizen, "first_name": "Test", "last_name": "Testsson"},
                                  "relative": {"personnummer": relative, "first_name": "Josefine", "last_name": "Test"},
                                  "valid_from": TODAY.isoformat(), "consent_recorded": True}, token=cw).status == 201
    as_citizen = {"X-Acting-For": citizen}

    def by_the_relative():  # the masked label is shared by everyone born that day
        return [r for r in audit_of(actor=f"relative:{masked(relative)}") if r.actor_personnummer == relative]

    assert by_the_relative() == []
    # WHEN the relative reads the citizen's cases, one case, its PDF, and writes and reads a message
    case_id = receipt["case_id"]
    assert es.get("/my/cases", token=rtok, headers=as_citizen).status == 200
    case = es.get(f"/my/cases/{case_id}", token=rtok, headers=as_citizen).json
    assert es.get(case["documents"][0]["url"].removeprefix("/eservices"), token=rtok, headers=as_citizen).status == 303
    thread = es.post("/my/messages", {"case_id": case_id, "subject": "Fråga", "body": "Hej"}, token=rtok,
                     headers=as_citizen)
    assert thread.status == 201, thread.json
    assert es.get(f"/my/messages/threads/{thread.json['thread_id']}", token=rtok, headers=as_citizen).status == 200
    assert es.get("/my/messages", token=rtok, headers=as_citizen).status == 200
    # THEN each left a record naming the relative (masked), the citizen acted for, what and why
    records = by_the_relative()
    assert [r.action for r in records] == ["mypages.cases.list", "mypages.case.read", "mypages.document.read",
                                           "message.send", "message.read", "message.read"]
    assert {(r.actor_role, r.actor_name, r.subject, r.acting_for) for r in records} == {
        ("relative", "Josefine Test", citizen, citizen)}
    assert {r.purpose for r in records} == {"Närstående företräder den enskilde efter godkännande"}
    assert [r.kind for r in records].count("change") == 1
    # AND the auditor finds them by role
    found = es.get(f"/audit?actor=relative&{RANGE}", token=auditor(token))
    assert found.status == 200
    assert {r["audit_id"] for r in found.json} >= {r.audit_id for r in records}
    assert {r["actor_role"] for r in found.json} == {"relative"}
    # AND by the citizen
    mine = es.get(f"/audit?person={citizen}&actor=relative&{RANGE}", token=auditor(token)).json
    assert {r["audit_id"] for r in mine} == {r.audit_id for r in records}


def test_a_citizen_reading_their_own_cases_leaves_no_record(app_client, token):
    es = app_client("eservices")
    _, cw = case_worker(token)
    citizen, ctok, receipt = taken_in(es, token, cw)
    before = [r.audit_id for r in audit_of(person=citizen)]
    assert es.get(f"/my/cases/{receipt['case_id']}", token=ctok).status == 200
    assert [r.audit_id for r in audit_of(person=citizen)] == before


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_a_refused_request_by_someone_logged_in_is_logged_with_who_masked(app_client, token):
    es = app_client("eservices")
    pnr = new_pnr()
    collect = Collect()
    logging.getLogger("eservices").addHandler(collect)
    try:
        # WHEN a citizen calls a case workers' route
        assert es.get("/inbox", token=token("citizen", personnummer=pnr)).status == 403
        # AND someone without a token calls it
        assert es.get("/inbox").status == 401
    finally:
        logging.getLogger("eservices").removeHandler(collect)
    refused = [r for r in collect.records if r.getMessage() == "request_refused"]
    # THEN the first names the citizen, masked, and the second is anonymous
    assert [(r.actor, r.status) for r in refused[-2:]] == [(f"citizen:{masked(pnr)}", 403), ("anonymous", 401)]
