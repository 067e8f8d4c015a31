"""Relatives' approvals in the e-services table: beside the citizen (``PERSON#``), by the
relative (``gsi1``) and by the approval's id alone (``gsi2``)."""
from __future__ import annotations

from datetime import date

from ...adapters.dynamo import query_partition, translated_errors
from ...adapters.store import ItemStore
from ..domain.relatives import RelativeApproval


class DynamoApprovalRepository(ItemStore[RelativeApproval]):
    model = RelativeApproval
    entity = "relative_approval"
    missing = "no such approval"

    def key(self, citizen: str, approval_id: str) -> dict[str, str]:
        return {"pk": f"PERSON#{citizen}", "sk": f"RELATIVE#{approval_id}"}

    def ident(self, a: RelativeApproval) -> tuple[str, str]:
        return (str(a.citizen), a.approval_id)

    def indexes(self, a: RelativeApproval) -> dict[str, str]:
        return {"gsi1pk": f"RELATIVE#{a.relative}", "gsi1sk": f"{a.citizen}#{a.approval_id}",
                # One approval by its id alone (case workers' URLs carry no personnummer).
                "gsi2pk": f"APPROVAL#{a.approval_id}", "gsi2sk": "APPROVAL"}

    def _query(self, pk: str, sk_prefix: str | None = None, index: str | None = None) -> list[RelativeApproval]:
        with translated_errors(self.conflict):
            return [self.load(i) for i in query_partition(self.table, pk, sk_prefix, index=index)]

    def of_citizen(self, citizen: str) -> list[RelativeApproval]:
        return self._query(f"PERSON#{citizen}", "RELATIVE#")

    def of_relative(self, relative: str) -> list[RelativeApproval]:
        return self._query(f"RELATIVE#{relative}", index="gsi1")

    def by_id(self, approval_id: str) -> RelativeApproval:
        found = self._query(f"APPROVAL#{approval_id}", index="gsi2")
        if not found:
            raise self.not_found()
        return self.get(found[0].citizen, found[0].approval_id)  # the table, consistently

    def put(self, approval: RelativeApproval) -> None:
        self.put_now(approval)

    def active_approval(self, citizen: str, relative: str, day: date) -> RelativeApproval | None:
        return next((a for a in self.of_relative(relative) if a.citizen == citizen and a.active_on(day)), None)
