"""Every operation of every app, against the one policy: no token → 401, a role the policy does
not list → 403, and a role it lists gets the one answer that minimal request deserves (no body, or
an empty JSON object; every id the all-zero uuid): 200 for a list, 404 for an id that names nothing,
422 naming what is missing, 403 only where a row rule refuses. Row-level access (citizen A never sees
citizen B's anything) is tested with each feature."""

import pytest

from services.auth.policy import POLICY
from services.auth.principal import PROVIDER_ROLES, Role
from tests.support.operations import claims_for, concrete, operations

# The minimal request's one right answer per operation, for every role the policy allows:
# (without a body, with "{}"); None where the operation takes no body.
LIST, UNKNOWN_ID, MISSING = 200, 404, 422
MINIMAL: dict[str, tuple[int, int | None]] = {
    # lists of one's own (or the caller's provider's) rows: empty, 200
    **{op: (LIST, None) for op in (
        "eservices GET /drafts", "eservices GET /profile", "eservices GET /my/drafts", "eservices GET /my/cases",
        "eservices GET /inbox", "eservices GET /assignments", "eservices GET /my/assignments",
        "eservices GET /messaging/citizens", "eservices GET /messages", "eservices GET /my/messages",
        "visits GET /rejected-events", "visits GET /absences", "visits GET /staff", "visits GET /reason-codes",
        # the accounts and organisations the keeper reaches (a token without an organisation: none)
        "identity GET /staff-accounts", "identity GET /organisations")},
    # an id that names nothing: 404 (before any body is read where the operation takes none)
    **{op: (UNKNOWN_ID, None) for op in (
        "eservices GET /drafts/{draft_id}", "eservices DELETE /drafts/{draft_id}",
        "eservices GET /drafts/{draft_id}/preview", "eservices GET /drafts/{draft_id}/signature",
        "eservices GET /my/cases/{case_id}", "eservices GET /cases/{case_id}/documents/{document_id}",
        "eservices GET /cases/{case_id}", "eservices GET /cases/{case_id}/files/{document_id}",
        "eservices GET /assignments/{assignment_id}", "eservices GET /messages/threads/{thread_id}",
        "eservices GET /messages/threads/{thread_id}/export",
        "eservices GET /messages/threads/{thread_id}/messages/{message_id}/attachments/{attachment_id}",
        "eservices GET /my/messages/threads/{thread_id}",
        "eservices GET /my/messages/threads/{thread_id}/messages/{message_id}/attachments/{attachment_id}",
        "visits GET /visits/{visit_id}", "visits DELETE /staff/{user_id}",
        "identity GET /staff-accounts/{account_id}")},
    **{op: (UNKNOWN_ID, UNKNOWN_ID) for op in (
        "eservices POST /drafts/{draft_id}/signature", "eservices POST /cases/{case_id}/report-another",
        "eservices POST /assignments/{assignment_id}/end", "eservices POST /relatives/{approval_id}/end",
        "visits POST /devices/{device_id}/retire")},
    # a body is required (422 "a JSON body is required"), and "{}" lacks its required fields
    **{op: (MISSING, MISSING) for op in (
        "eservices POST /drafts", "eservices PATCH /drafts/{draft_id}", "eservices POST /cases",
        "eservices POST /cases/{case_id}/intake",
        "eservices POST /cases/{case_id}/decisions", "eservices POST /assignments",
        "eservices PATCH /assignments/{assignment_id}", "eservices POST /relatives",
        "eservices PATCH /relatives/{approval_id}", "eservices PUT /messaging/settings",
        "eservices POST /messages/attachments", "eservices POST /messages", "eservices POST /messages/threads/{thread_id}",
        "eservices POST /my/messages/attachments", "eservices POST /my/messages",
        "eservices POST /my/messages/threads/{thread_id}", "eservices POST /cases/{case_id}/report-approval",
        "visits POST /visit-events", "visits POST /visits", "visits PATCH /visits/{visit_id}",
        "visits POST /visits/{visit_id}/approve", "visits POST /visits/{visit_id}/unapprove",
        "visits POST /visits/{visit_id}/deviation-decisions", "visits POST /rejected-events/{event_id}/corrections",
        "visits POST /absences", "visits POST /absences/{absence_id}/end", "visits POST /devices/orders",
        "visits POST /devices/{device_id}/bind",
        "visits POST /staff", "visits POST /visits/{visit_id}/resolutions",
        "billing POST /invoice-basis/{provider_id}/{month}/reconciliation",
        # every change names the version it was read at
        "identity POST /staff-accounts", "identity POST /staff-accounts/{account_id}/extension",
        "identity POST /staff-accounts/{account_id}/end", "identity PUT /staff-accounts/{account_id}/roles",
        # the path's client is no personnummer either way
        "billing PUT /clients/{client}/classification",
        # no Idempotency-Key: refused before the draft is looked up
        "eservices POST /drafts/{draft_id}/submit",
        # the path's month is not YYYY-MM
        "billing POST /invoice-basis/{provider_id}/{month}/final",
        "billing POST /invoice-basis/{provider_id}/{month}/final/unverified-confirmation")},
    # a required query parameter is missing (month, provider, citizen, the audit's period)
    **{op: (MISSING, None) for op in (
        "eservices GET /relatives", "eservices GET /messaging/settings", "eservices GET /audit", "visits GET /visits",
        "visits GET /exceptions", "visits GET /exception-statistics",
        "reports GET /reports", "reports GET /reports/csv", "reports GET /reports/chart.svg", "identity GET /audit",
        "billing GET /invoice-basis", "billing GET /payouts",
        "billing GET /payouts/{month}/csv")},  # the path's month is not YYYY-MM
    # a profile update is a merge: "{}" changes nothing and answers the profile
    "eservices PUT /profile": (MISSING, 200),
    # the municipality names the provider whose tags it lists; a provider's own roles need not
    "visits GET /devices": (MISSING, None),
    # the municipality: the path's month is not YYYY-MM (a provider role: see BY_PROVIDER_ROLE)
    "billing GET /invoice-basis/{provider_id}/{month}/csv": (MISSING, None),
    "billing GET /invoice-basis/{provider_id}/{month}/pdf": (MISSING, None),
}
# Where a provider's role (staff or coordinator, whichever the policy allows) gets another answer:
# its own provider's tags are a list; another provider's invoice basis is refused by billing's row
# rule before the month is read, whoever in the provider asks.
BY_PROVIDER_ROLE: dict[str, tuple[int, int | None]] = {
    "visits GET /devices": (LIST, None),
    "billing GET /invoice-basis/{provider_id}/{month}/csv": (403, None),
    "billing GET /invoice-basis/{provider_id}/{month}/pdf": (403, None),
}


