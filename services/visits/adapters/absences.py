"""A client's absences: ``PROVIDER#<provider>`` / ``ABSENCE#<client>#<start>#<id>``, each written
with its ``absence.registered`` in its own outbox."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...adapters.dynamo import query_partition, to_dynamo, translated_errors
from ...adapters.outbox import event_id_for
from ..domain.model import Absence
from .batches import SOURCE

if TYPE_CHECKING:
    from ...contracts.events import Event


class DynamoAbsences:
    def __init__(self, table: Any) -> None:
        self.table = table

    def add_absence(self, a: Absence, event: Event, now: datetime) -> None:
        """The absence, with its AbsenceRegistered in the item's outbox."""
        pk, sk = f"PROVIDER#{a.provider_id}", f"ABSENCE#{a.client}#{a.starts_on}#{a.absence_id}"
        envelope = event.envelope(SOURCE, occurred_at=now, event_id=event_id_for(pk, sk, 1, event.event_type))
        with translated_errors("the absence exists already"):
            self.table.put_item(Item=to_dynamo({"pk": pk, "sk": sk, "type": "absence", **a.model_dump(mode="json"),
                                                "outbox": [envelope.model_dump_json()]}),
                                ConditionExpression="attribute_not_exists(pk)")

    def absences_of(self, provider: str, client: str | None = None) -> list[Absence]:
        items = query_partition(self.table, f"PROVIDER#{provider}", f"ABSENCE#{client}#" if client else "ABSENCE#")
        return [Absence.model_validate(i) for i in items]
