"""What the embedded moto server needs from us: table streams that keep transactions cheap, and
no needless work per request.

moto's ``TransactWriteItems`` deep-copies each table it writes (its rollback copy), and a table
holds its whole stream history: with a stream, a transaction's cost grows with every change the
table ever had (measured: 0.5 s → 1.6 s per transaction at 2,000 items). Stream records are never
changed once written, so the rollback copy needs a copy of the list, not of each record; a
cancelled transaction still drops the records its partial writes appended. Installed in the
process that runs the embedded moto server (the local stack, the tests, the benchmarks); no
effect elsewhere.
"""
from __future__ import annotations

import copy
from typing import Any


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
