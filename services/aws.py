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

from .settings import settings

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


def table(name: str) -> Any:
    """A DynamoDB Table by its logical name in infra/resources.py (e.g. ``eservices``)."""
    return resource("dynamodb").Table(settings().name(name))


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
    for fn in (_session, client, resource, account_id, queue_url):
        fn.cache_clear()
    settings.cache_clear()
