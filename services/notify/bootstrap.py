"""Notify's composition root: adapters built once, lazily (nothing at import)."""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from .config import config

if TYPE_CHECKING:  # built on first use, by the handlers
    from .ports import NotifyDeps


@cache
def deps() -> NotifyDeps:
    from .adapters.dynamo import DynamoDeliveries, DynamoPreferences, DynamoSuppressions, notify_table
    from .adapters.senders import SesEmailSender, SnsSmsSender
    from .adapters.sqs import requeue
    from .ports import NotifyDeps

    cfg = config()
    table = notify_table()
    return NotifyDeps(preferences=DynamoPreferences(table), suppressions=DynamoSuppressions(table),
                      deliveries=DynamoDeliveries(table),
                      email=SesEmailSender(cfg.mail_configuration_set), sms=SnsSmsSender(cfg.sms_sender_id),
                      config=cfg, requeue=requeue)


def on_events(event: Any) -> dict[str, Any]:
    from ..contracts.events import Envelope
    from .adapters.sqs import process, queue_url_by_physical_name, sqs
    from .usecases.inbox import handle

    d = deps()
    return process(event, lambda body, count: handle(d, Envelope.model_validate_json(body), count),
                   sqs=sqs, queue_url=queue_url_by_physical_name)


def on_feedback(event: Any) -> dict[str, Any]:
    from .adapters.sqs import process, queue_url_by_physical_name, sqs
    from .usecases.feedback import on_feedback as feedback

    d = deps()
    return process(event, lambda body, count: feedback(d, body), sqs=sqs, queue_url=queue_url_by_physical_name)


def flush_held() -> int:
    from .usecases.held_sms import flush_held as flush

    return flush(deps())


def remind_lock_date() -> int:
    from .usecases.lock_date_reminder import remind_lock_date as remind

    return remind(deps())
