"""Citizen e-services and case work: forms, drafts, submissions, cases, messages, decisions."""
from chalice import Chalice, Rate

from chalicelib import audit_web, casework, citizen, messages, mypages, report_approvals, staff_web, web
from services.entrypoints.http import HttpApi
from services.entrypoints.sources import outbox_relay, queue_source
from services.eservices.bootstrap import deps

app = Chalice(app_name="insats-eservices", configure_logs=False)
app.api.binary_types.append("application/pdf")
api = HttpApi(app, "eservices")
for routes in (citizen, mypages, casework, messages, report_approvals, web, staff_web, audit_web):
    app.register_blueprint(routes.bp)


def form_schemas():  # each form's answers, for the OpenAPI document: the form engine loads on first ask
    from services.eservices.domain.forms import openapi_schemas

    return openapi_schemas()


api.serve_health_and_openapi("Insats e-services and case work", schemas=form_schemas)


relay_outbox = outbox_relay(app, "eservices")


@app.schedule(Rate(1, unit=Rate.HOURS))
def sweep_drafts(event):
    from services.eservices.usecases import retention

    return retention.sweep(deps())


@app.on_sqs_message(**queue_source("eservices-inbox"))
def on_event(event):  # notify's delivery status (Mina sidor), visits' deviations waiting (Att göra)
    from services.eservices.usecases.consumer import on_events

    return on_events(deps(), event)
