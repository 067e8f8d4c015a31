"""The web's sessions in the e-services table: one item per session, keyed by the SHA-256 of its
id (the cookie's value is never stored), removed by DynamoDB's TTL a while after the session ends
(``KEEP_AFTER_END``)."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from ....adapters.dynamo import from_dynamo, to_dynamo
from ..sessions import KEEP_AFTER_END, WebSession


def _key(session_id: str) -> dict[str, str]:
    digest = hashlib.sha256(session_id.encode()).hexdigest()
    return {"pk": f"WEBSESSION#{digest}", "sk": "SESSION"}


class SessionRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self, session_id: str | None) -> WebSession | None:
        if not session_id or len(session_id) > 100:
            return None
        item = self.table.get_item(Key=_key(session_id), ConsistentRead=True).get("Item")
        if item is None:
            return None
        data = from_dynamo(item)
        return WebSession.model_validate({k: v for k, v in data.items() if k not in ("pk", "sk", "ttl", "type")}
                                         | {"session_id": session_id})

    def put(self, session: WebSession) -> None:
        data = session.model_dump(mode="json", exclude={"session_id"})
        ttl = int((session.absolute_expires_at + KEEP_AFTER_END).timestamp())
        self.table.put_item(Item=to_dynamo({**_key(session.session_id), "type": "web_session", **data, "ttl": ttl}))

    def delete(self, session_id: str) -> None:
        self.table.delete_item(Key=_key(session_id))

    def keep_alive(self, digest: str, now: datetime, idle: timedelta) -> bool:
        """Whether the logged-in session whose id has SHA-256 ``digest`` has not ended; if so its
        idle end moves on, as a page of its own would move it (the identity service's check before
        it renews a section's token: work in a section keeps the login alive)."""
        key = {"pk": f"WEBSESSION#{digest}", "sk": "SESSION"}
        item = self.table.get_item(Key=key, ConsistentRead=True).get("Item")
        if item is None:
            return False
        data = from_dynamo(item)
        session = WebSession.model_validate({k: v for k, v in data.items() if k not in ("pk", "sk", "ttl", "type")}
                                            | {"session_id": "-"})
        if session.kind != "user" or session.ended(now):
            return False
        self.table.update_item(Key=key, UpdateExpression="SET idle_expires_at = :end",
                               ConditionExpression="attribute_exists(pk)",
                               ExpressionAttributeValues={":end": (now + idle).isoformat()})
        return True

    def end_by_digest(self, digest: str) -> None:
        self.table.delete_item(Key={"pk": f"WEBSESSION#{digest}", "sk": "SESSION"})
