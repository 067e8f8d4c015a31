from __future__ import annotations

from functools import cache

from ..adapters.senders import SesEmailSender, SnsSmsSender
from ..aws import table
from .service import NotifyDeps


@cache
def deps() -> NotifyDeps:
    return NotifyDeps(table=table("notify"), email=SesEmailSender(), sms=SnsSmsSender())


def handle_event(envelope):  # noqa: ANN001 - the SQS entrypoint's record handler
    from .service import handle

    return handle(deps(), envelope)
