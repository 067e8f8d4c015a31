"""The audit trail: append-only records of who, when, what, whose and why for every staff
read and change of personal data; auditors search by person, actor and dates and export CSV
or JSON; nobody else reaches it, and nothing changes or removes a record."""
import csv
import functools
import io
import re
from datetime import date, timedelta

import pytest
from botocore.exceptions import ClientError

from infra.apps import load_app
from services.eservices.bootstrap import deps
from services.eservices.casework.usecases.audit import AuditTrail
from services.eservices.casework.adapters.repositories import AuditRepository
from services.eservices.adapters.table import eservices_table
from tests.integration.casework.helpers import INTAKE, audit_of, auditor, case_worker, new_application
from tests.support.people import new_pnr

TODAY = date.today()
RANGE = f"from={(TODAY - timedelta(days=1)).isoformat()}&to={(TODAY + timedelta(days=1)).isoformat()}"


@pytest.fixture
def worked_case(app_client, token):
    """A case a case worker read and took in: (client, case worker id, case id)."""
    es = app_client("eservices")
    pnr, _, receipt = new_application(es, token)
    cw_id, cw = case_worker(token)
    assert es.get(f"/cases/{receipt['case_id']}", token=cw).status == 200
    assert es.post(f"/cases/{receipt['case_id']}/intake", INTAKE, token=cw).status == 200
    return pnr, cw_id, receipt["case_id"]


class TestSearch:
    def test_an_auditor_finds_what_was_done_with_a_persons_data(self, app_client, token, worked_case):
        pnr, cw_id, case_id = worked_case
        es = app_client("eservices")
        au = auditor(token)
        # WHEN the auditor searches by the person
        r = es.get(f"/audit?person={pnr}&{RANGE}", token=au)
        # THEN the read and the change are there, oldest first: who, when, what, whose, why
        assert r.status == 200, r.json
        mine = [x for x in r.json if x["actor"] == f"case_worker:{cw_id}"]
        assert [(x["action"], x["kind"], x["subject"], x["resource"]) for x in mine] == [
            ("case.read", "read", pnr, f"case:{case_id}"), ("intake.create", "change", pnr, f"case:{case_id}")]
        assert all(x["at"] and x["purpose"] and x["actor_role"] == "case_worker" for x in mine)

    def test_by_actor_and_by_dates(self, app_client, token, worked_case):
        pnr, cw_id, case_id = worked_case
        es = app_client("eservices")
        au = auditor(token)
        by_actor = es.get(f"/audit?actor=case_worker:{cw_id}&{RANGE}", token=au).json
        assert [x["action"] for x in by_actor] == ["case.read", "intake.create"]
        by_both = es.get(f"/audit?actor=case_worker:{cw_id}&person={new_pnr()}&{RANGE}", token=au).json
        assert by_both == []
        by_dates = es.get(f"/audit?{RANGE}", token=au).json
        assert {"case.read", "intake.create"} <= {x["action"] for x in by_dates if x["subject"] == pnr}
        yesterday = (TODAY - timedelta(days=2)).isoformat()
        assert es.get(f"/audit?person={pnr}&from={yesterday}&to={yesterday}", token=au).json == []

    def test_csv_export(self, app_client, token, worked_case):
        pnr, cw_id, case_id = worked_case
        es = app_client("eservices")
        r = es.get(f"/audit?person={pnr}&{RANGE}&format=csv", token=auditor(token))
        assert r.status == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(r.body.decode("utf-8"))))
        assert [(row["action"], row["subject"], row["actor"]) for row in rows if row["actor"].endswith(cw_id)] == [
            ("case.read", pnr, f"case_worker:{cw_id}"), ("intake.create", pnr, f"case_worker:{cw_id}")]

    def test_the_auditors_own_search_is_audited(self, app_client, token, worked_case):
        pnr, _, _ = worked_case
        es = app_client("eservices")
        es.get(f"/audit?person={pnr}&{RANGE}", token=token("auditor", user_id="audit-lena-x"))
        [record] = [r for r in audit_of(actor="auditor:audit-lena-x")]
        assert (record.action, record.subject, record.purpose) == ("audit.search", pnr, "Logguppföljning")

    @pytest.mark.parametrize("query,field", [
        (f"person=19600404-2040&{RANGE}", "query.person"),
        ("from=2026-01-01", "query.to"),
        ("from=2026-02-01&to=2026-01-01", "query.to"),
        ("from=2024-01-01&to=2026-01-01", "query.to"),
        (f"{RANGE}&format=xml", "query.format"),
    ])
    def test_bad_searches_name_the_field(self, app_client, token, query, field):
        r = app_client("eservices").get(f"/audit?{query}", token=auditor(token))
        assert r.status == 422 and field in [e["field"] for e in r.json["errors"]], r.json

    @pytest.mark.parametrize("role", ["case_worker", "citizen", "relative", "contact_person", "ordering_unit"])
    def test_only_auditors_search(self, app_client, token, role):
        tok = token(role, personnummer=new_pnr()) if role in ("citizen", "relative", "contact_person") else token(
            role, user_id="x")
        assert app_client("eservices").get(f"/audit?{RANGE}", token=tok).status == 403


