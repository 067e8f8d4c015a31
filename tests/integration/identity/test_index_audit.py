"""The one-off that gives the identity trail's older entries their account's history keys
(``make index-identity-audit``), on the identity table in moto."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from services.adapters.dynamo import to_dynamo
from services.identity.domain.model import AuditEntry

DAY = date(2019, 3, 4)  # a day no other test writes to


def test_older_entries_join_their_accounts_history_once_and_others_are_left_alone(aws, capsys):
    from services.identity.bootstrap import deps
    from services.identity.index_audit import main

    trail = deps().audit
    account = f"acct-{uuid.uuid4().hex[:8]}"
    at = datetime(DAY.year, DAY.month, DAY.day, 9, tzinfo=timezone.utc)
    # GIVEN two entries of that day as they were written before the per-account copy: no gsi1 keys
    old = [AuditEntry(entry_id=uuid.uuid4().hex, at=at, action=action, actor="test", account_id=account)
           for action in ("account_added", "roles_changed")]
    search = AuditEntry(entry_id=uuid.uuid4().hex, at=at, action="audit_searched", actor="test")
    for e in (*old, search):
        trail.table.put_item(Item=to_dynamo({"pk": f"AUDIT#{DAY.isoformat()}", "sk": f"{e.at.isoformat()}#{e.entry_id}",
                                             "type": "identity_audit", **e.model_dump(mode="json", exclude_none=True)}))
    assert trail.entries_of_account(account) == []
    # WHEN the one-off runs over that day THEN both are in the account's history, the search in none
    assert main([DAY.isoformat(), DAY.isoformat()]) == 0
    assert capsys.readouterr().out.startswith("2 entries")
    assert sorted(e.entry_id for e in trail.entries_of_account(account)) == sorted(e.entry_id for e in old)
    # AND run again it finds nothing left to do
    assert trail.index_by_account(DAY, DAY) == 0
