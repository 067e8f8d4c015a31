"""Cases in the e-services table: the case item, a person's cases (``gsi1``), the case workers'
inbox (``gsi2``, one partition per status) and the yearly case-number counters."""
from __future__ import annotations

from typing import Any

from ...adapters.dynamo import next_number, query_all
from ...adapters.dynamo import translated_errors
from ...adapters.store import ItemStore
from ..domain.cases import Case, owned_by

INBOX_PK = "INBOX"
CASE_NUMBER_SK = "CASENUMBER"


def case_number_key(case_number: str) -> dict[str, str]:
    """The lookup item of a case number (written with the case): a search by case number reads it
    and the case, never the inbox's index."""
    return {"pk": f"CASENUMBER#{case_number}", "sk": CASE_NUMBER_SK}


def case_key(case_id: str) -> dict[str, str]:
    return {"pk": f"CASE#{case_id}", "sk": "CASE"}


def case_indexes(case: Case) -> dict[str, str]:
    return {
        # Mina sidor: a person's cases, newest first.
        "gsi1pk": f"PERSON#{case.owner}", "gsi1sk": f"CASE#{case.submitted_at.isoformat()}#{case.case_id}",
        # The case workers' inbox, one partition per status, by submit time (casework/inbox_index.py).
        "gsi2pk": f"{INBOX_PK}#{case.status}", "gsi2sk": f"{case.submitted_at.isoformat()}#{case.case_id}",
    }


class DynamoCaseNumbers:
    """Readable and unique case numbers: ``2026-000042`` (one counter per year)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def next(self, year: int) -> str:
        return f"{year}-{next_number(self.table, f'case-number#{year}'):06d}"


class DynamoCaseRepository(ItemStore[Case]):
    model = Case
    entity = "case"
    missing = "no such case"

    def key(self, case_id: str) -> dict[str, str]:
        return case_key(case_id)

    def ident(self, case: Case) -> tuple[str]:
        return (case.case_id,)

    def indexes(self, case: Case) -> dict[str, str]:
        return case_indexes(case)

    def items(self, case: Case) -> list[dict[str, Any]]:
        """Every item a new case is stored as (seeds and bulk loads write these): the case and its
        case number's lookup item."""
        return [self.item(case), {**case_number_key(case.case_number), "type": "case_number", "case_id": case.case_id}]

    def add(self, uow: Any, case: Case) -> Case:
        """The case and its case number's lookup item, both new, in ``uow``."""
        for item in self.items(case):
            uow.put(item, condition="attribute_not_exists(pk)")
        return case

    def by_case_number(self, case_number: str) -> Case | None:
        with translated_errors(self.conflict):
            found = self.table.get_item(Key=case_number_key(case_number)).get("Item")
        return None if found is None else self.find(found["case_id"])

    def get_owned(self, case_id: str, owner: str) -> Case:
        return owned_by(self.find(case_id), owner)

    def of_person(self, owner: str) -> list[Case]:
        items = query_all(self.table, IndexName="gsi1", ScanIndexForward=False,
                          KeyConditionExpression="gsi1pk = :pk AND begins_with(gsi1sk, :c)",
                          ExpressionAttributeValues={":pk": f"PERSON#{owner}", ":c": "CASE#"})
        return [self.load(i) for i in items]

    def save_in(self, uow: Any, case: Case, *, expected_version: int) -> Case:
        """Adds the changed case to ``uow``; the commit fails with 409 if someone changed it since."""
        return self.replace(uow, case, expected_version=expected_version)
