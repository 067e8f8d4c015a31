"""The eservices-inbox consumer: what other services tell the e-services, each record on its own,
failures reported back (the record comes back; after maxReceiveCount, the DLQ).

- ``notification.delivered``/``failed`` (notify): the newest delivery status per person and
  channel, shown on Mina sidor (``notifications.record_delivery``);
- ``visit.changed`` (visits): how many deviations wait for the case worker on each visit, counted
  on Att göra (``casework/usecases/visit_deviations.record_visit_change``).

Both keep only what is newer than what they hold, so a redelivery or a reordering changes nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...contracts.events import Envelope
from ..casework.usecases.visit_deviations import EVENT_TYPE as VISIT_CHANGED, record_visit_change
from .notifications import record_delivery

if TYPE_CHECKING:
    from ..ports import EservicesDeps


def handle(deps: EservicesDeps, envelope: Envelope) -> None:
    if envelope.event_type == VISIT_CHANGED:
        assert deps.casework is not None
        record_visit_change(deps.casework.visit_deviations, envelope)
    else:
        record_delivery(deps.deliveries, envelope)


def on_events(deps: EservicesDeps, event: Any) -> dict[str, Any]:
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    failures = []
    for record in raw.get("Records", []):
        try:
            handle(deps, Envelope.model_validate_json(record["body"]))
        except Exception:  # noqa: BLE001 - this record comes back; after maxReceiveCount, the DLQ
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
