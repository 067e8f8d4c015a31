"""Notifications: consumes domain events and sends content-free e-mail and SMS."""
from chalice import Chalice

from services.entrypoints.sqs import process_events
from services.notify.bootstrap import handle_event

app = Chalice(app_name="insats-notify", configure_logs=False)


@app.on_sqs_message(queue="insats-notify-inbox", batch_size=10)
def on_event(event):
    return process_events(event, service="notify", handle=handle_event, table="notify")
