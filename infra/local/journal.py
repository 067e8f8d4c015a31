"""Crash safety for the local stack: every write the embedded AWS acknowledged since the last dump
(``state.py``) is in an append-only journal, fsync'd before the answer leaves, and replayed on
top of the dump at the next start. ``kill -9`` loses nothing that was answered 2xx (or 3xx: an
upload form's redirect).

What is journaled is the *result* of a write, not the request: after moto has applied a write to
a table item or an S3 object, the item's or object's new content (or its absence) is read back and
appended. Replaying results is idempotent (the last content of each item wins, whatever the dump
already holds) where replaying requests is not (an ``ADD``, a conditional put, a queue send that
would run its consumer twice). Reading back and appending happen under one lock, so the journal's
order is the order of what was read: the last line for an item is never older than a write that
was answered before it. Queues are not journaled, as they are not dumped.

The journal is a folder of numbered segments, each a ``log.jsonl`` and the files it stores. A dump
starts a new segment first (``rotate``) and deletes the older ones once it is in place
(``forget_through``), so a write made while the dump runs is in the next segment whether or not
the dump saw it.
"""
from __future__ import annotations

import base64
import html
import io
import json
import logging
import os
import re
import shutil
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, unquote

log = logging.getLogger("insats.journal")
DIRNAME = "journal"
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/")
_DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    def __init__(self, state_dir: Path) -> None:
        self.root = Path(state_dir) / DIRNAME
        self.enabled = False  # off while the dump and the journal are being loaded
        self._lock = threading.Lock()
        self._segment: Path | None = None
        self._log: Any = None

    # -- segments ---------------------------------------------------------------------------------

    def segments(self) -> list[Path]:
        if not self.root.exists():
            return []
        return sorted(p for p in self.root.iterdir() if p.is_dir() and p.name.isdigit())

    def _open_next(self) -> None:
        existing = self.segments()
        number = int(existing[-1].name) + 1 if existing else 1
        self._segment = self.root / f"{number:08d}"
        (self._segment / "files").mkdir(parents=True)
        _fsync_dir(self.root)
        self._log = open(self._segment / "log.jsonl", "ab")  # noqa: SIM115 - closed in rotate/close
        _fsync_dir(self._segment)

    def start(self) -> None:
        """Journals from now on, into a new segment (those left by the last run stay until a dump)."""
        with self._lock:
            self._open_next()
            self.enabled = True

    def rotate(self) -> int:
        """A dump is about to start: later writes go to a new segment. Returns the number of the
        last segment the dump will hold."""
        with self._lock:
            closed = int(self._segment.name) if self._segment else 0
            if self._log is not None:
                self._log.close()
            if self.enabled:
                self._open_next()
            return closed

    def forget_through(self, number: int) -> None:
        """The dump holding segments up to ``number`` is in place: they are no longer needed."""
        for segment in self.segments():
            if int(segment.name) <= number:
                shutil.rmtree(segment, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            self.enabled = False
            if self._log is not None:
                self._log.close()
                self._log = None

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    # -- writing ----------------------------------------------------------------------------------

    def append(self, read_back: Callable[[], list[tuple[dict, bytes | None]]]) -> None:
        """Reads back what a write changed and appends it, durably, before the write is answered.
        ``read_back`` gives entries, each with the bytes of a stored file (or None)."""
        with self._lock:
            if not self.enabled or self._log is None:
                return
            lines, stored = [], False
            for entry, content in read_back():
                if content is not None:
                    name = uuid.uuid4().hex
                    with open(self._segment / "files" / name, "wb") as f:
                        f.write(content)
                        f.flush()
                        os.fsync(f.fileno())
                    entry, stored = {**entry, "file": name}, True
                lines.append(json.dumps(entry, separators=(",", ":")).encode() + b"\n")
            if stored:
                _fsync_dir(self._segment / "files")
            if lines:
                self._log.write(b"".join(lines))
                self._log.flush()
                os.fsync(self._log.fileno())

    # -- reading ----------------------------------------------------------------------------------

    def latest(self) -> tuple[dict[tuple[str, str], dict], dict[tuple[str, str], dict]]:
        """The last entry of each item and of each stored file, over every segment in order (a line
        cut short by a crash is where its segment ends)."""
        items: dict[tuple[str, str], dict] = {}
        files: dict[tuple[str, str], dict] = {}
        for segment in self.segments():
            path = segment / "log.jsonl"
            if not path.exists():
                continue
            for raw in path.read_bytes().splitlines():
                try:
                    entry = json.loads(raw)
                except ValueError:
                    break
                if "table" in entry:
                    items[(entry["table"], json.dumps(entry["key"], sort_keys=True))] = entry
                else:
                    if entry.get("file"):
                        entry["path"] = str(segment / "files" / entry["file"])
                    files[(entry["bucket"], entry["key"])] = entry
        return items, files

    def replay(self, session: Any) -> dict[str, int]:
        """Applies the journal on top of what is loaded; returns counts."""
        items, files = self.latest()
        dynamodb = session.client("dynamodb")
        tables = {n for p in dynamodb.get_paginator("list_tables").paginate() for n in p["TableNames"]} if items else set()
        buckets = {b["Name"] for b in session.client("s3").list_buckets().get("Buckets", [])} if files else set()
        gone = {t for t, _ in items if t not in tables} | {b for b, _ in files if b not in buckets}
        for name in sorted(gone):
            log.warning("journal: %s no longer exists; what was written to it is not replayed", name)
        items = {k: v for k, v in items.items() if k[0] not in gone}
        files = {k: v for k, v in files.items() if k[0] not in gone}
        by_table: dict[str, list] = {}
        for (table, _), entry in items.items():
            request = ({"PutRequest": {"Item": _from_wire(entry["item"])}} if entry.get("item") is not None
                       else {"DeleteRequest": {"Key": _from_wire(entry["key"])}})
            by_table.setdefault(table, []).append(request)
        for table, requests in by_table.items():
            for start in range(0, len(requests), 25):
                pending: Any = {table: requests[start:start + 25]}
                for _ in range(10):
                    pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
                    if not pending:
                        break
        s3 = session.client("s3") if files else None
        for (bucket, key), entry in files.items():
            if entry.get("path"):
                extra: dict[str, Any] = {"Metadata": entry.get("metadata") or {}}
                if entry.get("content_type"):
                    extra["ContentType"] = entry["content_type"]
                s3.put_object(Bucket=bucket, Key=key, Body=Path(entry["path"]).read_bytes(), **extra)
            else:
                s3.delete_object(Bucket=bucket, Key=key)
        return {"items": len(items), "objects": len(files)}


def _to_wire(value: Any) -> Any:
    """An item as moto holds it (binary as bytes) in DynamoDB's JSON (binary as base64 text)."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {k: _to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_wire(v) for v in value]
    return value


def _from_wire(value: Any) -> Any:
    """DynamoDB's JSON (binary as base64 text) as boto3 takes it (binary as bytes)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "B" and isinstance(v, str):
                out[k] = base64.b64decode(v)
            elif k == "BS" and isinstance(v, list):
                out[k] = [base64.b64decode(x) for x in v]
            else:
                out[k] = _from_wire(v)
        return out
    if isinstance(value, list):
        return [_from_wire(v) for v in value]
    return value


# -- the embedded AWS's side ------------------------------------------------------------------------


class JournalingApp:
    """WSGI middleware around the moto server: a write to a table item or an S3 object that is
    answered 2xx or 3xx is journaled before its answer is sent."""

    def __init__(self, app: Callable, journal: Journal, s3_client: Callable[[], Any]) -> None:
        self.app, self.journal, self.s3_client = app, journal, s3_client

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self.journal.enabled or environ.get("REQUEST_METHOD") in ("GET", "HEAD", "OPTIONS"):
            return self.app(environ, start_response)
        region, service = _scope(environ)
        if not service and environ.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            service = "s3"  # an upload form (presigned POST) is signed inside its body, and only S3 takes one
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target.rpartition(".")[2] if target.startswith("DynamoDB_") else ""
        if operation not in _DYNAMODB_WRITES and service != "s3":
            return self.app(environ, start_response)
        body = _read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Any:
            answer["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, capture)
        try:
            chunks = list(result)  # the whole answer is made before it is journaled and sent
        finally:
            if hasattr(result, "close"):
                result.close()
        if 200 <= answer.get("status", 500) < 400:
            if operation:
                self.journal.append(lambda: _dynamodb_results(operation, body, region))
            else:
                touched = _s3_objects(environ, body)
                if touched:
                    self.journal.append(lambda: _s3_results(self.s3_client(), touched))
        return chunks


def _scope(environ: dict) -> tuple[str, str]:
    """(region, service) from the request's signature, as moto routes it."""
    signed = environ.get("HTTP_AUTHORIZATION", "")
    match = _SCOPE.search(signed)
    if match is None:
        credential = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential", [""])[0]
        match = _SCOPE.search("Credential=" + credential + "/")
    if match is None:
        return os.environ.get("AWS_REGION", "eu-north-1"), ""
    return match.group(1), match.group(2)


def _read_body(environ: dict) -> bytes:
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH") or ""
    if length.isdigit():
        return stream.read(int(length)) if int(length) else b""
    return stream.read() if environ.get("wsgi.input_terminated") else b""


def _dynamodb_results(operation: str, body: bytes, region: str) -> list[tuple[dict, None]]:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType

    request = json.loads(body or b"{}")
    touched: list[tuple[str, dict | None, dict | None]] = []  # (table, key, item put)
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        touched.append((request["TableName"], request.get("Key"), request.get("Item")))
    elif operation == "BatchWriteItem":
        for table, writes in request.get("RequestItems", {}).items():
            for write in writes:
                put, delete = write.get("PutRequest"), write.get("DeleteRequest")
                touched.append((table, delete["Key"] if delete else None, put["Item"] if put else None))
    else:  # TransactWriteItems
        for item in request.get("TransactItems", []):
            for kind in ("Put", "Update", "Delete"):
                if kind in item:
                    touched.append((item[kind]["TableName"], item[kind].get("Key"), item[kind].get("Item")))
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
    results, seen = [], set()
    for table_name, key, put in touched:
        table = backend.get_table(table_name)
        names = [n for n in (table.hash_key_attr, table.range_key_attr) if n]
        key = {n: (key or put)[n] for n in names}
        marker = (table.name, json.dumps(key, sort_keys=True))
        if marker in seen:
            continue
        seen.add(marker)
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        results.append(({"table": table.name, "key": key, "item": _read_item(table, hash_value, range_value)}, None))
    return results


def _read_item(table: Any, hash_value: Any, range_value: Any) -> dict | None:
    for attempt in range(5):
        try:
            stored = table.get_item(hash_value, range_value)
            return _to_wire(stored.to_json()["Attributes"]) if stored is not None else None
        except RuntimeError:  # another request changed the item while it was read: read again
            if attempt == 4:
                raise
    return None


def _s3_objects(environ: dict, body: bytes) -> list[tuple[str, str]]:
    """The (bucket, key) pairs an S3 write may have changed; path-style addresses, as boto3 makes
    them for the embedded AWS's 127.0.0.1 endpoint."""
    raw = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")).split("?", 1)[0]
    bucket, _, key = raw.lstrip("/").partition("/")
    bucket, key = unquote(bucket), unquote(key)
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    method = environ["REQUEST_METHOD"]
    if not bucket:
        return []
    if key:
        if "uploads" in query or ("partNumber" in query and method == "PUT"):
            return []  # a multipart upload's start or part: the object changes when it completes
        return [(bucket, key)]
    if method == "POST" and "delete" in query:  # DeleteObjects
        return [(bucket, html.unescape(k.decode())) for k in re.findall(rb"<Key>(.*?)</Key>", body, re.S)]
    if method == "POST":  # an upload form (presigned POST)
        return [(bucket, k) for k in [_form_key(environ, body)] if k]
    return []


def _form_key(environ: dict, body: bytes) -> str | None:
    from werkzeug.formparser import parse_form_data

    copy = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    _, form, files = parse_form_data(copy)
    key = form.get("key")
    if key and "${filename}" in key:
        upload = files.get("file")
        key = key.replace("${filename}", upload.filename if upload is not None and upload.filename else "")
    return key


def _s3_results(s3: Any, touched: list[tuple[str, str]]) -> list[tuple[dict, bytes | None]]:
    from botocore.exceptions import ClientError

    results: list[tuple[dict, bytes | None]] = []
    for bucket, key in dict.fromkeys(touched):
        try:
            got = s3.get_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404", "NoSuchBucket"):
                raise
            results.append(({"bucket": bucket, "key": key, "file": None}, None))
            continue
        results.append(({"bucket": bucket, "key": key, "content_type": got.get("ContentType"),
                         "metadata": got.get("Metadata") or {}}, got["Body"].read()))
    return results
