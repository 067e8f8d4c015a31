"""Home-care visits: the staff app's events in, visits, deviations, approvals and absences out."""
from urllib.parse import urlencode

from chalice import Chalice

from chalicelib import app_web, registry_web, staff_web, summary_web, triage_web, vpages_web
from services.entrypoints.http import HttpApi, render
from services.entrypoints.sources import outbox_relay, queue_source
from services.entrypoints.sqs import process_events, process_grouped
from services.visits.bootstrap import deps, handle_domain_event, handle_visit_events

# Models by name, the use cases imported in each handler: a cold start builds neither.
S = "services.visits.schemas:"

app = Chalice(app_name="insats-visits", configure_logs=False)
api = HttpApi(app, "visits")
app.register_blueprint(staff_web.bp)  # the staff web's visits section (/visits/personal)
app.register_blueprint(triage_web.bp)  # its "Att åtgärda" (exceptions, triaged)
app.register_blueprint(vpages_web.bp)  # the provider's visits (/visits/personal/besok, …/efterregistrera)
app.register_blueprint(registry_web.bp)  # its provider's registry: absences, devices, staff, own registrations
app.register_blueprint(summary_web.bp)  # Översikt and Månaden och fakturaunderlag (provider leads)
app.register_blueprint(app_web.bp)  # Besöksappen, the staff app (/visits/personal/app)
api.serve_health_and_openapi("Insats home-care visits")


def paged(path, query, page, cursor):
    """A page as a JSON list; the next page, if any, in ``Link: <…>; rel="next"`` (RFC 8288)."""
    response = render(page, 200)
    if cursor:
        asked = {k: v for k, v in query.model_dump(mode="json", exclude={"cursor"}, exclude_none=True).items()}
        response.headers["Link"] = f'<{path}?{urlencode({**asked, "cursor": cursor})}>; rel="next"'
    return response


@app.route("/visit-events", methods=["POST"])
@api.operation("visit_events.post", body=S + "PostVisitEvents", response=S + "Accepted", status=202,
               summary="The staff app's events (arrival, departure, insatser, double staffing, client absent)")
def post_visit_events(call, body):
    from services.visits.usecases.ingest import accept_events

    return accept_events(deps(), call.who, body)


@app.route("/visits")
@api.operation("visits.read", query=S + "VisitQuery", response=f"list[{S}VisitView]", summary="Visits of a month")
def list_visits(call, query):
    from services.visits.usecases.reading import visits_page

    return paged("/visits", query, *visits_page(deps(), call.who, query))


@app.route("/visits", methods=["POST"])
@api.operation("visits.edit", body=S + "PostRegistration", response=S + "VisitView", status=201,
               summary="Post-registration (efterregistrering): technology failure or absence period")
def post_register(call, body):
    from services.visits.usecases.edits import post_register

    return post_register(deps(), call.who, body)


@app.route("/visits/{visit_id}")
@api.operation("visits.read", response=S + "VisitView", summary="One visit")
def get_visit(call, visit_id):
    from services.visits.usecases.reading import get_visit

    return get_visit(deps(), call.who, visit_id)


@app.route("/visits/{visit_id}", methods=["PATCH"])
@api.operation("visits.edit", body=S + "EditVisit", response=S + "VisitView",
               summary="Edit a visit until the lock date")
def edit_visit(call, body, visit_id):
    from services.visits.usecases.edits import edit

    return edit(deps(), call.who, visit_id, body)


@app.route("/visits/{visit_id}/approve", methods=["POST"])
@api.operation("visits.approve", body=S + "Reasoned", response=S + "VisitView", summary="Approve a visit")
def approve_visit(call, body, visit_id):
    from services.visits.usecases.approval import approve

    return approve(deps(), call.who, visit_id, body)


@app.route("/visits/{visit_id}/unapprove", methods=["POST"])
@api.operation("visits.approve", body=S + "Reasoned", response=S + "VisitView",
               summary="Undo an approval until the lock date")
def unapprove_visit(call, body, visit_id):
    from services.visits.usecases.approval import unapprove

    return unapprove(deps(), call.who, visit_id, body)


@app.route("/visits/{visit_id}/deviation-decisions", methods=["POST"])
@api.operation("visits.approve_deviation", body=S + "DeviationDecision", response=S + "VisitView",
               summary="The client's case worker (named by the client's decision) approves or rejects a pending deviation; to another case worker the visit is not found")
def decide_deviation(call, body, visit_id):
    from services.visits.usecases.deviations import decide_deviation

    return decide_deviation(deps(), call.who, visit_id, body.index, body.decision, body.reason)


@app.route("/exceptions")
@api.operation("exceptions.read", query=S + "ExceptionQuery", response=f"list[{S}ExceptionRowView]",
               summary="Your provider's visits of a month with unresolved exceptions (red first), and departures "
                       "with no arrival")
def list_exceptions(call, query):
    from services.visits.usecases.exceptions import exceptions_page

    return paged("/exceptions", query, *exceptions_page(deps(), call.who, query))


@app.route("/visits/{visit_id}/resolutions", methods=["POST"])
@api.operation("exceptions.resolve", body=S + "ResolveException", response=S + "VisitView",
               summary="Resolve a red exception, or acknowledge a grey one, with a reason code")
