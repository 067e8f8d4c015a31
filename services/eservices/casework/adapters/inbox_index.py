"""The case workers' inbox: ``gsi2`` partitioned by status (``INBOX#<status>``, sorted by submit
time), so a status filter is a key condition and a page reads about a page of items. A list
over every status merges the status partitions newest first; the cursor is the sort key of the
last row shown, so each next page starts strictly below it in every partition."""
from __future__ import annotations

from typing import Any

from ....adapters.dynamo import from_dynamo
from ....domain.cursor import decode_cursor, encode_cursor
from ...adapters.cases import INBOX_PK
from ...domain.cases import NEXT_STATUSES, Case

STATUSES = tuple(NEXT_STATUSES)


class InboxIndex:
    def __init__(self, table: Any) -> None:
        self.table = table

    def page(self, *, status: str | None, category: str | None, after: str | None, before: str | None,
             limit: int, cursor: str | None) -> tuple[list[Case], str | None]:
        """Cases newest first, optionally of one status, of a category (contains) and submitted in
        [``after``, ``before``) (ISO instants in UTC): a page and the cursor of the next one."""
        below = decode_cursor(cursor, "inbox") if cursor else None
        found: list[dict] = []
        for s in ([status] if status else STATUSES):
            found += self._newest(s, category, after, before, below, limit)
        found.sort(key=lambda i: i["gsi2sk"], reverse=True)
        page = found[:limit]
        more = len(found) > limit
        return [Case.model_validate(from_dynamo(i)) for i in page], (
            encode_cursor("inbox", page[-1]["gsi2sk"]) if more else None)

    def _newest(self, status: str, category: str | None, after: str | None, before: str | None,
                below: str | None, limit: int) -> list[dict]:
        """Up to ``limit`` + 1 newest of one status partition within the bounds."""
        values: dict[str, Any] = {":pk": f"{INBOX_PK}#{status}"}
        upper = min(x for x in (before, below) if x) if (before or below) else None
        if after and upper and after >= upper:  # a cursor below the range: nothing follows
            return []
        if after and upper:
            condition = "gsi2pk = :pk AND gsi2sk BETWEEN :lo AND :hi"
            values.update({":lo": after, ":hi": upper})
        elif after:
            condition = "gsi2pk = :pk AND gsi2sk >= :lo"
            values[":lo"] = after
        elif upper:
            condition = "gsi2pk = :pk AND gsi2sk < :hi"
            values[":hi"] = upper
        else:
            condition = "gsi2pk = :pk"
        kwargs: dict[str, Any] = {"IndexName": "gsi2", "ScanIndexForward": False,
                                  "KeyConditionExpression": condition, "ExpressionAttributeValues": values}
        if category:
            kwargs.update(FilterExpression="contains(#c, :category)", ExpressionAttributeNames={"#c": "category"})
            values[":category"] = category
        found: list[dict] = []
        while True:
            page = self.table.query(Limit=max(limit + 1, 25), **kwargs)
            # BETWEEN includes its upper end: drop it (``before`` and the cursor are exclusive).
            found += [i for i in page.get("Items", []) if upper is None or i["gsi2sk"] < upper]
            if len(found) > limit or "LastEvaluatedKey" not in page:
                return found[:limit + 1]
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
