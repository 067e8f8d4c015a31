"""A notification requested: send it once per wanted channel, hold SMS in quiet hours.

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

from datetime import datetime, timedelta

from ...contracts.events import Envelope, NotificationDelivered, NotificationFailed, NotificationRequested
from ...observability import get_logger
from ..domain.delivery import CHANNELS
from ..domain.preferences import ContactPreferences
from ..domain.quiet_hours import quiet_until
from ..domain.templates import TEMPLATES, BadParameters, Rendered, render
from ..ports import NotifyDeps, PermanentSendFailure, TransientSendFailure
from .outcomes import Poison, Retry

logger = get_logger("notify")


def _resolve(deps: NotifyDeps, request: NotificationRequested) -> ContactPreferences | None:
    recipient = request.recipient
    if recipient.kind == "mailbox":
        address = deps.config.mailboxes.get(recipient.ref)
        return ContactPreferences(email=address, email_on=bool(address)) if address else None
    return deps.preferences.find(recipient, request.preferences)


def _wanted(request: NotificationRequested, prefs: ContactPreferences | None) -> list[str]:
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
                held = deps.deliveries.hold(nid, "sms", not_before=until, now=now, template=request.template,
                                            recipient=request.recipient, request=envelope.model_dump_json())
                outcomes[channel] = "held" if held else "done"
                continue
        lease = now + timedelta(seconds=deps.config.lease_seconds)
        claim = deps.deliveries.claim(nid, channel, now=now, lease_until=lease, template=request.template,
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
            deps.deliveries.release(nid, channel, lease)
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
                  rendered: Rendered, prefs: ContactPreferences | None, now: datetime) -> str:
    address = prefs.address(channel) if prefs else None

    def failed(reason: str) -> str:
        deps.deliveries.finish(nid, channel, lease, status="failed", at=now, reason=reason,
                               event=NotificationFailed(notification_id=nid, template=request.template,
                                                        recipient=request.recipient, channel=channel,
                                                        reason=reason, at=now))
        return f"failed:{reason}"

    if not address:
        return failed("no_address")
    if deps.suppressions.is_suppressed(channel, address):
        return failed("suppressed")
    try:
        if channel == "email":
            message_id = deps.email.send(address, rendered.subject, rendered.text, rendered.html)
        else:
            message_id = deps.sms.send(address, rendered.sms)
    except PermanentSendFailure as exc:
        deps.suppressions.suppress(channel, address, exc.reason, now)  # until the recipient gives another
        return failed(exc.reason)
    deps.deliveries.finish(nid, channel, lease, status="sent", at=now, provider_message_id=message_id,
                           event=NotificationDelivered(notification_id=nid, template=request.template,
                                                       recipient=request.recipient, channel=channel, at=now))
    return "sent"
