"""The local stack's data across restarts: every DynamoDB table's items and every S3 object,
dumped to ``<state dir>/aws-state`` when the stack stops (and every few minutes while it runs),
loaded into the fresh embedded AWS when it starts.

moto keeps everything in memory and has no persistence of its own (its request recorder
replays every call, queue sends included, which would run consumers twice), so we dump and
load the data itself through the ordinary APIs. What is written between two dumps is journaled
(``journal.py``) and replayed on top of the last dump. Queues are not kept: the pumps drain them
while the stack runs; what sits in a DLQ at shutdown is lost. ``make run CLEAN=1`` (or
``make clean-data``) starts from nothing.

A dump is written beside the last one and swapped in by renames, so a stack killed in the
middle of one keeps the previous dump.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import shutil
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger("insats.state")
DIRNAME = "aws-state"
_saving = threading.Lock()  # the periodic dump and the one at shutdown never write at once


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"cannot store {type(value).__name__}")


def _decode(obj: dict) -> Any:
    if set(obj) == {"$b64"}:
        return base64.b64decode(obj["$b64"])
    return obj


def save(session: Any, state_dir: Path, journal: Any = None) -> dict[str, int]:
    """Dumps every table and bucket; returns counts. With the stack's ``journal``, its segments up
    to the dump's start are deleted once the dump is in place (later writes stay journaled)."""
    with _saving:
        covered = journal.rotate() if journal is not None else None
        counts = _save(session, state_dir)
        if journal is not None:
            journal.forget_through(covered)
        return counts


def _save(session: Any, state_dir: Path) -> dict[str, int]:
    target = Path(state_dir) / DIRNAME
    work = target.with_name(DIRNAME + ".new")
    shutil.rmtree(work, ignore_errors=True)
    (work / "s3").mkdir(parents=True)
    dynamodb, s3 = session.client("dynamodb"), session.client("s3")
    tables: dict[str, list] = {}
    for page in dynamodb.get_paginator("list_tables").paginate():
        for name in page["TableNames"]:
            tables[name] = [item for p in dynamodb.get_paginator("scan").paginate(TableName=name)
                            for item in p.get("Items", [])]
    buckets: dict[str, list] = {}
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        buckets[name] = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            for obj in page.get("Contents", []):
                got = s3.get_object(Bucket=name, Key=obj["Key"])
                blob = hashlib.sha256(f"{name}/{obj['Key']}".encode()).hexdigest()
                (work / "s3" / blob).write_bytes(got["Body"].read())
                buckets[name].append({"key": obj["Key"], "blob": blob, "content_type": got.get("ContentType"),
                                      "metadata": got.get("Metadata") or {}})
    (work / "data.json").write_text(json.dumps({"version": 1, "tables": tables, "buckets": buckets},
                                               default=_encode))
    old = target.with_name(DIRNAME + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    work.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return {"items": sum(len(v) for v in tables.values()), "objects": sum(len(v) for v in buckets.values())}


def load(session: Any, state_dir: Path) -> dict[str, int] | None:
    """Loads the last dump into tables and buckets that already exist; None when there is none."""
    source = Path(state_dir) / DIRNAME
    if not (source / "data.json").exists():
        old = source.with_name(DIRNAME + ".old")  # killed between the two renames
        if not (old / "data.json").exists():
            return None
        source = old
    data = json.loads((source / "data.json").read_text(), object_hook=_decode)
    dynamodb, s3 = session.client("dynamodb"), session.client("s3")
    existing = {n for p in dynamodb.get_paginator("list_tables").paginate() for n in p["TableNames"]}
    items = objects = 0
    for name, rows in data.get("tables", {}).items():
        if name not in existing:
            log.warning("state: table %s no longer exists; its %d items are not loaded", name, len(rows))
            continue
        for start in range(0, len(rows), 25):
            requests: Any = {name: [{"PutRequest": {"Item": row}} for row in rows[start:start + 25]]}
            for _ in range(10):
                left = dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
                if not left:
                    break
                requests = left
        items += len(rows)
    buckets = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for name, objs in data.get("buckets", {}).items():
        if name not in buckets:
            log.warning("state: bucket %s no longer exists; its %d objects are not loaded", name, len(objs))
            continue
        for obj in objs:
            extra: dict[str, Any] = {"Metadata": obj.get("metadata") or {}}
            if obj.get("content_type"):
                extra["ContentType"] = obj["content_type"]
            s3.put_object(Bucket=name, Key=obj["key"], Body=(source / "s3" / obj["blob"]).read_bytes(), **extra)
            objects += 1
    return {"items": items, "objects": objects}


def clear(state_dir: Path) -> None:
    for suffix in ("", ".new", ".old"):
        shutil.rmtree(Path(state_dir) / (DIRNAME + suffix), ignore_errors=True)
    shutil.rmtree(Path(state_dir) / "journal", ignore_errors=True)  # journal.DIRNAME: writes after the dump
