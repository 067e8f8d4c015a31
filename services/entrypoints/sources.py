"""The event sources every app declares the same way: its queues (``queue_source``) and its
outbox relay, a Lambda on its table's DynamoDB Stream that publishes the events writes put on
their items (``outbox_relay``, ``adapters/outbox.py``). Light on purpose: the apps import it at
cold start.

The app names what it consumes and relays; nothing here reads the deploy configuration
(``infra/resources.py`` depends on the services, not the other way round).
``tests/unit/test_resources.py`` holds every app to what ``infra/resources.py`` declares: the
queues it owns, their handlers and batch sizes, and a relay exactly when it publishes events."""
from __future__ import annotations

import os
from typing import Any

from ..settings import settings

RELAY_HANDLER = "relay_outbox"
RELAY_BATCH_SIZE = 100
QUEUE_BATCH_SIZE = 10  # messages per invocation, as infra/resources.py's queues declare
LOCAL_ACCOUNT = "0" * 12  # only for an ARN the deployed template replaces


def queue_source(name: str, batch_size: int = QUEUE_BATCH_SIZE) -> dict[str, Any]:
    """``@app.on_sqs_message(**queue_source("notify-inbox"))``: the queue's physical name (from
    its logical one) and batch size."""
    return {"queue": settings().name(name), "batch_size": batch_size}


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


def outbox_relay(app: Any, table: str) -> Any:
    """Registers ``relay_outbox`` on the stream of the app's own ``table`` (named as the app is);
    assign the result to the module's ``relay_outbox`` (Lambda finds its handler as
    ``app.relay_outbox``). Only an app that publishes events relays. Starts at the oldest record
    held, so a new deployment misses nothing; replays publish the same event ids."""

    def relay_outbox(event: Any) -> dict[str, Any]:
        from ..adapters.messaging import SnsPublisher
        from ..adapters.outbox import handle_stream_event

        return handle_stream_event(event, SnsPublisher())

    return app.on_dynamodb_record(stream_arn=stream_arn(table), batch_size=RELAY_BATCH_SIZE,
                                  starting_position="TRIM_HORIZON", name=RELAY_HANDLER)(relay_outbox)
