"""The devices port: tags and locks, and the provider's counter of active ones that keeps two
orders from passing the tag limit together; the adapter and the fake alike."""
from __future__ import annotations

import uuid

import pytest

from services.domain.errors import Conflict
from services.visits.domain.model import Device
from tests.support.people import new_pnr

from .visits_ports import NOW, a_provider, ports  # noqa: F401


def a_device(provider: str, status: str = "ordered") -> Device:
    return Device(device_id=f"TAG-{uuid.uuid4().hex[:12].upper()}", kind="nfc", provider_id=provider, status=status,
                  ordered_at=NOW)


def test_a_device_is_found_and_listed_by_its_provider_in_id_order(ports):
    provider = a_provider()
    assert ports.devices.get_device("TAG-NOWHERE") is None
    mine = [a_device(provider) for _ in range(3)]
    for d in mine:
        ports.devices.put_device(d)
    ports.devices.put_device(a_device(a_provider()))
    assert ports.devices.get_device(mine[0].device_id) == mine[0]
    assert ports.devices.devices_of(provider) == sorted(mine, key=lambda d: d.device_id)


def test_active_tags_are_counted_until_the_first_order_and_the_counter_keeps_them_after(ports):
    # GIVEN a provider with two devices registered as they are (one retired) and no order yet
    provider = a_provider()
    ports.devices.put_device(a_device(provider, "bound"))
    ports.devices.put_device(a_device(provider, "retired"))
    assert ports.devices.active_tags(provider) == (1, False)
    # WHEN three are ordered THEN the counter exists and counts four
    seen = ports.devices.active_tags(provider)
    ports.devices.order_devices(provider, [a_device(provider) for _ in range(3)], seen)
    assert ports.devices.active_tags(provider) == (4, True)
    assert len(ports.devices.devices_of(provider)) == 5
    # AND an order made on what was seen before that is refused, and stores nothing
    late = a_device(provider)
    with pytest.raises(Conflict):
        ports.devices.order_devices(provider, [late], seen)
    with pytest.raises(Conflict):
        ports.devices.order_devices(provider, [late], (1, True))
    assert ports.devices.get_device(late.device_id) is None
    assert ports.devices.active_tags(provider) == (4, True)


def test_a_tag_is_bound_once(ports):
    provider = a_provider()
    tag = a_device(provider)
    ports.devices.order_devices(provider, [tag], ports.devices.active_tags(provider))
    bound = tag.model_copy(update={"status": "bound", "client": new_pnr(1940), "bound_at": NOW})
    ports.devices.bind_device(bound)
    assert ports.devices.get_device(tag.device_id) == bound
    with pytest.raises(Conflict):
        ports.devices.bind_device(bound)
    with pytest.raises(Conflict):  # one never ordered
        ports.devices.bind_device(a_device(provider).model_copy(update={"status": "bound"}))


def test_retiring_a_tag_counts_it_out_and_only_as_it_was_read(ports):
    provider = a_provider()
    tags = [a_device(provider) for _ in range(2)]
    ports.devices.order_devices(provider, tags, ports.devices.active_tags(provider))
    retired = tags[0].model_copy(update={"status": "retired", "retired_at": NOW})
    ports.devices.retire_device(tags[0], retired)
    assert ports.devices.get_device(tags[0].device_id).status == "retired"
    assert ports.devices.active_tags(provider) == (1, True)
    with pytest.raises(Conflict):  # read as ordered, retired meanwhile
        ports.devices.retire_device(tags[0], retired)
    assert ports.devices.active_tags(provider) == (1, True)