def expected(app, method, path, role):
    key = f"{app} {method} {path}"
    assert key in MINIMAL, f"say what the minimal request to {key} answers in MINIMAL"
    if role in PROVIDER_ROLES and key in BY_PROVIDER_ROLE:
        return BY_PROVIDER_ROLE[key]
    return MINIMAL[key]


@pytest.mark.parametrize("app,method,path,action", list(operations()))
def test_operation_follows_the_policy(app_client, token, app, method, path, action):
    client = app_client(app)
    url = concrete(path)
    assert client.request(method, url).status == 401
    for role in Role:
        response = client.request(method, url, token=token(str(role), **claims_for(role)))
        if role in POLICY[action]:
            without_body, with_empty_body = expected(app, method, path, role)
            assert response.status == without_body, (role, "no body", response.status, response.json)
            if method in ("POST", "PUT", "PATCH"):
                with_body = client.request(method, url, token=token(str(role), **claims_for(role)), json_body={})
                assert with_body.status == with_empty_body, (role, "{}", with_body.status, with_body.json)
            if response.status == 403:  # allowed by the policy: a 403 must come from a row rule, not the role
                assert "may not perform" not in response.json["detail"], (role, response.json)
        else:
            assert response.status == 403, (role, response.status, response.json)


def test_every_minimal_answer_names_an_operation():
    """The table says nothing about an operation that no longer exists."""
    names = {f"{p.values[0]} {p.values[1]} {p.values[2]}" for p in operations()}
    assert set(MINIMAL) - names == set() and set(BY_PROVIDER_ROLE) - names == set()