class TestAppendOnly:
    def test_a_record_cannot_be_overwritten(self, worked_case):
        # GIVEN a stored audit record
        pnr, _, _ = worked_case
        record = audit_of(person=pnr)[0]
        stored = AuditRepository.item(record)
        item = eservices_table().get_item(Key={"pk": stored["pk"], "sk": stored["sk"]})["Item"]
        # WHEN something writes it again the way the trail writes THEN the store refuses
        with pytest.raises(ClientError) as refused:
            eservices_table().put_item(Item={**item, "action": "nothing"}, ConditionExpression="attribute_not_exists(pk)")
        assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
        assert audit_of(person=pnr)[0].action == record.action

    def test_the_api_has_no_way_to_change_or_remove_a_record(self):
        routes = load_app("eservices").app.routes
        audit_routes = {path: set(methods) for path, methods in routes.items() if path.startswith("/audit")}
        assert audit_routes == {"/audit": {"GET"}}
        assert not [name for cls in (AuditTrail, AuditRepository) for name in vars(cls)
                    if name.startswith(("update", "delete", "remove"))]


class TestEveryStaffActionIsAudited:
    def test_every_case_worker_operation_names_an_audited_action(self):
        """Each case-work and message operation a case worker may call is in the test table below."""
        from services.auth.policy import POLICY
        from services.auth.principal import Role

        operations = set()
        for path, methods in load_app("eservices").app.routes.items():
            for method, entry in methods.items():
                spec = getattr(entry.view_function, "__operation__", None)
                if spec and spec.action and Role.CASE_WORKER in POLICY[spec.action]:
                    operations.add(f"{method} {path}")
        assert operations == set(AUDITED)


# Every case-worker operation and the audit action its test above asserts.
AUDITED = {
    "GET /inbox": "inbox.list",
    "GET /cases/{case_id}": "case.read",
    "GET /cases/{case_id}/files/{document_id}": "case.document.read",
    "POST /cases/{case_id}/intake": "intake.create",
    "POST /cases": "intake.create",
    "POST /cases/{case_id}/decisions": "decision.create",
    "POST /cases/{case_id}/report-approval": "contact_report.approve",  # test_report_approval.py
    "POST /assignments": "assignment.create",
    "GET /assignments": "assignment.read",
    "GET /assignments/{assignment_id}": "assignment.read",
    "PATCH /assignments/{assignment_id}": "assignment.change",
    "POST /assignments/{assignment_id}/end": "assignment.end",
    "POST /relatives": "relative.create",
    "GET /relatives": "relative.read",
    "PATCH /relatives/{approval_id}": "relative.change",
    "POST /relatives/{approval_id}/end": "relative.end",
    "PUT /messaging/settings": "messaging.change",
    "GET /messaging/settings": "messaging.read",
    "GET /messaging/citizens": "messaging.read",
    "POST /messages/attachments": "message.upload",
    "POST /messages": "message.send",
    "GET /messages": "message.read",
    "GET /messages/threads/{thread_id}": "message.read",
    "POST /messages/threads/{thread_id}": "message.send",
    "GET /messages/threads/{thread_id}/export": "thread.export",
    "GET /messages/threads/{thread_id}/messages/{message_id}/attachments/{attachment_id}": "message.attachment.read",
}


