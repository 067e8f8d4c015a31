"""Records the events reports and billing consume: change markers and granted time."""
from __future__ import annotations

from typing import Any

from ..adapters.dynamo import query_all, to_dynamo
from ..contracts.events import AbsenceRegistered, DecisionPublished, Envelope, VisitChanged
from ..observability import get_logger


def record(table: Any, envelope: Envelope, service: str) -> str:
    """Stores what the event means for this service; returns what it did (for tests and logs)."""
    event = envelope.parse()
    if isinstance(event, VisitChanged):
        _mark_changed(table, event.year, event.month, event.provider_id, str(event.client), envelope)
        return "marked"
    if isinstance(event, AbsenceRegistered):
        _mark_changed(table, event.starts_on.year, event.starts_on.month, event.provider_id, str(event.client),
                      envelope)
        return "marked"
    if isinstance(event, DecisionPublished):
        table.put_item(Item=to_dynamo({
            "pk": f"GRANTED#{event.client}", "sk": f"{event.insats}#{event.valid_from.isoformat()}#{event.decision_id}",
            **event.model_dump(mode="json"), "received_event_id": envelope.event_id}))
        return "granted"
    get_logger(service).info("event kept for later rounds", extra={"event_type": envelope.event_type})
    return "ignored"


def _mark_changed(table: Any, year: int, month: int, provider: str, client: str, envelope: Envelope) -> None:
    # One marker per month/provider/client: setting it twice, or out of order, means the same.
    table.update_item(
        Key={"pk": f"CHANGED#{year:04d}-{month:02d}", "sk": f"{provider}#{client}"},
        UpdateExpression="SET dirty = :yes ADD event_ids :id",
        ExpressionAttributeValues={":yes": True, ":id": {envelope.event_id}},
    )


def changed_in(table: Any, year: int, month: int) -> list[dict]:
    return query_all(table, KeyConditionExpression="pk = :pk",
                     ExpressionAttributeValues={":pk": f"CHANGED#{year:04d}-{month:02d}"})


def handler_for(service: str):  # noqa: ANN201
    """The record handler of ``service``'s inbox queue (reports or billing)."""
    from ..aws import table

    def record_event(envelope: Envelope) -> str:
        return record(table(service), envelope, service)

    return record_event
