"""NFC tags and digital locks (``DEVICE#<id>``, listed by provider in ``gsi1``) and each provider's
count of active ones (``PROVIDER#<provider>`` / ``TAGCOUNT``)."""
from __future__ import annotations

from typing import Any

from ...adapters.dynamo import UnitOfWork, from_dynamo, query_all, to_dynamo, translated_errors
from ..domain.model import Device
from .batches import SOURCE


def device_key(device_id: str) -> dict[str, str]:
    return {"pk": f"DEVICE#{device_id}", "sk": "DEVICE"}


def device_from(item: dict[str, Any]) -> Device:
    return Device.model_validate(from_dynamo(item))


def _device_item(d: Device) -> dict[str, Any]:
    return {**device_key(d.device_id), "type": "device", **d.model_dump(mode="json"),
            "gsi1pk": f"DEVICES#{d.provider_id}", "gsi1sk": d.device_id}


def _tag_count_key(provider: str) -> dict[str, str]:
    return {"pk": f"PROVIDER#{provider}", "sk": "TAGCOUNT"}


class DynamoDevices:
    def __init__(self, table: Any) -> None:
        self.table = table

    def get_device(self, device_id: str) -> Device | None:
        item = self.table.get_item(Key=device_key(device_id), ConsistentRead=True).get("Item")
        return device_from(item) if item else None

    def devices_of(self, provider: str) -> list[Device]:
        items = query_all(self.table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                          ExpressionAttributeValues={":pk": f"DEVICES#{provider}"})
        return [Device.model_validate(i) for i in items]

    def put_device(self, d: Device) -> None:
        """Registers a device as it is (demo data, tests)."""
        self.table.put_item(Item=to_dynamo(_device_item(d)))

    def bind_device(self, bound: Device) -> None:
        """Binds a tag never bound before (a tag belongs to one client and is never reused)."""
        with translated_errors("the tag changed meanwhile"):
            self.table.put_item(Item=to_dynamo(_device_item(bound)), ConditionExpression="#s = :ordered",
                                ExpressionAttributeNames={"#s": "status"},
                                ExpressionAttributeValues={":ordered": "ordered"})

    def active_tags(self, provider: str) -> tuple[int, bool]:
        """How many tags and locks the provider holds (not retired), and whether the counter exists."""
        item = self.table.get_item(Key=_tag_count_key(provider), ConsistentRead=True).get("Item")
        if item is not None:
            return int(item["active"]), True
        return sum(1 for d in self.devices_of(provider) if d.status != "retired"), False

    def order_devices(self, provider: str, devices: list[Device], seen: tuple[int, bool]) -> None:
        """New devices and the provider's counter of active ones, in one transaction: the counter
        as it was read (``seen``) keeps two concurrent orders from passing the limit together."""
        active, counted = seen
        uow = UnitOfWork(self.table, SOURCE)
        counter = _tag_count_key(provider)
        if counted:
            uow.update(counter, "SET active = active + :n", condition="active = :seen",
                       values={":n": len(devices), ":seen": active})
        else:
            uow.put({**counter, "type": "tag_count", "active": active + len(devices)},
                    condition="attribute_not_exists(pk)")
        for device in devices:
            uow.put(_device_item(device), condition="attribute_not_exists(pk)")
        uow.commit("tags were ordered meanwhile; try again")

    def retire_device(self, old: Device, retired: Device) -> None:
        active, counted = self.active_tags(old.provider_id)
        uow = UnitOfWork(self.table, SOURCE)
        uow.put(_device_item(retired), condition="#s = :s", names={"#s": "status"}, values={":s": old.status})
        if counted and active > 0:
            uow.update(_tag_count_key(old.provider_id), "SET active = active - :one",
                       condition="active = :seen", values={":one": 1, ":seen": active})
        uow.commit("the tag changed meanwhile; try again")
