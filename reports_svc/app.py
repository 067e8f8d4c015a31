"""Insats follow-up reports: consumes visit, absence and decision events into its own table."""
from chalice import Chalice

from services.entrypoints.http import HttpApi
from services.entrypoints.sqs import process_events
from services.followup import inbox

app = Chalice(app_name="insats-reports", configure_logs=False)
api = HttpApi(app, "reports")


@app.route("/health")
def health():
    return api.health()


@app.route("/openapi.json")
def openapi():
    return api.openapi("Insats follow-up reports")


@app.on_sqs_message(queue="insats-reports-inbox", batch_size=10)
def on_event(event):
    return process_events(event, service="reports", handle=inbox.handler_for("reports"), table="reports")
