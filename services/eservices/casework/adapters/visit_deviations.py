"""The projection of the visits service's ``visit.changed``: one item per client, month and visit
in the e-services table, holding the visit's version and how many of its deviations wait for the
case worker. A partition per client; months sort in the sort key, so counting reads only the
months asked for. Items expire some months after their month: a locked month is never counted."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ....adapters.dynamo import query_all, translated_errors
from ....domain.errors import Conflict
from ..domain.visit_deviations import VisitDeviationCount

KEPT_AFTER_MONTH = timedelta(days=180)  # long after the month's lock date, when nothing can be decided in it


class DynamoVisitDeviationCounts:
    def __init__(self, table: Any) -> None:
        self.table = table

    @staticmethod
    def pk(client: str) -> str:
        return f"VISIT_DEVIATIONS#{client}"

    @staticmethod
    def month_prefix(year: int, month: int) -> str:
        return f"{year:04d}-{month:02d}#"

    def record(self, count: VisitDeviationCount) -> bool:
        expires = datetime(count.year, count.month, 1, tzinfo=timezone.utc) + KEPT_AFTER_MONTH
        try:
            with translated_errors():
                self.table.put_item(
                    Item={"pk": self.pk(count.client), "sk": self.month_prefix(count.year, count.month) + count.visit_id,
                          "version": count.version, "pending": count.pending, "ttl": int(expires.timestamp())},
                    ConditionExpression="attribute_not_exists(pk) OR #v < :v",
                    ExpressionAttributeNames={"#v": "version"}, ExpressionAttributeValues={":v": count.version})
        except Conflict:
            return False  # a version as high is stored: this event is a redelivery or came late
        return True

    def pending(self, client: str, months: list[tuple[int, int]]) -> int:
        total = 0
        for year, month in months:
            with translated_errors():
                items = query_all(self.table, KeyConditionExpression="pk = :pk AND begins_with(sk, :month)",
                                  FilterExpression="#p > :zero", ProjectionExpression="#p",
                                  ExpressionAttributeNames={"#p": "pending"},
                                  ExpressionAttributeValues={":pk": self.pk(client),
                                                             ":month": self.month_prefix(year, month), ":zero": 0})
            total += sum(int(i["pending"]) for i in items)
        return total
