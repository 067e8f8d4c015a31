"""The access matrix, cell by cell, over the real apps on moto.

``MATRIX`` is the matrix as docs/architecture.md ("Who sees what") writes it: for each action, the
roles that may call it. It is written here independently of ``services/auth/policy.py``, so a
change to the policy that the matrix does not make fails here. Then:

- every operation of every app, for every role: a role the matrix does not list is refused by
  the policy (403, "may not perform"); a role it lists passes the policy;
- the reports and billing operations with real data, for every caller (the ordering unit, the
  coordinator and the management of provider X and of provider Y, X's care staff, a case worker
  with a client and one without, the auditor, citizen, relative, contact person): the exact status
  and, where the answer is a report, whose providers and clients it shows.
"""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from services.auth.policy import POLICY
from services.auth.principal import Role
from services.domain.personnummer import mask
from tests.support.operations import claims_for, concrete, operations
from tests.support.people import new_pnr

C, R, K = "citizen", "relative", "contact_person"
CW, PS, PC, PM, OU, AU = ("case_worker", "provider_staff", "provider_coordinator", "provider_manager",
                          "ordering_unit", "auditor")
OA, MA = "organisation_admin", "municipal_admin"
FN = "finance"
PEOPLE = {C, R, K}
PROVIDER = {PS, PC}

MATRIX: dict[str, set[str]] = {
    # Citizen e-services
    "profile.read": PEOPLE, "profile.update": PEOPLE,
    "drafts.create": PEOPLE, "drafts.read": PEOPLE, "drafts.update": PEOPLE, "drafts.delete": PEOPLE,
    "drafts.sign": PEOPLE, "drafts.submit": PEOPLE,
    "cases.read_own": PEOPLE, "documents.read_own": PEOPLE, "messages.citizen": PEOPLE,
    "assignments.read_own": PEOPLE,
    # Case work
    "inbox.read": {CW}, "intake.create": {CW}, "cases.read_any": {CW}, "decisions.create": {CW},
    "assignments.manage": {CW}, "messaging.manage": {CW}, "messages.staff": {CW}, "relatives.manage": {CW},
    "contact_reports.approve": {CW},
    "audit.search": {AU},
    # Home-care visits
    "visit_events.post": PROVIDER, "visits.read": {PS, PC, PM, OU, CW}, "visits.approve": {PC, PM},
    "visits.edit": PROVIDER, "visits.approve_deviation": {CW},
    "exceptions.read": {PC, PM}, "exceptions.resolve": {PC, PM},
    "rejected_events.read": PROVIDER, "rejected_events.correct": PROVIDER, "absences.manage": PROVIDER,
    "tags.manage": PROVIDER, "tags.read": {PS, PC, OU}, "staff.manage": {PC},
    # Follow-up and billing: the provider's coordinator and management, never its care staff
    "reports.read": {OU, FN, PC, PM, CW},
    "billing.read": {OU, FN, PC, PM}, "billing.reconcile": {OU, FN, PC, PM},
    "billing.finalize": {OU, FN}, "billing.finalize_unverified": {OU, FN}, "billing.clients.manage": {OU, FN},
    "payouts.read": {OU, FN}, "payouts.approve": {FN}, "rules.manage": {FN},
    # The staff directory: its keepers (whom each reaches: tests/integration/identity); its audit trail: auditors
    "staff_accounts.read": {OA, MA}, "staff_accounts.manage": {OA, MA}, "identity_audit.read": {AU},
}



def test_every_action_of_the_policy_has_its_row_in_the_matrix():
    assert set(POLICY) == set(MATRIX), "a new action: add its row to MATRIX and to docs/architecture.md"


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("role", [str(r) for r in Role])
def test_each_cell_of_the_policy_is_the_matrixs(action, role):
    assert (Role(role) in POLICY[action]) == (role in MATRIX[action]), (action, role)


@pytest.mark.parametrize("app,method,path,action", list(operations()))
def test_every_operation_for_every_role_answers_as_the_matrix_says(app_client, token, app, method, path, action):
    client = app_client(app)
    url = concrete(path)
    for role in Role:
        r = client.request(method, url, token=token(str(role), **claims_for(role)),
                           json_body={} if method in ("POST", "PUT", "PATCH") else None)
        refused_by_policy = r.status == 403 and "may not perform" in (r.json or {}).get("detail", "")
        if str(role) in MATRIX[action]:
            assert r.status != 401 and not refused_by_policy, (role, r.status, r.json)
        else:
            assert refused_by_policy, (role, r.status, r.json)


