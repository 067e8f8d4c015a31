"""Insats follow-up reports: the reports inbox in, nightly reports out (JSON, CSV, SVG)."""
from chalice import Chalice, Cron

from chalicelib import follow_web, followup_web
from services.entrypoints.http import HttpApi
from services.entrypoints.sources import queue_source
from services.entrypoints.sqs import process_grouped
from services.reports.bootstrap import deps, handle_events, run_nightly
from services.reports.domain.schedule import CRON_UTC_HOURS

# Models by name, the use cases imported in each handler: a cold start builds neither.
S = "services.reports.schemas:"

app = Chalice(app_name="insats-reports", configure_logs=False)
api = HttpApi(app, "reports")
app.register_blueprint(followup_web.bp)  # the staff web's follow-up section (/reports/personal)
app.register_blueprint(follow_web.bp)  # its visits behind the figures, trend and early warnings
api.serve_health_and_openapi("Insats follow-up reports")


@app.route("/reports")
@api.operation("reports.read", query=S + "ReportQuery", response=S + "Report", summary="A month's follow-up report")
def get_report(call, query):
    from services.reports.usecases.read import read_report

    return read_report(deps(), call.who, query.month, query.provider_id)


@app.route("/reports/csv")
@api.operation("reports.read", query=S + "ReportQuery", content_type="text/csv", summary="The report's rows as CSV")
def get_report_csv(call, query):
    from services.entrypoints.files import render_file
    from services.reports.usecases.read import report_file

    return render_file(report_file(deps(), call.who, query.month, query.provider_id, "csv"))


@app.route("/reports/chart.svg")
@api.operation("reports.read", query=S + "ReportQuery", content_type="image/svg+xml",
               summary="Performed against granted time per provider (SVG)")
def get_report_chart(call, query):
    from services.entrypoints.files import render_file
    from services.reports.usecases.read import report_file

    return render_file(report_file(deps(), call.who, query.month, query.provider_id, "svg"))


@app.on_sqs_message(**queue_source("reports-inbox"))
def on_event(event):
    from services.contracts.events import Envelope

    return process_grouped(event, service="reports", model=Envelope, handle_all=handle_events)


# 02:00 Europe/Stockholm is 00:00 UTC in summer and 01:00 UTC in winter: fired at both, and
# only the one that is 02:00 local (once a night, daylight-saving nights too) builds. An event
# whose detail names a month (fired on demand: make fire JOB=reports.nightly MONTH=2026-12) builds it.
@app.schedule(Cron(0, CRON_UTC_HOURS, "*", "*", "?", "*"))
def nightly(event):
    return {"built": run_nightly((event.detail or {}).get("month"))}
