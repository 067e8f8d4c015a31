"""Notify's composition root: adapters built once, lazily (nothing at import)."""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from .config import config

if TYPE_CHECKING:  # the service pulls the event contracts (pydantic); only handlers need it
    from .service import NotifyDeps

INBOX = "notify-inbox"


def _queue_url_by_physical_name(name: str) -> str:
    from ..aws import client

    return client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def _requeue(body: str) -> None:
    from ..aws import client, queue_url

    client("sqs").send_message(QueueUrl=queue_url(INBOX), MessageBody=body)


@cache
def deps() -> NotifyDeps:
    from .service import NotifyDeps
    from ..adapters.senders import SesEmailSender, SnsSmsSender
    from ..aws import table
    from .store import DynamoNotifyStore

    cfg = config()
    return NotifyDeps(store=DynamoNotifyStore(table("notify")),
                      email=SesEmailSender(cfg.mail_configuration_set), sms=SnsSmsSender(cfg.sms_sender_id),
                      config=cfg, requeue=_requeue)


def _sqs() -> Any:
    from ..aws import client

    return client("sqs")


def on_events(event: Any) -> dict[str, Any]:
    from ..contracts.events import Envelope
    from .consumer import process
    from .service import handle

    d = deps()
    return process(event, lambda body, count: handle(d, Envelope.model_validate_json(body), count),
                   sqs=_sqs(), queue_url=_queue_url_by_physical_name)


def on_feedback(event: Any) -> dict[str, Any]:
    from .consumer import process
    from .service import on_feedback as feedback

    d = deps()
    return process(event, lambda body, count: feedback(d, body), sqs=_sqs(), queue_url=_queue_url_by_physical_name)


def flush_held() -> int:
    from .service import flush_held as flush

    return flush(deps())


def remind_lock_date() -> int:
    from .service import remind_lock_date as remind

    return remind(deps())
