"""What the repositories ask DynamoDB, checked against the store's own rules without a store: a
key condition's BETWEEN needs its lower bound at or below its upper bound (DynamoDB refuses the
query otherwise; moto does not), so a cursor past a list's end must not become such a query."""
from datetime import datetime, timezone

from services.domain.cursor import encode_cursor
from services.eservices.casework.adapters.inbox_index import InboxIndex
from services.eservices.casework.adapters.repositories import AuditRepository


class StrictTable:
    """Answers every query with nothing, and refuses what DynamoDB refuses."""

    def __init__(self) -> None:
        self.queries: list[dict] = []

    def query(self, **kwargs):
        values = kwargs["ExpressionAttributeValues"]
        if "BETWEEN" in kwargs["KeyConditionExpression"] and values[":lo"] > values[":hi"]:
            raise AssertionError("ValidationException: BETWEEN with the lower bound above the upper")
        self.queries.append(kwargs)
        return {"Items": []}


def test_given_an_audit_cursor_past_the_range_when_searched_then_an_empty_last_page_and_no_query():
    table = StrictTable()
    start, end = datetime(2026, 3, 1, tzinfo=timezone.utc), datetime(2026, 3, 2, tzinfo=timezone.utc)
    assert AuditRepository(table).search(person="x", actor=None, start=start, end=end,
                                         after="9999-12-31T00:00:00+00:00#x") == ([], None)
    assert table.queries == []


def test_given_an_inbox_cursor_below_the_from_date_when_paged_then_an_empty_last_page():
    table = StrictTable()
    cases, cursor = InboxIndex(table).page(status=None, category=None, after="2026-03-01T00:00:00+00:00",
                                           before=None, limit=10, cursor=encode_cursor("inbox", "0001-01-01"))
    assert (cases, cursor, table.queries) == ([], None, [])


def test_given_a_day_without_filters_when_searched_then_every_shard_of_it_is_asked():
    table = StrictTable()
    start, end = datetime(2026, 3, 1, tzinfo=timezone.utc), datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    AuditRepository(table).search(person=None, actor=None, start=start, end=end)
    assert sorted(q["ExpressionAttributeValues"][":pk"] for q in table.queries) == sorted(
        f"AUDIT#2026-03-01#{s}" for s in range(10))