# -- reports and billing with data: the exact answer of every caller ---------------------------

REPORT_MONTH = "2032-07"  # a month of its own in the shared moto (no other test file builds it)
BASIS_MONTH = "2025-05"  # long past its lock date, under Haninge's 2025 pack
OWN_CW, OTHER_CW = "hl-matrix-own", "hl-matrix-other"


@pytest.fixture(scope="module")
def world(app_client, token):
    """Provider X serves client a (a case of OWN_CW), provider Y client b, in the reports and in billing."""
    from services.contracts.events import DecisionPublishedV2, GrantedTime, VisitChangedV2, VisitContent, \
        split_minutes
    from services.reports.bootstrap import deps as reports_deps
    from services.reports.usecases.rebuild import rebuild as rebuild_report
    from tests.unit.billing.events import decision, visit_changed

    x, y = f"prov-x-{uuid.uuid4().hex[:6]}", f"prov-y-{uuid.uuid4().hex[:6]}"
    a, b = new_pnr(1938), new_pnr(1944)

    def visit(client, provider, day):
        start = datetime(2032, 7, day, 8, 0, tzinfo=timezone.utc)
        content = VisitContent(staff_id="anna", started_at=start, ended_at=start + timedelta(minutes=30), minutes=30,
                               insatser=split_minutes(30, ["personlig_omsorg"]), status="approved")
        return VisitChangedV2(visit_id=str(uuid.uuid4()), client=client, provider_id=provider, year=2032, month=7,
                              visit_version=2, change="approved", visit=content).envelope("visits")

    granted = DecisionPublishedV2(decision_id=str(uuid.uuid4()), case_id="c", case_number="2032-000008", client=a,
                                  insats="hemtjanst", law="SoL", outcome="granted", granted_minutes_per_month=600,
                                  valid_from=date(2032, 1, 1), decided_at=datetime(2032, 1, 1, tzinfo=timezone.utc),
                                  granted=[GrantedTime(insats="personlig_omsorg", minutes_per_month=600)],
                                  provider_id=x, case_worker_id=OWN_CW)
    events = [granted.envelope("eservices"), visit(a, x, 4), visit(b, y, 5)]
    assert app_client("reports").sqs("on_event", [e.model_dump_json() for e in events]) == {"batchItemFailures": []}
    rebuild_report(reports_deps(), REPORT_MONTH)

    at = datetime(2025, 5, 5, 8, tzinfo=timezone.utc)
    billed = [decision(a, 3040, date(2025, 1, 1)), decision(b, 3040, date(2025, 1, 1)),
              visit_changed(f"v-{x}", a, provider=x, minutes=60, start=at, year=2025, month=5),
              visit_changed(f"v-{y}", b, provider=y, minutes=60, start=at, year=2025, month=5)]
    assert app_client("billing").sqs("on_event", [e.model_dump_json() for e in billed]) == {"batchItemFailures": []}

    callers = {
        "ordering unit": token(OU, user_id="bestallare"),
        "finance": token(FN, user_id="ekonom"),
        "coordinator of X": token(PC, user_id="cora", provider_id=x),
        "management of X": token(PM, user_id="vera", provider_id=x),
        "coordinator of Y": token(PC, user_id="yngve", provider_id=y),
        "management of Y": token(PM, user_id="ylva", provider_id=y),
        "care staff of X": token(PS, user_id="anna", provider_id=x),
        "case worker of a": token(CW, user_id=OWN_CW),
        "another case worker": token(CW, user_id=OTHER_CW),
        "auditor": token(AU, user_id="lena"),
        "citizen": token(C, personnummer=a),
        "relative": token(R, personnummer=new_pnr()),
        "contact person": token(K, personnummer=new_pnr()),
    }
    return {"x": x, "y": y, "a": a, "b": b, "callers": callers}


CALLERS = ["ordering unit", "finance", "coordinator of X", "management of X", "coordinator of Y", "management of Y",
           "care staff of X", "case worker of a", "another case worker", "auditor", "citizen", "relative",
           "contact person"]

