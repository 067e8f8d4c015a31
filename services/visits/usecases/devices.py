"""The tag and lock registry: ordering within the provider's limit, binding, retiring, listing."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...domain.errors import Conflict, NotFound, ValidationFailed
from ..domain import rules
from ..domain.model import Device, RejectedEvent, Visit
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


@dataclass(frozen=True)
class DeviceFailures:
    """A device's failures: the manual receipts at its client this month (the staff could not use
    a tag or lock there: the reason says why) and the rejected events naming it."""

    device: Device
    manual_visits: list[Visit]
    rejected: list[RejectedEvent]
    complete: bool  # the provider's rejected events were looked through to the end


def rejected_by_device(deps: VisitsDeps, who: Principal) -> tuple[dict[str, list[RejectedEvent]], bool]:
    """The provider's rejected events by the device they name, from one bounded look through
    (``own.scan_rejected``: at most 500 of them), and whether it reached the end."""
    from .own import scan_rejected

    scan = scan_rejected(deps, who.provider_id or "", lambda r: bool(r.event.receipt.device_id))
    grouped: dict[str, list[RejectedEvent]] = {}
    for r in scan.events:
        grouped.setdefault(str(r.event.receipt.device_id), []).append(r)
    return grouped, scan.complete


def device_failures(deps: VisitsDeps, who: Principal, device_id: str, year: int, month: int) -> DeviceFailures:
    """One device of the caller's provider (another's is not found) with its failures: its client's
    month (one client's, never the provider's) and the bounded look through the rejected events."""
    device = _own_device(deps, who, device_id)
    manual = [v for v in deps.days.visits_of_month(device.provider_id, year, month, str(device.client))
              if "manual" in v.receipt_methods] if device.client is not None else []
    grouped, complete = rejected_by_device(deps, who)
    return DeviceFailures(device=device, manual_visits=manual, rejected=grouped.get(device.device_id, []),
                          complete=complete)
