"""Test support: a real moto server over HTTP with every resource provisioned, the development
issuer, and HTTP/SQS drivers for the Chalice apps."""
from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REGION = "eu-north-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(endpoint: str, issuer_dir: str) -> dict[str, str]:
    return {
        "DEV_ISSUER_DIR": issuer_dir,
        "POPULATION_REGISTER_FILE": str(Path(__file__).resolve().parents[2] / "infra" / "fixtures" / "people.json"),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "INSATS_STAGE": "local",
        "INSATS_TOKEN_JWKS_URL": f"file://{issuer_dir}/jwks.json",
        "POWERTOOLS_METRICS_NAMESPACE": "Insats",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "SMS_QUIET_HOURS": "00-00",  # no quiet hours: a test's SMS goes at once whatever the hour
    }


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class AppClient:
    """Drives one Chalice app's HTTP routes in-process (chalice.test), with bearer tokens."""

    def __init__(self, module: Any, project_dir: Path) -> None:
        from chalice.test import Client

        self._client = Client(module.app, stage_name="local", project_dir=str(project_dir))
        self.module = module

    def request(self, method: str, path: str, *, token: str | None = None, json_body: Any = None,
                headers: dict[str, str] | None = None, raw: bytes | None = None) -> Response:
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        body = raw if raw is not None else (json.dumps(json_body).encode() if json_body is not None else b"")
        r = self._client.http.request(method, path, headers=hdrs, body=body)
        return Response(r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.body)

    def get(self, path: str, **kw: Any) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Response:
        return self.request("POST", path, json_body=json, **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Response:
        return self.request("PUT", path, json_body=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Response:
        return self.request("PATCH", path, json_body=json, **kw)

    def delete(self, path: str, **kw: Any) -> Response:
        return self.request("DELETE", path, **kw)

    def sqs(self, handler_name: str, bodies: list[str], message_ids: list[str] | None = None) -> dict:
        """Calls an SQS handler with a real SQS-shaped event (each record its own message id)."""
        records = [sqs_record(body, mid) for body, mid in
                   zip(bodies, message_ids or [str(uuid.uuid4()) for _ in bodies])]
        handler = getattr(self.module, handler_name)
        return handler({"Records": records}, None)


def sqs_record(body: str, message_id: str | None = None, queue: str = "queue") -> dict:
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": "handle-" + (message_id or "x"),
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0",
                       "SenderId": "local", "ApproximateFirstReceiveTimestamp": "0"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:{queue}",
        "awsRegion": REGION,
    }


def relay_streams() -> int:
    """Publishes what every table's stream holds that was not relayed yet, as the apps' stream
    relays do on AWS (and the local stack's stream pumps); returns how many events."""
    from infra.resources import STACK
    from services.adapters.messaging import SnsPublisher
    from services.adapters.outbox import drain_stream

    publisher = SnsPublisher()
    return sum(drain_stream(t.name, publisher) for t in STACK.tables if t.stream_view)


def drain(queue_url: str, sqs_client: Any, wait: int = 0, *, relay: bool = True) -> list[dict]:
    """Receives and deletes everything on a queue (for asserting what was published), after the
    tables' outboxes were relayed (writes publish their events through the stream) unless
    ``relay`` is false."""
    if relay:
        relay_streams()
    out: list[dict] = []
    while True:
        got = sqs_client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait,
                                         MessageAttributeNames=["All"]).get("Messages", [])
        if not got:
            return out
        for m in got:
            out.append(m)
            sqs_client.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def set_env(env: dict[str, str]) -> None:
    os.environ.update(env)