# One row per operation, one column per caller (in CALLERS' order): the exact status.
#                                   OU   FN   PCX  PMX  PCY  PMY  PSX  CWa  CW   AU   C    R    K
EXPECTED = {
    "GET /reports":                 (200, 200, 200, 200, 200, 200, 403, 200, 200, 403, 403, 403, 403),
    "GET /reports of X":            (200, 200, 200, 200, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    "GET /reports/csv of X":        (200, 200, 200, 200, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    "GET /reports/chart.svg of X":  (200, 200, 200, 200, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    "GET /invoice-basis of X":      (200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET basis csv of X":           (200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET basis pdf of X":           (200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "POST reconciliation of X":     (200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "PUT classification of a":      (200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /payouts":                 (200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET payouts csv":              (200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "POST final of X":              (200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),  # last: it stays
}

# What each caller's JSON report shows (GET /reports, no provider named): providers, clients, totals.
SEES = {
    "ordering unit": ("x y", "a b", True), "finance": ("x y", "a b", True),
    "coordinator of X": ("x", "a", False), "management of X": ("x", "a", False),
    "coordinator of Y": ("y", "b", False), "management of Y": ("y", "b", False),
    "case worker of a": ("", "a", False), "another case worker": ("", "", False),
}


def request_of(operation, w):
    x, a = w["x"], w["a"]
    claim = {"received_on": "2025-06-10", "lines": [{"client": a, "hours": "1.00", "amount_ore": 46800}]}
    return {
        "GET /reports": ("GET", f"/reports?month={REPORT_MONTH}", None),
        "GET /reports of X": ("GET", f"/reports?month={REPORT_MONTH}&provider_id={x}", None),
        "GET /reports/csv of X": ("GET", f"/reports/csv?month={REPORT_MONTH}&provider_id={x}", None),
        "GET /reports/chart.svg of X": ("GET", f"/reports/chart.svg?month={REPORT_MONTH}&provider_id={x}", None),
        "GET /invoice-basis of X": ("GET", f"/invoice-basis?provider_id={x}&month={BASIS_MONTH}", None),
        "GET basis csv of X": ("GET", f"/invoice-basis/{x}/{BASIS_MONTH}/csv", None),
        "GET basis pdf of X": ("GET", f"/invoice-basis/{x}/{BASIS_MONTH}/pdf", None),
        "POST reconciliation of X": ("POST", f"/invoice-basis/{x}/{BASIS_MONTH}/reconciliation", claim),
        "PUT classification of a": ("PUT", f"/clients/{a}/classification", {"area": "rural"}),
        "GET /payouts": ("GET", f"/payouts?month={BASIS_MONTH}", None),
        "GET payouts csv": ("GET", f"/payouts/{BASIS_MONTH}/csv", None),
        "POST final of X": ("POST", f"/invoice-basis/{x}/{BASIS_MONTH}/final", None),
    }[operation]


def test_each_caller_gets_exactly_its_answer_from_reports_and_billing(app_client, world):
    wrong = []
    for operation, statuses in EXPECTED.items():  # in order: making X's basis final comes last
        method, path, body = request_of(operation, world)
        app = app_client("reports" if path.startswith("/reports") else "billing")
        for caller, expected in zip(CALLERS, statuses, strict=True):
            r = app.request(method, path, token=world["callers"][caller], json_body=body,
                            headers={"Accept": "application/pdf"} if path.endswith("/pdf") else None)
            if r.status != expected:
                wrong.append((operation, caller, expected, r.status, r.json if r.status >= 400 else None))
    assert wrong == []


@pytest.mark.parametrize("caller", sorted(SEES))
def test_a_report_shows_each_caller_exactly_its_providers_and_clients(app_client, world, caller):
    providers, clients, totals = SEES[caller]
    r = app_client("reports").get(f"/reports?month={REPORT_MONTH}", token=world["callers"][caller])
    assert r.status == 200, r.json
    assert {p["provider_id"] for p in r.json["providers"]} == {world[k] for k in providers.split()}
    assert {row["client"] for row in r.json["rows"]} == {mask(world[k]) for k in clients.split()}
    assert (r.json["municipality"] is not None) == totals