def resolve_exception(call, body, visit_id):
    from services.visits.usecases.exceptions import resolve_exception

    return resolve_exception(deps(), call.who, visit_id, body)


@app.route("/reason-codes")
@api.operation("exceptions.read", response=f"list[{S}ReasonCodeView]",
               summary="The reason codes a resolution takes, and the exception kinds each applies to")
def list_reason_codes(call):
    from services.visits.usecases.exceptions import reason_code_list

    return reason_code_list()


@app.route("/exception-statistics")
@api.operation("exceptions.read", query=S + "MonthQuery", response=f"list[{S}ReasonCountView]",
               summary="The month's resolutions per reason code, and per lock or tag for the device codes")
def exception_statistics(call, query):
    from services.visits.usecases.exceptions import statistics

    return statistics(deps(), call.who, query)


@app.route("/rejected-events")
@api.operation("rejected_events.read", query=S + "RejectedQuery", response=f"list[{S}RejectedView]",
               summary="Your provider's events that failed a check or fit no visit")
def list_rejected(call, query):
    from services.visits.usecases.rejected import rejected_page

    return paged("/rejected-events", query, *rejected_page(deps(), call.who, query))


@app.route("/rejected-events/{event_id}/corrections", methods=["POST"])
@api.operation("rejected_events.correct", body="services.visits.domain.model:StaffAppEvent", response=S + "Accepted",
               status=202,
               summary="Send a corrected event for a rejected one")
def correct_rejected(call, body, event_id):
    from services.visits.usecases.rejected import correct_rejected

    return correct_rejected(deps(), call.who, event_id, body)


@app.route("/absences", methods=["POST"])
@api.operation("absences.manage", body=S + "RegisterAbsence", response=S + "AbsenceView", status=201,
               summary="Register a client's absence")
def register_absence(call, body):
    from services.visits.usecases.absences import register_absence

    return register_absence(deps(), call.who, body)


@app.route("/absences")
@api.operation("absences.manage", response=f"list[{S}AbsenceView]", summary="The provider's client absences")
def list_absences(call):
    from services.visits.usecases.absences import list_absences

    return list_absences(deps(), call.who)


@app.route("/absences/{absence_id}/end", methods=["POST"])
@api.operation("absences.manage", body=S + "EndAbsence", response=S + "AbsenceView",
               summary="End an open absence (the client is back); billing receives the end")
def end_absence(call, body, absence_id):
    from services.visits.usecases.absences import end_absence

    return end_absence(deps(), call.who, absence_id, body)


@app.route("/devices/orders", methods=["POST"])
@api.operation("tags.manage", body=S + "OrderTags", response=f"list[{S}DeviceView]", status=201,
               summary="Order NFC tags")
def order_tags(call, body):
    from services.visits.usecases.devices import order_tags

    return order_tags(deps(), call.who, body.count, body.kind)


@app.route("/devices")
@api.operation("tags.read", query=S + "TagQuery", response=f"list[{S}DeviceView]",
               summary="A provider's tags and locks")
def list_devices(call, query):
    from services.visits.usecases.devices import list_devices

    return list_devices(deps(), call.who, query)


@app.route("/devices/{device_id}/bind", methods=["POST"])
@api.operation("tags.manage", body=S + "BindTag", response=S + "DeviceView", summary="Bind a tag to its one client")
def bind_tag(call, body, device_id):
    from services.visits.usecases.devices import bind_tag

    return bind_tag(deps(), call.who, device_id, body.client)


@app.route("/devices/{device_id}/retire", methods=["POST"])
@api.operation("tags.manage", response=S + "DeviceView", summary="Retire a tag (never reused)")
def retire_tag(call, device_id):
    from services.visits.usecases.devices import retire_tag

    return retire_tag(deps(), call.who, device_id)


@app.route("/staff", methods=["POST"])
@api.operation("staff.manage", body=S + "AddStaff", response=S + "StaffView", status=201,
               summary="Register a staff member with your provider (the staff registry the checks use)")
def add_staff(call, body):
    from services.visits.usecases.staff import add_staff

    return add_staff(deps(), call.who, body.user_id)


@app.route("/staff")
@api.operation("staff.manage", response=f"list[{S}StaffView]", summary="Your provider's staff registry")
def list_staff(call):
    from services.visits.usecases.staff import list_staff

    return list_staff(deps(), call.who)


@app.route("/staff/{user_id}", methods=["DELETE"])
@api.operation("staff.manage", response=S + "StaffView",
               summary="Remove a staff member: their later events are rejected")
def remove_staff(call, user_id):
    from services.visits.usecases.staff import remove_staff

    return remove_staff(deps(), call.who, user_id)


@app.on_sqs_message(**queue_source("visits-ingest"))
def on_visit_events(event):
    from services.visits.domain.model import QueuedEvents

    return process_grouped(event, service="visits", model=QueuedEvents, handle_all=handle_visit_events)


@app.on_sqs_message(**queue_source("visits-inbox"))
def on_event(event):
    return process_events(event, service="visits", handle=handle_domain_event, table="visits")


relay_outbox = outbox_relay(app, "visits")
