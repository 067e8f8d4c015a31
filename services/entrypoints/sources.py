"""The event sources every app declares the same way, from ``infra/resources.py``: its queues
(``queue_source``) and its outbox relay, a Lambda on its table's DynamoDB Stream that publishes
the events writes put on their items (``outbox_relay``, ``adapters/outbox.py``). Light on
purpose: the apps import it at cold start."""
from __future__ import annotations

import os
from typing import Any

from ..settings import settings

RELAY_HANDLER = "relay_outbox"
RELAY_BATCH_SIZE = 100
LOCAL_ACCOUNT = "0" * 12  # only for an ARN the deployed template replaces


def queue_source(name: str) -> dict[str, Any]:
    """``@app.on_sqs_message(**queue_source("notify-inbox"))``: the queue's physical name and
    batch size, as ``infra/resources.py`` defines the queue."""
    from infra.resources import queue

    q = queue(name)
    return {"queue": settings().name(q.name), "batch_size": q.batch_size}


def stream_arn(table: str) -> str:
    """The table's stream ARN from the environment (``<TABLE>_STREAM_ARN``). Unset (locally, in
    tests, and while packaging, where the template takes it from the shared stack) it names the
    table, which is all the local stream pump needs."""
    s = settings()
    return os.environ.get(f"{table.upper().replace('-', '_')}_STREAM_ARN") or (
        f"arn:aws:dynamodb:{s.region}:{LOCAL_ACCOUNT}:table/{s.name(table)}/stream/local")


def table_of(arn: str) -> str:
    """The physical table name in a stream ARN."""
    return arn.split(":table/", 1)[1].split("/", 1)[0]


def outbox_relay(app: Any, name: str) -> Any:
    """Registers ``relay_outbox`` on the stream of the table of the app ``name`` (as declared in
    ``infra/resources.py``, which must say it publishes events); assign the result to the
    module's ``relay_outbox`` (Lambda finds its handler as ``app.relay_outbox``). Starts at the
    oldest record held, so a new deployment misses nothing; replays publish the same event ids."""
    from infra.resources import app as declared

    spec = declared(name)
    if not spec.relays_outbox:
        raise ValueError(f"infra/resources.py declares no events that {name} publishes")

    def relay_outbox(event: Any) -> dict[str, Any]:
        from ..adapters.messaging import SnsPublisher
        from ..adapters.outbox import handle_stream_event

        return handle_stream_event(event, SnsPublisher())

    return app.on_dynamodb_record(stream_arn=stream_arn(spec.table), batch_size=RELAY_BATCH_SIZE,
                                  starting_position="TRIM_HORIZON", name=RELAY_HANDLER)(relay_outbox)
