"""Billing's ``PayoutApprovalStore`` and ``RulePackStore`` ports: the fake and the DynamoDB adapter
answer alike. An approval (each round of a month) and a stored rule version are written once, never
changed; an approval stored before rounds existed reads as round 1."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timezone

import pytest

from services.billing.domain.approvals import PayoutApproval, StoredRulePack
from services.billing.domain.payouts import PayoutView, payouts
from services.billing.domain.rules import rule_book
from services.domain.errors import Conflict
from tests.integration.contracts.billing_stores import store, unique_month  # noqa: F401 - the fixture
from tests.support.people import new_pnr
from services.billing.domain.model import ApprovedReport

AT = datetime(2026, 12, 2, 10, tzinfo=timezone.utc)


def _view(year: int, month: int) -> PayoutView:
    report = ApprovedReport(case_id="c-1", assignment_id="as-1", contact_person=new_pnr(1970), kind="monthly",
                            year=year, month=month, km=12.5, fee_ore=147_000, allowance_ore=49_000, terms_year=2025,
                            approved_at=AT)
    book = rule_book()
    return payouts([report], year, month, book.for_month("haninge", 2026, 6), book.figures)


def test_a_months_approval_is_stored_once_and_read_back_whole(store):
    year, month = unique_month()
    assert store.payout_approval(year, month) is None
    approval = PayoutApproval(month=f"{year:04d}-{month:02d}", approved_at=AT, approved_by="fia",
                              approved_by_name="Fia Ekström", payouts=_view(year, month))
    store.add_payout_approval(approval)
    assert store.payout_approval(year, month) == approval
    with pytest.raises(Conflict):
        store.add_payout_approval(approval.model_copy(update={"approved_by": "someone-else"}))
    assert store.payout_approval(year, month) == approval


def test_each_round_of_a_month_is_stored_once_and_read_back_in_order(store):
    """GIVEN round 1 of a month WHEN rounds 3 and 2 are stored THEN the month's rounds read 1, 2, 3,
    round 1 is still the month's approval, each round refuses a second write (Conflict) and keeps the
    first."""
    year, month = unique_month()
    assert store.payout_rounds(year, month) == []
    first = PayoutApproval(month=f"{year:04d}-{month:02d}", approved_at=AT, approved_by="fia",
                           approved_by_name="Fia Ekström", payouts=_view(year, month))
    store.add_payout_approval(first)
    third = first.model_copy(update={"round": 3, "approved_by": "frans", "approved_at": AT.replace(hour=12)})
    second = first.model_copy(update={"round": 2, "approved_at": AT.replace(hour=11)})
    store.add_payout_approval(third)
    store.add_payout_approval(second)
    assert store.payout_rounds(year, month) == [first, second, third]
    assert store.payout_approval(year, month) == first
    for approval in (first, second, third):
        with pytest.raises(Conflict):
            store.add_payout_approval(approval.model_copy(update={"approved_by": "someone-else"}))
    assert store.payout_rounds(year, month) == [first, second, third]


def test_an_approval_stored_before_rounds_existed_is_round_1(aws):
    """GIVEN a month's approval as the adapter stored it before rounds (``APPROVED``, no ``round`` in
    the body) THEN the adapter reads it as round 1, and round 1 cannot be stored again over it."""
    from services.adapters.aws import table
    from services.billing.adapters.dynamo import DynamoBillingStore

    dynamo = DynamoBillingStore(table("billing"))
    year, month = unique_month()
    old = PayoutApproval(month=f"{year:04d}-{month:02d}", approved_at=AT, approved_by="fia",
                         payouts=_view(year, month))
    body = old.model_dump(mode="json")
    del body["round"]
    dynamo.table.put_item(Item={"pk": f"PAYOUTS#{old.month}", "sk": "APPROVED", "body": json.dumps(body)})
    assert dynamo.payout_approval(year, month) == old == dynamo.payout_rounds(year, month)[0]
    assert dynamo.payout_approval(year, month).round == 1
    with pytest.raises(Conflict):
        dynamo.add_payout_approval(old)


def test_a_stored_rule_version_is_kept_once_per_version_in_the_order_stored(store):
    municipality = f"kommun-{uuid.uuid4().hex[:8]}"
    base = rule_book().for_month("haninge", 2026, 6)
    one = StoredRulePack(pack=base.model_copy(update={"municipality": municipality, "version": "9.1",
                                                      "valid_from": date(2030, 1, 1), "valid_to": None}),
                         stored_at=AT, stored_by="fia", stored_by_name="Fia Ekström")
    two = one.model_copy(update={"pack": one.pack.model_copy(update={"version": "9.2", "hourly_rate_ore": 51_000}),
                                 "stored_at": AT.replace(hour=11)})
    assert store.stored_rule_packs(municipality) == []
    store.add_rule_pack(two.model_copy(update={"stored_at": AT.replace(hour=11)}))
    store.add_rule_pack(one)
    assert store.stored_rule_packs(municipality) == [one, two]
    with pytest.raises(Conflict):
        store.add_rule_pack(one.model_copy(update={"pack": one.pack.model_copy(update={"hourly_rate_ore": 1})}))
    assert store.stored_rule_packs(municipality)[0].pack.hourly_rate_ore == base.hourly_rate_ore
    assert store.stored_rule_packs("haninge-" + municipality) == []
