"""Insats provider billing: the invoice basis, reconciliation, exports and contact-person payouts,
computed from billing's own read model of others' events (the inbox consumer below)."""
from chalice import Chalice

from chalicelib import basis_web, billing_web, money_web
from services.billing.bootstrap import deps
from services.entrypoints.http import HttpApi
from services.entrypoints.sources import queue_source
from services.entrypoints.sqs import process_grouped

# Models by name, the use cases imported in each handler: a cold start builds neither.
SCHEMAS = "services.billing.schemas:"

app = Chalice(app_name="insats-billing", configure_logs=False)
app.api.binary_types.append("application/pdf")
api = HttpApi(app, "billing")
app.register_blueprint(billing_web.bp)  # the staff web's billing section (/billing/personal: ekonomi)
app.register_blueprint(basis_web.bp)  # its Fakturaunderlag pages
app.register_blueprint(money_web.bp)  # its pages for paying: klassificering, utbetalningar, regler
api.serve_health_and_openapi("Insats provider billing")
TAGS = ("billing",)


@app.route("/invoice-basis")
@api.operation("billing.read", query=SCHEMAS + "InvoiceBasisQuery", response=SCHEMAS + "InvoiceBasisView",
               tags=TAGS,
               summary="A provider's invoice basis for a month: preliminary until made final, then its latest version")
def invoice_basis(call, query):
    from services.billing.usecases import invoice_basis as usecase

    return usecase.invoice_basis(deps(), call.who, query.provider_id, query.month, query.version, query.current)


@app.route("/invoice-basis/{provider_id}/{month}/final", methods=["POST"])
@api.operation("billing.finalize", response=SCHEMAS + "InvoiceBasisView", tags=TAGS,
               summary="Make the month's basis final (409 until its lock date has passed); "
                       "a later change is a new version")
def finalize(call, provider_id, month):
    from services.billing.usecases import finalize as usecase

    return usecase.finalize(deps(), call.who, provider_id, month)


@app.route("/invoice-basis/{provider_id}/{month}/final/unverified-confirmation", methods=["POST"])
@api.operation("billing.finalize_unverified", body=SCHEMAS + "FinalizeUnverifiedRequest",
               response=SCHEMAS + "InvoiceBasisView", tags=TAGS,
               summary="Finance makes the month's basis final although visits are not verified, with a reason "
                       "(stored and shown on the basis); unverified visits stay unbilled")
def finalize_unverified(call, body, provider_id, month):
    from services.billing.usecases import finalize as usecase

    return usecase.finalize(deps(), call.who, provider_id, month, body.reason)


@app.route("/invoice-basis/{provider_id}/{month}/reconciliation", methods=["POST"])
@api.operation("billing.reconcile", body=SCHEMAS + "ReconcileRequest",
               response="services.billing.domain.reconcile:Reconciliation", tags=TAGS,
               summary="Compare a submitted invoice with the basis, line by line, with its due date")
def reconcile(call, body, provider_id, month):
    from services.billing.usecases import reconciliation as usecase

    return usecase.reconcile(deps(), call.who, provider_id, month, body)


@app.route("/invoice-basis/{provider_id}/{month}/csv")
@api.operation("billing.read", query=SCHEMAS + "ExportQuery", tags=TAGS, content_type="text/csv",
               summary="The basis as CSV")
def basis_csv(call, query, provider_id, month):
    from services.billing.usecases import invoice_basis as usecase

    return usecase.basis_file(deps(), call.who, provider_id, month, "csv", query.version)


@app.route("/invoice-basis/{provider_id}/{month}/pdf")
@api.operation("billing.read", query=SCHEMAS + "ExportQuery", tags=TAGS, content_type="application/pdf",
               summary="The basis as PDF")
def basis_pdf(call, query, provider_id, month):
    from services.billing.usecases import invoice_basis as usecase

    return usecase.basis_file(deps(), call.who, provider_id, month, "pdf", query.version)


@app.route("/clients/{client}/classification", methods=["PUT"])
@api.operation("billing.clients.manage", body=SCHEMAS + "ClientProfileRequest",
               response=SCHEMAS + "ClientProfileView", tags=TAGS,
               summary="Finance's classification of a client: rural or island area, social psychiatry")
def classify(call, body, client):
    from services.billing.usecases import classification as usecase

    return usecase.set_client_profile(deps(), call.who, client, body)


@app.route("/payouts")
@api.operation("payouts.read", query=SCHEMAS + "MonthQuery", response=SCHEMAS + "PayoutView", tags=TAGS,
               summary="Contact persons' payouts for a month: fee (taxable), allowance and mileage (tax-free)")
def payouts(call, query):
    from services.billing.usecases import payouts as usecase

    return usecase.payouts(deps(), call.who, query.month)


@app.route("/payouts/{month}/csv")
@api.operation("payouts.read", tags=TAGS, content_type="text/csv", summary="The month's payouts as CSV for payroll")
def payouts_csv(call, month):
    from services.billing.usecases import payouts as usecase

    return usecase.payouts_file(deps(), call.who, month)


@app.on_sqs_message(**queue_source("billing-inbox"))
def on_event(event):
    from services.billing.usecases.consume import consume
    from services.contracts.events import Envelope

    return process_grouped(event, service="billing", model=Envelope, handle_all=consume(deps()))
