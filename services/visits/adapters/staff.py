"""The staff registry: ``PROVIDER#<provider>`` / ``STAFF#<user>``."""
from __future__ import annotations

from typing import Any

from ...adapters.dynamo import query_partition


def staff_key(provider: str, user_id: str) -> dict[str, str]:
    return {"pk": f"PROVIDER#{provider}", "sk": f"STAFF#{user_id}"}


class DynamoStaffRegistry:
    def __init__(self, table: Any) -> None:
        self.table = table

    def is_staff(self, provider: str, user_id: str) -> bool:
        return "Item" in self.table.get_item(Key=staff_key(provider, user_id), ConsistentRead=True)

    def add_staff(self, provider: str, user_id: str) -> None:
        self.table.put_item(Item={**staff_key(provider, user_id), "type": "staff", "user_id": user_id})

    def remove_staff(self, provider: str, user_id: str) -> bool:
        old = self.table.delete_item(Key=staff_key(provider, user_id), ReturnValues="ALL_OLD")
        return "Attributes" in old

    def staff_of(self, provider: str) -> list[str]:
        items = query_partition(self.table, f"PROVIDER#{provider}", "STAFF#")
        return sorted(i["user_id"] for i in items)
