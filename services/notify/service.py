"""Notify's use cases: keep recipients' contact preferences, send what is requested once per
channel, hold SMS in quiet hours, take SES feedback, remind providers of the lock date.

Exactly once per request and channel: before sending, the channel's delivery record is claimed
with a conditional write (``pending`` with a lease); the outcome is recorded on the same record,
with its ``notification.delivered``/``failed`` event, in one transaction. A second delivery of the
same request finds the record finished (nothing to do) or claimed by a live worker (a transient
error: it comes back later and finds it finished). A worker that crashed after claiming leaves a
lease that runs out, and the next delivery sends: the providers take no idempotency key, so a
crash in the instant between their accepting and our recording can send twice — we prefer that
to an alert never sent.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from ..adapters.senders import PermanentSendFailure, TransientSendFailure
from ..clock import utc_now
from ..contracts.events import (ContactPreferencesChanged, Envelope, NotificationDelivered, NotificationFailed,
                                NotificationRequested, Recipient)
from ..domain.calendar import STOCKHOLM, is_working_day, lock_date
from ..observability import get_logger
from .config import NotifyConfig
from .store import Prefs
from .templates import TEMPLATES, BadParameters, render

logger = get_logger("notify")
CHANNELS = ("email", "sms")


class Retry(Exception):
    """Try this message again later (backoff through the queue's visibility)."""


class Poison(Exception):
    """A message that can never succeed (unknown template, parameters it does not take)."""


@dataclass
class NotifyDeps:
    store: Any
    email: Any
    sms: Any
    config: NotifyConfig
    clock: Callable[[], datetime] = utc_now
    requeue: Callable[[str], None] = field(default=lambda body: None)  # puts an envelope back on the queue


# -- routing ----------------------------------------------------------------------------------

def handle(deps: NotifyDeps, envelope: Envelope, receive_count: int = 1) -> dict[str, str]:
    event = envelope.parse()
    if isinstance(event, ContactPreferencesChanged):
        keep_preferences(deps, event)
        return {}
    if isinstance(event, NotificationRequested):
        return deliver(deps, envelope, event, receive_count)
    logger.info("event needs nothing from notify", extra={"event_type": envelope.event_type})
    return {}


def keep_preferences(deps: NotifyDeps, event: ContactPreferencesChanged) -> None:
    kept = deps.store.put_preferences(event.recipient, event.preferences, Prefs(
        email=event.email, phone=event.phone, email_on=event.email_on, sms_on=event.sms_on,
        changed_at=event.changed_at))
    logger.info("contact preferences", extra={"kind": event.recipient.kind, "preferences": event.preferences,
                                              "kept": kept})


# -- quiet hours ------------------------------------------------------------------------------

def quiet_until(now: datetime, hours: tuple[time, time]) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (UTC), or None outside them."""
    start, end = hours
    if start == end:
        return None
    local = now.astimezone(STOCKHOLM)
    t = local.time()
    quiet = (t >= start or t < end) if start > end else (start <= t < end)
    if not quiet:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=STOCKHOLM).astimezone(now.tzinfo)


# -- sending ----------------------------------------------------------------------------------

def _resolve(deps: NotifyDeps, request: NotificationRequested) -> Prefs | None:
    recipient = request.recipient
    if recipient.kind == "mailbox":
        address = deps.config.mailboxes.get(recipient.ref)
        return Prefs(email=address, email_on=bool(address)) if address else None
    return deps.store.get_preferences(recipient, request.preferences)


def _wanted(request: NotificationRequested, prefs: Prefs | None) -> list[str]:
    if request.channels == "preferred":
        return [c for c in CHANNELS if prefs is not None and prefs.wants(c)]
    return [c for c in CHANNELS if c in request.channels]


def deliver(deps: NotifyDeps, envelope: Envelope, request: NotificationRequested,
            receive_count: int = 1) -> dict[str, str]:
    """Sends on each wanted channel once; returns {channel: outcome}. Raises ``Retry`` if a
    channel should be tried again later (the other channel's outcome stands)."""
    if request.template not in TEMPLATES:
        raise Poison(f"unknown template {request.template}")
    try:
        rendered = render(request.template, request.params, deps.config)
    except BadParameters as exc:
        raise Poison(str(exc)) from None
    prefs = _resolve(deps, request)
    if request.contact_as_of and (prefs is None or prefs.changed_at is None
                                  or prefs.changed_at < request.contact_as_of):
        if receive_count < deps.config.wait_for_preferences_receives:
            raise Retry("the recipient's new preferences have not arrived yet")
    now = deps.clock()
    nid = envelope.event_id
    outcomes: dict[str, str] = {}
    retry: list[str] = []
    for channel in _wanted(request, prefs):
        if channel == "sms":
            until = quiet_until(now, deps.config.sms_quiet_hours)
            if until is not None:
                held = deps.store.hold(nid, "sms", not_before=until, now=now, template=request.template,
                                       recipient=request.recipient, request=envelope.model_dump_json())
                outcomes[channel] = "held" if held else "done"
                continue
        lease = now + timedelta(seconds=deps.config.lease_seconds)
        claim = deps.store.claim(nid, channel, now=now, lease_until=lease, template=request.template,
                                 recipient=request.recipient)
        if claim == "in_flight":
            retry.append(channel)
            outcomes[channel] = "in_flight"
            continue
        if claim != "claimed":
            outcomes[channel] = claim
            continue
        try:
            outcomes[channel] = _send_claimed(deps, nid, channel, lease, request, rendered, prefs, now)
        except TransientSendFailure as exc:
            deps.store.release(nid, channel, lease)
            logger.warning("send failed, will retry", extra={"channel": channel, "code": str(exc),
                                                              "template": request.template})
            retry.append(channel)
            outcomes[channel] = "retry"
    logger.info("notification", extra={"template": request.template, "kind": request.recipient.kind,
                                       "outcomes": outcomes})
    if retry:
        raise Retry(f"channels to retry: {retry}")
    return outcomes


def _send_claimed(deps: NotifyDeps, nid: str, channel: str, lease: datetime, request: NotificationRequested,
                  rendered: Any, prefs: Prefs | None, now: datetime) -> str:
    address = prefs.address(channel) if prefs else None

    def failed(reason: str) -> str:
        deps.store.finish(nid, channel, lease, status="failed", at=now, reason=reason,
                          event=NotificationFailed(notification_id=nid, template=request.template,
                                                   recipient=request.recipient, channel=channel, reason=reason,
                                                   at=now))
        return f"failed:{reason}"

    if not address:
        return failed("no_address")
    if deps.store.is_suppressed(channel, address):
        return failed("suppressed")
    try:
        if channel == "email":
            message_id = deps.email.send(address, rendered.subject, rendered.text, rendered.html)
        else:
            message_id = deps.sms.send(address, rendered.sms)
    except PermanentSendFailure as exc:
        deps.store.suppress(channel, address, exc.reason, now)  # until the recipient gives another
        return failed(exc.reason)
    deps.store.finish(nid, channel, lease, status="sent", at=now, provider_message_id=message_id,
                      event=NotificationDelivered(notification_id=nid, template=request.template,
                                                  recipient=request.recipient, channel=channel, at=now))
    return "sent"


# -- held SMS ----------------------------------------------------------------------------------

def flush_held(deps: NotifyDeps) -> int:
    """Puts each held SMS whose quiet hours are over back on notify's queue (scheduled). The
    queue's consumer then claims it like any request; putting it back twice is harmless."""
    now = deps.clock()
    if quiet_until(now, deps.config.sms_quiet_hours) is not None:
        return 0
    due = deps.store.due_held(now)
    for item in due:
        deps.requeue(item["request"])
    if due:
        logger.info("held SMS put back on the queue", extra={"count": len(due)})
    return len(due)


# -- SES feedback ------------------------------------------------------------------------------

def _feedback_message(body: str) -> dict[str, Any]:
    message = json.loads(body)
    if isinstance(message, dict) and message.get("Type") == "Notification" and "Message" in message:
        message = json.loads(message["Message"])  # SNS envelope when raw delivery is off
    return message


def on_feedback(deps: NotifyDeps, body: str) -> str:
    """A bounce or complaint from SES: a permanent bounce or a complaint suppresses the address
    and fails the notification; a transient bounce (mailbox full) changes nothing."""
    message = _feedback_message(body)
    kind = message.get("notificationType") or message.get("eventType")
    now = deps.clock()
    if kind == "Bounce":
        bounce = message.get("bounce", {})
        if bounce.get("bounceType") != "Permanent":
            return "ignored"
        addresses = [r.get("emailAddress") for r in bounce.get("bouncedRecipients", [])]
        reason = "bounced"
    elif kind == "Complaint":
        addresses = [r.get("emailAddress") for r in message.get("complaint", {}).get("complainedRecipients", [])]
        reason = "complaint"
    else:
        return "ignored"
    for address in filter(None, addresses):
        deps.store.suppress("email", address, reason, now)
    delivery = deps.store.by_provider_message(message.get("mail", {}).get("messageId", ""))
    if delivery is not None:
        kind_, ref = delivery["recipient"].split("#", 1)
        nid = delivery["pk"].removeprefix("DELIVERY#")
        deps.store.mark_failed_after_sent(nid, "email", reason=reason, at=now, event=NotificationFailed(
            notification_id=nid, template=delivery["template"], recipient=Recipient(kind=kind_, ref=ref),
            channel="email", reason=reason, at=now))
    logger.info("mail feedback", extra={"reason": reason, "known_delivery": delivery is not None})
    return reason


# -- the lock date ------------------------------------------------------------------------------

def working_days_before(day: date, n: int) -> date:
    while n:
        day -= timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def lock_reminder_due(today: date) -> tuple[int, int] | None:
    """The month whose lock date is three working days after ``today``, if any: the current
    month (lock date early next month) or the previous one (lock date early this month)."""
    previous = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    for year, month in ((today.year, today.month), previous):
        if working_days_before(lock_date(year, month), 3) == today:
            return year, month
    return None


def remind_lock_date(deps: NotifyDeps) -> int:
    """Scheduled daily: three working days before a month's lock date, each provider is asked to
    review the month. One request per provider and month with a fixed id: running twice sends once."""
    today = deps.clock().astimezone(STOCKHOLM).date()
    month = lock_reminder_due(today)
    if month is None:
        return 0
    year, mon = month
    params = {"month": f"{year}-{mon:02d}", "lock_date": lock_date(year, mon).isoformat()}
    sent = 0
    for provider in deps.store.providers():
        request = NotificationRequested(template="lock_date.approaching", recipient=provider, params=params)
        envelope = request.envelope("notify", event_id=f"lock-date-{year}-{mon:02d}-{provider.ref}")
        try:
            deliver(deps, envelope, request)
        except Retry:
            deps.requeue(envelope.model_dump_json())  # the queue retries it with backoff
        sent += 1
    return sent