def test_each_case_worker_operation_leaves_its_record(app_client, token):
    """One case worker calls every operation once; after each, their newest record names it."""
    import requests

    from tests.integration.casework.helpers import enable_messaging

    es = app_client("eservices")
    cw_id, cw = case_worker(token)
    pnr, ctok, receipt = new_application(es, token)
    case_id = receipt["case_id"]
    seen = []

    def audited(method, path, expected, status=200, body=None, headers=None):
        r = es.request(method, path, token=cw, json_body=body, headers=headers)
        assert r.status == status, (path, r.status, r.json if r.status != 303 else "")
        newest = audit_of(actor=f"case_worker:{cw_id}")[-1]
        assert newest.action == expected, (path, newest.action)
        seen.append(f"{method} {_template(path)}")
        return r.json if r.body and r.headers.get("content-type", "").startswith("application/json") else r

    audited("GET", "/inbox", "inbox.list")
    case = audited("GET", f"/cases/{case_id}", "case.read")
    audited("GET", f"/cases/{case_id}/files/{case['documents'][0]['document_id']}", "case.document.read", 303)
    audited("POST", f"/cases/{case_id}/intake", "intake.create", body=INTAKE)
    audited("POST", "/cases", "intake.create", 201, body={
        "personnummer": new_pnr(), "first_name": "C", "last_name": "C", "channel": "brev", "from_whom": "den_enskilde",
        "area": "sol_aldre", "sol_insats": "trygghetslarm", "need": "N", "intake_type": "ansokan_sol",
        "organisation": "Testenhet"})
    audited("POST", f"/cases/{case_id}/decisions", "decision.create", 201, body={"decisions": [
        {"insats": "hemtjanst", "outcome": "refused", "valid_from": TODAY.isoformat()}]})
    kp = new_pnr()
    a = audited("POST", "/assignments", "assignment.create", 201, body={
        "kind": "kontaktfamilj", "contact_person": kp, "contact_person_first_name": "K",
        "contact_person_last_name": "K", "client": pnr, "client_first_name": "C", "client_last_name": "C",
        "sessions_per_month": 2, "monthly_fee_ore": 100000, "expense_allowance_ore": 0,
        "valid_from": TODAY.isoformat()})
    audited("GET", f"/assignments?client={pnr}", "assignment.read")
    audited("GET", f"/assignments/{a['assignment_id']}", "assignment.read")
    audited("PATCH", f"/assignments/{a['assignment_id']}", "assignment.change", body={"version": 1, "note": "n"})
    audited("POST", f"/assignments/{a['assignment_id']}/end", "assignment.end")
    from tests.integration.eservices.helpers import monthly_answers, submitted_case

    report = submitted_case(es, token("contact_person", personnummer=kp), "contact-monthly-report",
                            monthly_answers(kp, rapportering={"year": TODAY.year, "month": TODAY.month,
                                                               "client_first_name": "C", "client_last_name": "C"}))
    audited("POST", f"/cases/{report['case_id']}/report-approval", "contact_report.approve", 201,
            body={"assignment_id": a["assignment_id"]})
    ap = audited("POST", "/relatives", "relative.create", 201, body={
        "citizen": {"personnummer": pnr, "first_name": "C", "last_name": "C"},
        "relative": {"personnummer": new_pnr(), "first_name": "R", "last_name": "R"},
        "valid_from": TODAY.isoformat(), "consent_recorded": True})
    audited("GET", f"/relatives?citizen={pnr}", "relative.read")
    audited("PATCH", f"/relatives/{ap['approval_id']}", "relative.change", body={"version": 1, "note": "n"})
    audited("POST", f"/relatives/{ap['approval_id']}/end", "relative.end")
    audited("PUT", "/messaging/settings", "messaging.change", body={
        "citizen": pnr, "first_name": "C", "last_name": "C", "enabled": True})
    audited("GET", f"/messaging/settings?citizen={pnr}", "messaging.read")
    audited("GET", "/messaging/citizens?name=c", "messaging.read")
    t = audited("POST", "/messages/attachments", "message.upload", 201,
                body={"filename": "a.pdf", "content_type": "application/pdf"})
    requests.post(t["url"], data=t["fields"], files={"file": ("a.pdf", b"%PDF")}, timeout=30)
    thread = audited("POST", "/messages", "message.send", 201, body={
        "citizen": pnr, "subject": "S", "body": "B", "attachments": [t["upload_id"]]})
    tid, message = thread["thread_id"], thread["messages"][0]
    audited("GET", "/messages", "message.read")
    audited("GET", f"/messages/threads/{tid}", "message.read")
    audited("POST", f"/messages/threads/{tid}", "message.send", 201, body={"body": "B2"})
    audited("GET", f"/messages/threads/{tid}/export", "thread.export", 303)
    audited("GET", f"/messages/threads/{tid}/messages/{message['message_id']}/attachments/{t['upload_id']}",
            "message.attachment.read", 303)
    assert set(seen) == set(AUDITED)
    assert {r.action for r in audit_of(actor=f"case_worker:{cw_id}")} == set(AUDITED.values())


@functools.cache
def _templates():
    return tuple(load_app("eservices").app.routes)


def _template(path):
    """The route template of a concrete path, by matching the app's routes."""
    concrete = path.split("?")[0]
    for template in _templates():
        if re.fullmatch(re.sub(r"{\w+}", "[^/]+", template), concrete):
            return template
    raise AssertionError(path)
