"""A person's profile and the stored contact details, in the e-services table."""
from __future__ import annotations

from typing import Any

from ...adapters.dynamo import from_dynamo, to_dynamo, translated_errors
from ..domain.people import Profile

PERSON = "PERSON#"


class DynamoProfileRepository:
    """A person's profile: one item beside their drafts, written whole (the last choice wins)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    @staticmethod
    def key(personnummer: str) -> dict[str, str]:
        return {"pk": f"{PERSON}{personnummer}", "sk": "PROFILE"}

    def get(self, personnummer: str) -> Profile:
        with translated_errors():
            item = self.table.get_item(Key=self.key(personnummer)).get("Item")
        return Profile.model_validate(from_dynamo(item)) if item else Profile()

    def item(self, personnummer: str, profile: Profile) -> dict[str, Any]:
        return {**self.key(personnummer), "type": "profile", **profile.model_dump(mode="json")}

    def save(self, uow: Any, personnummer: str, profile: Profile) -> None:
        """Stages the profile in ``uow``."""
        uow.put(self.item(personnummer, profile))

    def put(self, personnummer: str, profile: Profile) -> None:
        with translated_errors():
            self.table.put_item(Item=to_dynamo(self.item(personnummer, profile)))


class DynamoStoredContacts:
    """The stored contact details (profiles and case work's messaging settings) as raw items,
    for the one-off repair: read every one, and write one back only if it is unchanged."""

    KINDS = ("PROFILE", "MESSAGING")

    def __init__(self, table: Any) -> None:
        self.table = table

    def all(self) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {"FilterExpression": "sk IN (:p, :m)",
                                  "ExpressionAttributeValues": {":p": self.KINDS[0], ":m": self.KINDS[1]}}
        items: list[dict[str, Any]] = []
        while True:
            with translated_errors():
                page = self.table.scan(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return [from_dynamo(i) for i in items]
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    @staticmethod
    def person_of(item: dict[str, Any]) -> str:
        """Whose contact details ``item`` holds."""
        return str(item["pk"]).removeprefix(PERSON)

    def replace_if_unchanged(self, uow: Any, old: dict[str, Any], new: dict[str, Any],
                             watched: tuple[str, ...]) -> None:
        """Stages ``new`` on the condition that the ``watched`` attributes of ``old`` still hold."""
        names = {f"#{k}": k for k in watched if old.get(k) is not None}
        condition = " AND ".join(f"#{k} = :{k}" for k in names.values()) or "attribute_exists(pk)"
        uow.put(new, condition=condition, names=names or None,
                values={f":{k}": old[k] for k in names.values()} or None)
