"""The newest delivery status of a person's notifications, per channel, as Mina sidor's
settings show it."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class ChannelStatus(BaseModel):
    status: Literal["sent", "failed"]
    at: datetime
    reason: str | None = None
    label: str | None = None  # what Mina sidor's settings show, in Swedish


class DeliveryStatus(BaseModel):
    email: ChannelStatus | None = None
    sms: ChannelStatus | None = None


_CHANNEL_SV = {"email": "e-post", "sms": "SMS"}
_REASON_SV = {"no_address": "det finns ingen adress eller inget nummer", "invalid_address": "adressen eller numret "
              "fungerar inte", "suppressed": "adressen eller numret fungerade inte förra gången; ange ett nytt",
              "bounced": "meddelandet studsade", "complaint": "meddelandet markerades som skräppost",
              "rejected": "meddelandet togs inte emot"}


def status_label(channel: str, status: ChannelStatus) -> str:
    """``Senaste SMS skickat 24 november 2026 kl. 17.08`` (Stockholm time)."""
    from ...domain.calendar import swedish_local

    when = swedish_local(status.at, clock_separator=".")
    name = _CHANNEL_SV[channel]
    if status.status == "sent":
        return f"Senaste {name} skickat {when}"
    return f"Senaste {name} kunde inte skickas {when}: {_REASON_SV.get(status.reason or '', 'okänt fel')}"
