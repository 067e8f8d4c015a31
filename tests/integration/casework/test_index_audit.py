"""The one-off that gives case work's older audit records the index by resource's keys
(``make index-casework-audit``), on the e-services table in moto."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from services.adapters.dynamo import to_dynamo
from services.eservices.casework.domain.audit import AuditRecord

DAY = date(2019, 5, 6)  # a day no other test writes to


def a_record(at: datetime, resource: str) -> AuditRecord:
    return AuditRecord(audit_id=uuid.uuid4().hex, at=at, actor="case_worker:hl-1", actor_role="case_worker",
                       action="case.read", kind="read", subject=None, purpose="Handläggning",
                       request_id=uuid.uuid4().hex, resource=resource)


def test_older_records_are_found_by_their_case_once_indexed_and_others_are_left_alone(aws, capsys):
    from services.adapters.aws import table
    from services.eservices.casework.adapters.repositories import AuditRepository
    from services.eservices.casework.index_audit import main

    store = AuditRepository(table("eservices"))
    case = f"case:{uuid.uuid4().hex[:8]}"
    at = datetime(DAY.year, DAY.month, DAY.day, 9, tzinfo=timezone.utc)
    # GIVEN three records of that day as they were written before the index by resource (no gsi3
    # keys): two of the case (one a document under it), one of no resource
    old = [a_record(at, case), a_record(at + timedelta(hours=1), f"{case}/document:d-1")]
    none = a_record(at + timedelta(hours=2), "")
    for r in (*old, none):
        item = {k: v for k, v in store.item(r).items() if not k.startswith("gsi3")}
        store.table.put_item(Item=to_dynamo(item))
    span = {"person": None, "actor": None, "start": at, "end": at + timedelta(days=1), "limit": 10}
    assert store.search(**span, resource=case) == ([], None)
    # WHEN the one-off runs over that day THEN the case's two are found by it, oldest first
    assert main([DAY.isoformat(), DAY.isoformat()]) == 0
    assert capsys.readouterr().out.startswith("2 records")
    assert [r.audit_id for r in store.search(**span, resource=case)[0]] == [r.audit_id for r in old]
    # AND the record of no resource has no index keys; run again it finds nothing left to do
    stored = store.item(none)
    assert "gsi3pk" not in store.table.get_item(Key={"pk": stored["pk"], "sk": stored["sk"]})["Item"]
    assert store.index_by_resource(DAY, DAY) == 0
