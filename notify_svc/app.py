"""Notifications: consumes ``notification.requested`` (and the contact preferences it resolves
them with), sends content-free e-mail and SMS once per channel, takes SES feedback."""
from chalice import Chalice, Cron, Rate

from services.entrypoints.sources import outbox_relay, queue_source
from services.notify import bootstrap

app = Chalice(app_name="insats-notify", configure_logs=False)


@app.on_sqs_message(**queue_source("notify-inbox"))
def on_event(event):
    return bootstrap.on_events(event)


@app.on_sqs_message(**queue_source("notify-feedback"))
def on_feedback(event):
    return bootstrap.on_feedback(event)


@app.schedule(Rate(15, unit=Rate.MINUTES))
def flush_held_sms(event):
    return {"requeued": bootstrap.flush_held()}


@app.schedule(Cron(0, 7, "*", "*", "?", "*"))
def remind_lock_date(event):
    return {"providers": bootstrap.remind_lock_date()}


relay_outbox = outbox_relay(app, "notify")
