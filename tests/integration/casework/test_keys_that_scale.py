"""Keys that scale, against the store: the inbox is one index partition per status (a filter
is a key condition), a list read writes its audit records in one batch write (no transaction),
the audit search is paged by an opaque cursor, and the messaging name search is a
``begins_with`` on a sorted key (never a filter over every citizen)."""
import contextlib
from datetime import date, datetime, timedelta, timezone

from services.eservices.bootstrap import deps
from services.eservices.adapters.table import eservices_table
from services.eservices.casework.adapters.repositories import AuditRepository
from services.eservices.casework.usecases import audit
from tests.integration.casework.helpers import (INTAKE, auditor, case_item, case_worker, enable_messaging,
                                                new_application)
from tests.support.people import new_pnr

TODAY = date.today()
RANGE = f"from={(TODAY - timedelta(days=1)).isoformat()}&to={(TODAY + timedelta(days=1)).isoformat()}"


@contextlib.contextmanager
def dynamodb_calls():
    """Every DynamoDB call this process makes inside the block: (operation, parameters)."""
    calls: list[tuple[str, dict]] = []
    events = eservices_table().meta.client.meta.events

    def record(params, model, **_):
        calls.append((model.name, params))
    events.register("provide-client-params.dynamodb.*", record)
    try:
        yield calls
    finally:
        events.unregister("provide-client-params.dynamodb.*", record)


class TestInboxPerStatus:
    def test_a_case_is_in_the_partition_of_its_status_and_moves_with_it(self, app_client, token):
        # GIVEN a new application
        es = app_client("eservices")
        _, _, receipt = new_application(es, token)
        assert case_item(receipt["case_id"])["gsi2pk"] == "INBOX#submitted"
        # WHEN it is taken in THEN it moves to the partition of its new status
        _, cw = case_worker(token)
        assert es.post(f"/cases/{receipt['case_id']}/intake", INTAKE, token=cw).status == 200
        assert case_item(receipt["case_id"])["gsi2pk"] == "INBOX#in_progress"

    def test_a_status_filter_is_a_key_condition_on_that_status_only(self, app_client, token):
        es = app_client("eservices")
        new_application(es, token)
        _, cw = case_worker(token)
        with dynamodb_calls() as calls:
            r = es.get("/inbox?status=new&limit=5", token=cw)
        assert r.status == 200 and r.json["items"]
        queries = [p for op, p in calls if op == "Query" and p.get("IndexName") == "gsi2"]
        assert queries and {q["ExpressionAttributeValues"][":pk"] for q in queries} == {"INBOX#submitted"}
        assert all("FilterExpression" not in q for q in queries)


class TestReadAuditsInBatches:
    def test_a_list_read_writes_its_audit_records_in_one_batch_write_and_no_transaction(self, app_client, token):
        # GIVEN several applications in the inbox
        es = app_client("eservices")
        for _ in range(3):
            new_application(es, token)
        _, cw = case_worker(token)
        # WHEN a case worker lists a page of them
        with dynamodb_calls() as calls:
            r = es.get("/inbox?status=new&limit=3", token=cw)
        # THEN the page's three audit records go in one BatchWriteItem; nothing else is written
        assert r.status == 200 and len(r.json["items"]) == 3
        writes = [(op, p) for op, p in calls if op in ("BatchWriteItem", "TransactWriteItems", "PutItem")]
        assert [op for op, _ in writes] == ["BatchWriteItem"]
        (table_writes,) = writes[0][1]["RequestItems"].values()
        pks = {w["PutRequest"]["Item"]["pk"] for w in table_writes}
        # each a day's shard: AUDIT#<date>#<0-9>
        assert len(table_writes) == 3 and all(pk.startswith("AUDIT#") and pk.rsplit("#", 1)[1].isdigit()
                                              for pk in pks)


class TestAuditPages:
    def test_the_search_is_paged_by_an_opaque_cursor(self, app_client, token):
        # GIVEN a person whose case was read three times
        es = app_client("eservices")
        pnr, _, receipt = new_application(es, token)
        _, cw = case_worker(token)
        for _ in range(3):
            assert es.get(f"/cases/{receipt['case_id']}", token=cw).status == 200
        au = auditor(token)
        # WHEN an auditor asks two at a time
        first = es.get(f"/audit?person={pnr}&{RANGE}&limit=2", token=au)
        cursor = first.headers.get("x-next-cursor")
        rest = es.get(f"/audit?person={pnr}&{RANGE}&limit=2&cursor={cursor}", token=au)
        # THEN the pages follow each other without a repeat
        assert first.status == 200 and len(first.json) == 2 and cursor
        reads = [x["audit_id"] for x in first.json + rest.json if x["action"] == "case.read"]
        assert len(reads) == len(set(reads)) == 3

    def test_a_search_by_case_reads_the_cases_partition_of_the_index_by_resource_not_the_period(
            self, app_client, token):
        # GIVEN a case read and taken in by a case worker
        es = app_client("eservices")
        _, _, receipt = new_application(es, token)
        cw_id, cw = case_worker(token)
        assert es.get(f"/cases/{receipt['case_id']}", token=cw).status == 200
        assert es.post(f"/cases/{receipt['case_id']}/intake", INTAKE, token=cw).status == 200
        trail = audit.AuditTrail(AuditRepository(eservices_table()), deps().clock)
        start = datetime.now(timezone.utc) - timedelta(days=30)
        # WHEN an auditor's search asks who read or changed it over a month
        with dynamodb_calls() as calls:
            records, cursor = trail.page(person=None, actor=None, start=start, end=start + timedelta(days=31),
                                         resource=f"case:{receipt['case_id']}")
        # THEN the case worker's read and intake are found, from one partition of gsi3: no day's shard
        assert {r.action for r in records if r.actor == f"case_worker:{cw_id}"} >= {"case.read", "intake.create"}
        queries = [p for op, p in calls if op == "Query"]
        assert queries and {(q.get("IndexName"), q["ExpressionAttributeValues"][":pk"]) for q in queries} == {
            ("gsi3", f"AUDIT_RESOURCE#case:{receipt['case_id']}")}
        assert len(queries) == 1 and cursor is None

    def test_a_cursor_not_from_the_audit_list_is_a_bad_field(self, app_client, token):
        r = app_client("eservices").get(f"/audit?{RANGE}&cursor=bm90LWEtY3Vyc29y", token=auditor(token))
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["query.cursor"]


class TestNameSearch:
    def test_the_search_reads_a_sorted_key_range_not_every_citizen(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        citizen, surname = new_pnr(), f"Prefixsson{new_pnr()[-4:]}"
        enable_messaging(es, cw, citizen, first_name="Ebba", last_name=surname)
        with dynamodb_calls() as calls:
            found = es.get(f"/messaging/citizens?name={surname[:12].lower()}", token=cw).json
        assert {"citizen": citizen, "name": f"Ebba {surname}"} in found
        queries = [p for op, p in calls if op == "Query"]
        assert queries and all("begins_with" in q["KeyConditionExpression"] and "FilterExpression" not in q
                               for q in queries)
        assert not [op for op, _ in calls if op == "Scan"]

