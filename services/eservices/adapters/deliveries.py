"""The newest delivery status per person and channel, one item beside the person's profile."""
from __future__ import annotations

from typing import Any

from ...adapters.dynamo import from_dynamo, to_dynamo, translated_errors
from ...domain.errors import Conflict
from ..domain.deliveries import ChannelStatus, DeliveryStatus


class DynamoDeliveryStatuses:
    def __init__(self, table: Any) -> None:
        self.table = table

    @staticmethod
    def key(person: str) -> dict[str, str]:
        return {"pk": f"PERSON#{person}", "sk": "NOTIFY_STATUS"}

    def get(self, person: str) -> DeliveryStatus:
        with translated_errors():
            item = self.table.get_item(Key=self.key(person)).get("Item")
        return DeliveryStatus.model_validate(from_dynamo(item)) if item else DeliveryStatus()

    def record(self, person: str, channel: str, status: ChannelStatus) -> None:
        """Keeps ``status`` unless a newer one of the channel is stored (a late event changes nothing)."""
        try:
            with translated_errors():
                self.table.update_item(
                    Key=self.key(person),
                    UpdateExpression="SET #c = :s, #at = :at",
                    ConditionExpression="attribute_not_exists(#at) OR #at < :at",
                    ExpressionAttributeNames={"#c": channel, "#at": f"{channel}_at"},
                    ExpressionAttributeValues=to_dynamo({":s": status.model_dump(mode="json"),
                                                         ":at": status.at.isoformat()}))
        except Conflict:
            pass
