"""The tag and lock registry: ordering within the provider's limit, binding, retiring, listing."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...domain.errors import Conflict, NotFound, ValidationFailed
from ..domain import rules
from ..domain.model import Device
from ..schemas import DeviceView, TagQuery
from .guards import provider_asked

if TYPE_CHECKING:
    from ..ports import VisitsDeps


def order_tags(deps: VisitsDeps, who: Principal, count: int, kind: str) -> list[DeviceView]:
    """Tags are ordered per provider in limited numbers: a counter of active tags, changed in the
    same transaction as the tags, keeps two concurrent orders from passing the limit together."""
    provider = who.provider_id or ""
    active, counted = deps.devices.active_tags(provider)
    refusal = rules.tag_room(active, count, deps.tag_limit)
    if refusal:
        raise Conflict(refusal)
    now = deps.clock()
    made = [Device(device_id=f"{'TAG' if kind == 'nfc' else 'LOCK'}-{uuid.uuid4().hex[:12].upper()}", kind=kind,
                   provider_id=provider, ordered_at=now) for _ in range(count)]
    deps.devices.order_devices(provider, made, (active, counted))
    return [DeviceView.of(d) for d in made]


def _own_device(deps: VisitsDeps, who: Principal, device_id: str) -> Device:
    device = deps.devices.get_device(device_id)
    if device is None or device.provider_id != who.provider_id:
        raise NotFound("no such tag or lock")
    return device


def bind_tag(deps: VisitsDeps, who: Principal, device_id: str, client: str) -> DeviceView:
    device = _own_device(deps, who, device_id)
    refusal = rules.bind_refusal(device)
    if refusal:
        raise Conflict(refusal)
    bound = device.model_copy(update={"client": client, "status": "bound", "bound_at": deps.clock()})
    deps.devices.bind_device(bound)
    return DeviceView.of(bound)


def retire_tag(deps: VisitsDeps, who: Principal, device_id: str) -> DeviceView:
    device = _own_device(deps, who, device_id)
    if device.status == "retired":
        raise Conflict("the tag is retired already")
    retired = device.model_copy(update={"status": "retired", "retired_at": deps.clock()})
    deps.devices.retire_device(device, retired)
    return DeviceView.of(retired)


def list_devices(deps: VisitsDeps, who: Principal, query: TagQuery) -> list[DeviceView]:
    provider = provider_asked(who, query.provider_id)
    if provider is None:
        raise ValidationFailed.field("query.provider_id", "name the provider")
    return [DeviceView.of(d) for d in sorted(deps.devices.devices_of(provider), key=lambda d: d.device_id)]
