"""A client's absences: ``PROVIDER#<provider>`` / ``ABSENCE#<client>#<start>#<id>``, each written
with its ``absence.registered`` in its own outbox (an ended absence: its revision 2, the same event
again with its end, under a new event id)."""
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

    @staticmethod
    def _item(a: Absence, event: Event, now: datetime) -> dict[str, Any]:
        pk, sk = f"PROVIDER#{a.provider_id}", f"ABSENCE#{a.client}#{a.starts_on}#{a.absence_id}"
        envelope = event.envelope(SOURCE, occurred_at=now,
                                  event_id=event_id_for(pk, sk, a.revision, event.event_type))
        return to_dynamo({"pk": pk, "sk": sk, "type": "absence", **a.model_dump(mode="json"),
                          "outbox": [envelope.model_dump_json()]})

    def add_absence(self, a: Absence, event: Event, now: datetime) -> None:
        """The absence, with its AbsenceRegistered in the item's outbox."""
        with translated_errors("the absence exists already"):
            self.table.put_item(Item=self._item(a, event, now), ConditionExpression="attribute_not_exists(pk)")

    def end_absence(self, old: Absence, ended: Absence, event: Event, now: datetime) -> None:
        """The ended absence, if still at the revision read (an item from before revisions is 1)."""
        with translated_errors("the absence changed meanwhile; reload it"):
            self.table.put_item(
                Item=self._item(ended, event, now),
                ConditionExpression="attribute_exists(pk) AND (revision = :r OR attribute_not_exists(revision))"
                if old.revision == 1 else "revision = :r",
                ExpressionAttributeValues={":r": old.revision})

    def absences_of(self, provider: str, client: str | None = None) -> list[Absence]:
        items = query_partition(self.table, f"PROVIDER#{provider}", f"ABSENCE#{client}#" if client else "ABSENCE#")
        return [Absence.model_validate(i) for i in items]
