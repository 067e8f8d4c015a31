"""The one place that creates boto3 clients and resources.

Clients are created lazily and cached per process. The endpoint comes only from the
environment (``AWS_ENDPOINT_URL``), so the code never knows whether it talks to AWS,
LocalStack or a moto server.
"""
from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any

from ..settings import settings

_lock = threading.Lock()


def _endpoint() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL") or None


def _config() -> Any:
    from botocore.config import Config

    return Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=32)


@cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()


@cache
def client(service: str) -> Any:
    with _lock:  # boto3 sessions are not thread-safe while creating clients
        return _session().client(service, region_name=settings().region, endpoint_url=_endpoint(), config=_config())


@cache
def resource(service: str) -> Any:
    with _lock:
        return _session().resource(service, region_name=settings().region, endpoint_url=_endpoint(), config=_config())


@cache
def _items_client() -> Any:
    """A DynamoDB client that takes and gives plain Python values (Decimal numbers), as a boto3
    ``Table``'s ``meta.client`` does: boto3's own transformation handlers on a client of its own, so
    ``client("dynamodb")`` stays a plain one. Building the resource model instead costs a cold start
    50-90 ms (its JSON and its dynamic classes) for the same calls."""
    from boto3.dynamodb.transform import TransformationInjector, copy_dynamodb_params

    dynamodb = _session().client("dynamodb", region_name=settings().region, endpoint_url=_endpoint(),
                                 config=_config())
    injector, events = TransformationInjector(), dynamodb.meta.events
    events.register("provide-client-params.dynamodb", copy_dynamodb_params, unique_id="dynamodb-create-params-copy")
    events.register("before-parameter-build.dynamodb", injector.inject_condition_expressions,
                    unique_id="dynamodb-condition-expression")
    events.register("before-parameter-build.dynamodb", injector.inject_attribute_value_input,
                    unique_id="dynamodb-attr-value-input")
    events.register("after-call.dynamodb", injector.inject_attribute_value_output,
                    unique_id="dynamodb-attr-value-output")
    return dynamodb


class _Meta:
    def __init__(self, client: Any) -> None:
        self.client = client


class Table:
    """What the adapters use of a boto3 DynamoDB ``Table`` resource, with the same inputs and outputs
    (tests/integration/test_light_table.py holds it to the resource's answers)."""

    def __init__(self, name: str, client: Any) -> None:
        self.name, self.meta = name, _Meta(client)

    def get_item(self, **kwargs: Any) -> dict:
        return self.meta.client.get_item(TableName=self.name, **kwargs)

    def put_item(self, **kwargs: Any) -> dict:
        return self.meta.client.put_item(TableName=self.name, **kwargs)

    def update_item(self, **kwargs: Any) -> dict:
        return self.meta.client.update_item(TableName=self.name, **kwargs)

    def delete_item(self, **kwargs: Any) -> dict:
        return self.meta.client.delete_item(TableName=self.name, **kwargs)

    def query(self, **kwargs: Any) -> dict:
        return self.meta.client.query(TableName=self.name, **kwargs)

    def scan(self, **kwargs: Any) -> dict:
        return self.meta.client.scan(TableName=self.name, **kwargs)

    def batch_writer(self, overwrite_by_pkeys: list[str] | None = None) -> Any:
        from boto3.dynamodb.table import BatchWriter

        return BatchWriter(self.name, self.meta.client, overwrite_by_pkeys=overwrite_by_pkeys)

    def __repr__(self) -> str:
        return f"Table(name={self.name!r})"


def table(name: str) -> Table:
    """A DynamoDB Table by its logical name in infra/resources.py (e.g. ``eservices``)."""
    with _lock:
        items_client = _items_client()
    return Table(settings().name(name), items_client)


@cache
def account_id() -> str:
    return client("sts").get_caller_identity()["Account"]


@cache
def queue_url(name: str) -> str:
    return client("sqs").get_queue_url(QueueName=settings().name(name))["QueueUrl"]


def topic_arn(name: str) -> str:
    override = os.environ.get(f"{name.upper().replace('-', '_')}_TOPIC_ARN")
    if override:
        return override
    return f"arn:aws:sns:{settings().region}:{account_id()}:{settings().name(name)}"


def reset() -> None:
    """Forget cached clients (tests that switch endpoints between moto servers)."""
    for fn in (_session, client, resource, _items_client, account_id, queue_url):
        fn.cache_clear()
    settings.cache_clear()
