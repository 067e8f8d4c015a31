"""Insats' authorization server's grants in the identity table: a code (``CODE#<sha256>``, used
once: a conditional delete that returns what it removed) and a refresh grant
(``REFRESH#<sha256>``); DynamoDB's TTL removes both once they can no longer be used."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from ...adapters.dynamo import from_dynamo, to_dynamo, translated_errors
from ..domain.grants import CodeGrant, RefreshGrant

REFRESH_KEPT = timedelta(hours=13)  # past the longest login session (12 h): then it can renew nothing


def _code_key(digest: str) -> dict[str, str]:
    return {"pk": f"CODE#{digest}", "sk": "GRANT"}


def _refresh_key(digest: str) -> dict[str, str]:
    return {"pk": f"REFRESH#{digest}", "sk": "GRANT"}


def _strip(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in from_dynamo(item).items() if k not in ("pk", "sk", "ttl", "type")}


class DynamoGrants:
    def __init__(self, table: Any) -> None:
        self.table = table

    def put_code(self, digest: str, grant: CodeGrant, expires_at: datetime) -> None:
        item = {**_code_key(digest), "type": "code_grant", **grant.model_dump(mode="json"),
                "ttl": int(expires_at.timestamp()) + 60}
        with translated_errors():
            self.table.put_item(Item=to_dynamo(item), ConditionExpression="attribute_not_exists(pk)")

    def take_code(self, digest: str) -> CodeGrant | None:
        try:
            old = self.table.delete_item(Key=_code_key(digest), ConditionExpression="attribute_exists(pk)",
                                         ReturnValues="ALL_OLD").get("Attributes")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None  # never issued, or already used: either way, no second use
            with translated_errors():
                raise
        return CodeGrant.model_validate(_strip(old)) if old else None

    def put_refresh(self, digest: str, grant: RefreshGrant) -> None:
        item = {**_refresh_key(digest), "type": "refresh_grant", **grant.model_dump(mode="json"),
                "ttl": int((grant.issued_at + REFRESH_KEPT).timestamp())}
        with translated_errors():
            self.table.put_item(Item=to_dynamo(item))

    def get_refresh(self, digest: str) -> RefreshGrant | None:
        with translated_errors():
            item = self.table.get_item(Key=_refresh_key(digest), ConsistentRead=True).get("Item")
        return RefreshGrant.model_validate(_strip(item)) if item else None

    def drop_refresh(self, digest: str) -> None:
        with translated_errors():
            self.table.delete_item(Key=_refresh_key(digest))
