"""Where messages live: a thread item (``THREAD#<id>``/``THREAD``) with its messages beside it
(``MSG#<sent>#<id>``), found by citizen (``gsi1``) and by case worker (``gsi2``), newest first;
and the uploads (``UPLOAD#<id>``) that expire unless a message attaches them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ....adapters.dynamo import UnitOfWork, query_partition, translated_errors
from ....adapters.store import ItemStore
from ..domain.messages import UPLOAD_TTL_SECONDS, Message, Party, Thread, Upload


class ThreadRepository(ItemStore[Thread]):
    model = Thread
    entity = "thread"
    missing = "no such thread"

    def key(self, thread_id: str) -> dict[str, str]:  # type: ignore[override]
        return {"pk": f"THREAD#{thread_id}", "sk": "THREAD"}

    def ident(self, t: Thread) -> tuple[str]:
        return (t.thread_id,)

    def indexes(self, t: Thread) -> dict[str, str]:
        return {"gsi1pk": f"PERSON#{t.citizen}", "gsi1sk": f"THREAD#{t.last_message_at.isoformat()}#{t.thread_id}",
                "gsi2pk": f"STAFF_THREADS#{t.case_worker_id}",
                "gsi2sk": f"{t.last_message_at.isoformat()}#{t.thread_id}"}

    def touch(self, uow: UnitOfWork, thread: Thread, at: datetime, unread_for: Party) -> None:
        """A new message in an existing thread: it moves to the top and is unread for ``unread_for``."""
        moved = self.indexes(thread.model_copy(update={"last_message_at": at}))
        uow.update(self.key(thread.thread_id), "SET last_message_at = :at, gsi1sk = :g1, gsi2sk = :g2 ADD #u :one",
                   names={"#u": f"unread_{unread_for}"},
                   values={":at": at.isoformat(), ":one": 1, ":g1": moved["gsi1sk"], ":g2": moved["gsi2sk"]},
                   condition="attribute_exists(pk)")

    def clear_unread(self, thread_id: str, party: Party) -> None:
        self.table.update_item(Key=self.key(thread_id), UpdateExpression="SET #u = :zero",
                               ExpressionAttributeNames={"#u": f"unread_{party}"},
                               ExpressionAttributeValues={":zero": 0})

    def of_citizen(self, citizen: str) -> list[Thread]:
        return [self.load(i) for i in query_partition(self.table, f"PERSON#{citizen}", "THREAD#", index="gsi1",
                                                      ScanIndexForward=False)]

    def of_case_worker(self, user_id: str) -> list[Thread]:
        return [self.load(i) for i in query_partition(self.table, f"STAFF_THREADS#{user_id}", index="gsi2",
                                                      ScanIndexForward=False)]


class MessageRepository(ItemStore[Message]):
    model = Message
    entity = "message"
    missing = "no such message"

    def key(self, thread_id: str, sent_at: str, message_id: str) -> dict[str, str]:  # type: ignore[override]
        return {"pk": f"THREAD#{thread_id}", "sk": f"MSG#{sent_at}#{message_id}"}

    def ident(self, m: Message) -> tuple[str, str, str]:
        return (m.thread_id, m.sent_at.isoformat(), m.message_id)

    def of_thread(self, thread_id: str) -> list[Message]:
        """Oldest first."""
        return [self.load(i) for i in query_partition(self.table, f"THREAD#{thread_id}", "MSG#", ConsistentRead=True)]

    def mark_read(self, message: Message, at: datetime) -> None:
        with translated_errors():
            self.table.update_item(Key=self.key(*self.ident(message)), UpdateExpression="SET read_at = :at",
                                   ConditionExpression="attribute_exists(pk)",
                                   ExpressionAttributeValues={":at": at.isoformat()})

    def mark_journaled(self, message: Message, at: datetime, by: str) -> None:
        with translated_errors():
            self.table.update_item(Key=self.key(*self.ident(message)),
                                   UpdateExpression="SET journaled_at = :at, journaled_by = :by",
                                   # a message stored before has no attribute; one stored since has it NULL
                                   ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(journaled_at)"
                                                       " OR attribute_type(journaled_at, :null))",
                                   ExpressionAttributeValues={":at": at.isoformat(), ":by": by, ":null": "NULL"})


class UploadRepository(ItemStore[Upload]):
    model = Upload
    entity = "upload"
    missing = "no such upload"

    def key(self, upload_id: str) -> dict[str, str]:  # type: ignore[override]
        return {"pk": f"UPLOAD#{upload_id}", "sk": "UPLOAD"}

    def ident(self, u: Upload) -> tuple[str]:
        return (u.upload_id,)

    def indexes(self, u: Upload) -> dict[str, Any]:
        # Never attached, it goes (the file under the uploads prefix expires the same day).
        return {} if u.used else {"ttl": int(u.created_at.timestamp()) + UPLOAD_TTL_SECONDS}

    def attach(self, uow: UnitOfWork, upload_id: str, owner: str) -> None:
        """Marks the upload used (and no longer expiring); the commit fails with Conflict if it
        was used meanwhile or is someone else's. An upload is attached once, by its owner."""
        uow.update(self.key(upload_id), "SET #used = :yes REMOVE #ttl",
                   names={"#used": "used", "#ttl": "ttl", "#owner": "owner"},
                   values={":yes": True, ":no": False, ":me": owner}, condition="#used = :no AND #owner = :me")
