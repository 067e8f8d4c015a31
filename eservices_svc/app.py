"""Citizen e-services and case work: forms, drafts, submissions, cases, messages, decisions."""
from chalice import Chalice, Rate

from chalicelib import casework, citizen, messages, mypages
from chalicelib import report_approvals
from services.adapters.dynamo import relay_outbox as relay
from services.entrypoints.http import HttpApi
from services.eservices import retention
from services.eservices.bootstrap import deps

app = Chalice(app_name="insats-eservices", configure_logs=False)
app.api.binary_types.append("application/pdf")
api = HttpApi(app, "eservices")
for routes in (citizen, mypages, casework, messages, report_approvals):
    app.register_blueprint(routes.bp)


@app.route("/health")
def health():
    return api.health()


@app.route("/openapi.json")
def openapi():
    return api.openapi("Insats e-services and case work")


@app.schedule(Rate(1, unit=Rate.MINUTES))
def relay_outbox(event):
    return {"relayed": relay(deps().table, deps().publisher)}


@app.schedule(Rate(1, unit=Rate.HOURS))
def sweep_drafts(event):
    return retention.sweep(deps())
