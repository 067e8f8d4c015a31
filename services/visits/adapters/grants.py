"""Granted time: ``GRANTED#<client>`` / ``DECISIONS`` (the projection of published decisions, one
attribute per decision, so a batch reads many clients' at once) and ``WAITING#<provider>#<yyyy-mm>``
(months with visits that wait for a decision)."""
from __future__ import annotations

import json
from typing import Any, Iterable

from ...adapters.dynamo import query_partition, translated_errors
from .batches import batch_put


def decisions_key(client: str) -> dict[str, str]:
    return {"pk": f"GRANTED#{client}", "sk": "DECISIONS"}


def decisions_from(item: dict | None) -> list[dict[str, Any]]:
    """The decisions an item holds, as the events carried them, in the order they took effect."""
    return sorted((json.loads(v) for k, v in (item or {}).items() if k.startswith("d_")),
                  key=lambda d: (str(d.get("valid_from")), str(d.get("decision_id"))))


def waiting_item(client: str, provider: str, month: tuple[int, int]) -> dict[str, Any]:
    return {"pk": f"GRANTED#{client}", "sk": f"WAITING#{provider}#{month[0]:04d}-{month[1]:02d}",
            "entity": "waiting", "provider_id": provider, "year": month[0], "month": month[1]}


class DynamoGrants:
    def __init__(self, table: Any) -> None:
        self.table = table

    def put_granted(self, decision: dict[str, Any]) -> None:
        """One attribute per decision: a redelivered decision sets the same value again. A decision
        naming the case's case worker also puts ``CASEWORKER#<id>`` / ``CLIENT#<client>`` (the same
        item again on a redelivery), so the case worker's clients are one query."""
        with translated_errors():
            self.table.update_item(Key=decisions_key(str(decision["client"])),
                                   UpdateExpression="SET #d = :d",
                                   ExpressionAttributeNames={"#d": f"d_{decision['decision_id']}"},
                                   ExpressionAttributeValues={":d": json.dumps(decision, default=str)})
            if decision.get("case_worker_id"):
                self.table.put_item(Item={"pk": f"CASEWORKER#{decision['case_worker_id']}",
                                          "sk": f"CLIENT#{decision['client']}", "entity": "case_worker_client",
                                          "client": str(decision["client"])})

    def clients_of_case_worker(self, case_worker: str) -> list[str]:
        items = query_partition(self.table, f"CASEWORKER#{case_worker}", "CLIENT#")
        return sorted({str(i["client"]) for i in items})

    def decisions_of(self, client: str) -> list[dict[str, Any]]:
        """The client's published decisions, as the events carried them."""
        return decisions_from(self.table.get_item(Key=decisions_key(client), ConsistentRead=True).get("Item"))

    def waiting_months(self, client: str) -> list[tuple[str, int, int]]:
        """The (provider, year, month) with visits of the client that wait for a decision."""
        items = query_partition(self.table, f"GRANTED#{client}", "WAITING#")
        return [(i["provider_id"], int(i["year"]), int(i["month"])) for i in items]

    def put_waiting(self, marks: Iterable[tuple[str, str, tuple[int, int]]]) -> None:
        """Marks (client, provider, month)s whose visits wait for a decision."""
        batch_put(self.table, (waiting_item(*m) for m in marks))

    def stop_waiting(self, client: str, provider: str, year: int, month: int) -> None:
        item = waiting_item(client, provider, (year, month))
        self.table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
