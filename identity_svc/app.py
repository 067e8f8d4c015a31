"""Insats identity: the staff directory (organisations, staff accounts and their roles), its audit
trail, and the daily reminder of accounts about to end. (The staff login pages at ``/personal`` and
Insats' own token issuer are served from here too, in ``chalicelib/``.)"""
from chalice import Chalice, Cron

from chalicelib import logins_web, web
from services.entrypoints.http import HttpApi
from services.entrypoints.sources import outbox_relay
from services.identity.bootstrap import deps

# Models by name, the use cases imported in each handler: a cold start builds neither.
S = "services.identity.schemas:"

app = Chalice(app_name="insats-identity", configure_logs=False)
api = HttpApi(app, "identity")
app.register_blueprint(web.bp)  # /personal (login, role, start page) and the authorization server
app.register_blueprint(logins_web.bp)  # /personal/logg: logins and account changes, for auditors
api.serve_health_and_openapi("Insats identity: the staff directory")
relay_outbox = outbox_relay(app, "identity")  # the contacts and reminders its writes carry, to notify
TAGS = ("staff directory",)


@app.route("/staff-accounts")
@api.operation("staff_accounts.read", query=S + "StaffAccountQuery", response=f"list[{S}StaffAccountView]",
               tags=TAGS, summary="The staff accounts you keep (your organisation's; the municipality's "
                                  "administrator: municipal units' and providers' administrators)")
def list_accounts(call, query):
    from services.identity.usecases.directory import list_accounts

    return list_accounts(deps(), call.who, query)


@app.route("/staff-accounts", methods=["POST"])
@api.operation("staff_accounts.manage", body=S + "NewStaffAccount", response=S + "StaffAccountView", status=201,
               tags=TAGS, summary="Add a staff account (valid to the next 15 February or 15 September by default)")
def add_account(call, body):
    from services.identity.usecases.directory import add_account

    return add_account(deps(), call.who, body)


@app.route("/staff-accounts/{account_id}")
@api.operation("staff_accounts.read", response=S + "StaffAccountView", tags=TAGS, summary="One staff account")
def get_account(call, account_id):
    from services.identity.usecases.directory import get_account

    return get_account(deps(), call.who, account_id)


@app.route("/staff-accounts/{account_id}/extension", methods=["POST"])
@api.operation("staff_accounts.manage", body=S + "ExtensionRequest", response=S + "StaffAccountView", tags=TAGS,
               summary="Extend an account (an ended one is open again)")
def extend_account(call, body, account_id):
    from services.identity.usecases.directory import extend_account

    return extend_account(deps(), call.who, account_id, body)


@app.route("/staff-accounts/{account_id}/end", methods=["POST"])
@api.operation("staff_accounts.manage", body=S + "EndRequest", response=S + "StaffAccountView", tags=TAGS,
               summary="End an account now, with a reason")
def end_account(call, body, account_id):
    from services.identity.usecases.directory import end_account

    return end_account(deps(), call.who, account_id, body)


@app.route("/staff-accounts/{account_id}/roles", methods=["PUT"])
@api.operation("staff_accounts.manage", body=S + "RolesRequest", response=S + "StaffAccountView", tags=TAGS,
               summary="Replace an account's roles")
def change_roles(call, body, account_id):
    from services.identity.usecases.directory import change_roles

    return change_roles(deps(), call.who, account_id, body)


@app.route("/organisations")
@api.operation("staff_accounts.read", response=f"list[{S}OrganisationView]", tags=TAGS,
               summary="The organisations whose accounts you keep")
def list_organisations(call):
    from services.identity.usecases.directory import list_organisations

    return list_organisations(deps(), call.who)


@app.route("/audit")
@api.operation("identity_audit.read", query=S + "AuditQuery", response=f"list[{S}AuditEntryView]", tags=TAGS,
               summary="Logins, refusals (with their reason), account and role changes of a period (auditors)")
def read_audit(call, query):
    from services.identity.usecases.directory import read_audit

    return read_audit(deps(), call.who, query)


# Every morning, 06:00 UTC (07:00 or 08:00 in Stockholm): accounts ending within 14 days.
@app.schedule(Cron(0, 6, "*", "*", "?", "*"))
def remind_ending_accounts(event):
    from services.identity.usecases.reminders import remind_ending_accounts as sweep

    done = sweep(deps())
    return {"reminded": len(done.accounts), "already": done.already, "told": done.told}
