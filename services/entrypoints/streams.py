"""The outbox relay every publishing app declares the same way: a Lambda on its table's
DynamoDB Stream that publishes the events writes put on their items (``adapters/outbox.py``)."""
from __future__ import annotations

import os
from typing import Any

from ..settings import settings

RELAY_HANDLER = "relay_outbox"
RELAY_BATCH_SIZE = 100
LOCAL_ACCOUNT = "0" * 12  # only for an ARN the deployed template replaces


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
    """Registers ``relay_outbox`` on the app's table stream; assign the result to the module's
    ``relay_outbox`` (Lambda finds its handler as ``app.relay_outbox``). Starts at the oldest
    record held, so a new deployment misses nothing; replays publish the same event ids."""

    def relay_outbox(event: Any) -> dict[str, Any]:
        from ..adapters.messaging import SnsPublisher
        from ..adapters.outbox import handle_stream_event

        return handle_stream_event(event, SnsPublisher())

    return app.on_dynamodb_record(stream_arn=stream_arn(table), batch_size=RELAY_BATCH_SIZE,
                                  starting_position="TRIM_HORIZON", name=RELAY_HANDLER)(relay_outbox)
