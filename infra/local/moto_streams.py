"""What the embedded moto server needs from us: table streams that keep transactions cheap, and
no needless work per request.

moto's ``TransactWriteItems`` deep-copies each table it writes (its rollback copy), and a table
holds its whole stream history: with a stream, a transaction's cost grows with every change the
table ever had (measured: 0.5 s → 1.6 s per transaction at 2,000 items). Stream records are never
changed once written, so the rollback copy needs a copy of the list, not of each record; a
cancelled transaction still drops the records its partial writes appended.

The rollback copy of the table itself is made the same way: its dict of partitions is copied, and
only the partitions the transaction writes are copied deeply (moto changes an updated item in
place; the others are not changed by the transaction); the copy of a 20,000-item table no longer costs a deep copy of
every item on each transaction, and a copy is never taken while another thread's write changes the
dict it walks (moto answers each connection in its own thread: the visits processor writes its
client-days, each a transaction with its month summary, several at a time). Transactions are taken
one at a time, as their snapshot and rollback assume. Installed in the process that runs the
embedded moto server (the local stack, the tests, the benchmarks); no effect elsewhere.
"""
from __future__ import annotations

import copy
import threading
from typing import Any

_TRANSACTION = threading.Lock()
_writing = threading.local()  # the (table, partition key) pairs the running transaction writes


def install() -> None:
    from moto import backends
    from moto.dynamodb.models.table import StreamShard

    if getattr(StreamShard, "_history_shared_on_copy", False):
        return
    # The server asks for this list on every request and lists moto's package folder afresh each time
    # (a stat per service, some 6% of the server's time in the visits benchmark); the folder never changes.
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules

    def __deepcopy__(self: Any, memo: dict) -> Any:
        clone = StreamShard.__new__(StreamShard)
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            clone.__dict__[name] = list(value) if name == "items" else copy.deepcopy(value, memo)
        return clone

    StreamShard.__deepcopy__ = __deepcopy__
    StreamShard._history_shared_on_copy = True
    _cheap_transaction_rollback()


def _cheap_transaction_rollback() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    def table_copy(self: Any, memo: dict) -> Any:
        clone = Table.__new__(Table)
        memo[id(self)] = clone
        written = {h for name, h in getattr(_writing, "keys", ()) if name == self.name}
        for name, value in self.__dict__.items():
            if name != "items":
                clone.__dict__[name] = copy.deepcopy(value, memo)
                continue
            items = copy.copy(value)  # one C-level step (no key hashed again), whatever other threads write
            for h in written:
                if h in value:
                    items[h] = copy.deepcopy(value[h], memo)
            clone.__dict__[name] = items
        return clone

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        keys = set()
        for entry in transact_items:
            for _, op in entry.items():
                table = self.tables.get(op.get("TableName"))
                raw = (op.get("Item") or op.get("Key") or {}).get(table.hash_key_attr) if table else None
                if raw is not None:
                    keys.add((table.name, DynamoType(raw)))
        with _TRANSACTION:
            _writing.keys = keys
            try:
                return original(self, transact_items)
            finally:
                _writing.keys = ()

    Table.__deepcopy__ = table_copy
    DynamoDBBackend.transact_write_items = transact_write_items
