"""cold_start_<app>: a cold Lambda of each app, as the runtime runs one, ÷ the floor any Lambda
that reads the store pays, measured in one run. Prints ``cold_start_<app>: ratio=<x>`` per app.

Ours, in a fresh process: the app's module imported the way the runtime does (its folder first,
its vendor/ beside it) and its first answered request, a real one against the store (a moto
server in its own process, every table provisioned and a little data in them):

- eservices: a citizen's ``GET /my/cases`` (one submitted case), with a valid token;
- visits: a staff member's ``GET /visits?month=`` (a few visits of yesterday's month);
- reports: the ordering unit's ``GET /reports?month=`` (a built report of a small synthetic month);
- billing: the ordering unit's ``GET /invoice-basis`` of one provider of that month;
- identity: an organisation's administrator's ``GET /staff-accounts`` (its organisation, a few accounts);
- notify (no HTTP routes): its inbox handler on one real ``notification.requested`` record
  (e-mail and SMS sent to a recipient whose preferences it holds).

The floor, in a fresh process: ``import boto3`` and one GetItem of an item of the same store.
The import time is deferred work too (routes build their models, tokens are checked, clients
are made on first use), so only import plus first answer is a cold start. The same request
answered again in that process is printed beside it: the first request's time less that one is
what the cold start deferred to it, the rest is the route's own work.

The runs of the floor and of the apps are interleaved and medians taken (``BENCH_COLD_ROUNDS``,
at least 5), so a busy machine slows both sides alike. Interpreter start-up is the same for both
and left out; the event is parsed before the clock starts (the runtime does that).
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = max(5, int(os.environ.get("BENCH_COLD_ROUNDS", "7")))
CLIENTS = int(os.environ.get("BENCH_COLD_CLIENTS", "3"))  # the synthetic month behind reports and billing
APPS = ("eservices", "visits", "notify", "reports", "billing", "identity")
YEAR, MONTH = 2026, 10

# The app as the Lambda runtime runs it: the task root first, its vendor/ beside it; the handler
# called with the event and a context. Prints the seconds of each part and what it answered.
_APP = """
import json, sys, time
paths, request = json.loads(sys.argv[1]), json.loads(sys.stdin.read())
sys.path[:0] = paths


class Context:
    function_name, function_version, memory_limit_in_mb, aws_request_id = "cold", "$LATEST", 1024, "cold"
    invoked_function_arn = "arn:aws:lambda:eu-north-1:123456789012:function:cold"
    log_group_name = log_stream_name = "cold"

    def get_remaining_time_in_millis(self):
        return 30000


started = time.perf_counter()
import app
imported = time.perf_counter()
answer = getattr(app, request["handler"])(request["event"], Context())
answered = time.perf_counter()
again = getattr(app, request["handler"])(request["again"], Context())  # the same, warm: not in the ratio
print(json.dumps({"import": imported - started, "first": answered - imported,
                  "warm": time.perf_counter() - answered, "answers": [
                      [a.get("statusCode"), a.get("batchItemFailures")] for a in (answer, again)],
                  "modules": sorted(sys.modules) if request.get("modules") else []}))
"""

# The floor: what every Lambda that reads the store pays, boto3 and one call of a client.
_FLOOR = """
import json, os, sys, time
request = json.loads(sys.stdin.read())
started = time.perf_counter()
import boto3
imported = time.perf_counter()
got = boto3.client("dynamodb", endpoint_url=os.environ.get("AWS_ENDPOINT_URL")).get_item(**request)
answered = time.perf_counter()
print(json.dumps({"import": imported - started, "first": answered - imported, "found": "Item" in got}))
"""


@dataclass
class FirstRequest:
    """What one app's first invocation is: its handler, and a fresh event for each run."""
    app: str
    handler: str
    event: object  # a function of nothing, returning the event
    describe: str


@dataclass
class Timing:
    imported: float
    answered: float
    warm: float = 0.0  # the same request again in the same process: what is not cold start in ``answered``
    modules: frozenset[str] = frozenset()  # what the process had loaded by then, when asked

    @property
    def total(self) -> float:
        return self.imported + self.answered


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update({"POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR"})
    return env


def _app_paths(app: str) -> list[str]:
    folder = ROOT / f"{app}_svc"
    return [str(folder), str(folder / "vendor")]


def cold_app(request: FirstRequest, *, modules: bool = False) -> Timing:
    """Imports the app in a fresh process and answers its first request (and the same again); refuses
    a failed answer. With ``modules``, the Timing names every module the process had loaded."""
    paths = _app_paths(request.app)
    out = subprocess.run([sys.executable, "-c", _APP, json.dumps(paths)], cwd=paths[0], env=_env(),
                         input=json.dumps({"handler": request.handler, "event": request.event(),
                                           "again": request.event(), "modules": modules}),
                         capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    if any(answer not in ([200, None], [None, []]) for answer in got["answers"]):
        raise RuntimeError(f"cold_start_{request.app}: a request was not answered: {got} {out.stderr[-2000:]}")
    return Timing(got["import"], got["first"], got["warm"], frozenset(got["modules"]))


def cold_floor(get_item: dict) -> Timing:
    """``import boto3`` and one GetItem of an existing item, in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _FLOOR], cwd=str(ROOT), env=_env(), input=json.dumps(get_item),
                         capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    if not got["found"]:
        raise RuntimeError(f"cold_start floor: the item was not found: {get_item}")
    return Timing(got["import"], got["first"])


def http_event(method: str, path: str, query: dict[str, str], token: str) -> dict:
    """An API Gateway (REST, proxy) event, as the gateway hands it to a Chalice app."""
    route, _, _ = path.partition("?")
    return {"resource": route, "path": route, "httpMethod": method,
            "requestContext": {"httpMethod": method, "resourcePath": route, "path": route, "stage": "api",
                               "identity": {"sourceIp": "127.0.0.1"}, "requestId": str(uuid.uuid4())},
            "headers": {"authorization": f"Bearer {token}", "accept": "application/json"},
            "multiValueHeaders": {"authorization": [f"Bearer {token}"], "accept": ["application/json"]},
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} or None,
            "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False}


def sqs_event(bodies: list[str], queue: str) -> dict:
    from tests.support.stack import sqs_record

    return {"Records": [sqs_record(body, queue=queue) for body in bodies]}


# -- the data behind each first request, written with the apps' own code in this process ----------

def _feed(client, bodies: list[str]) -> None:  # noqa: ANN001 - an AppClient
    for i in range(0, len(bodies), 10):
        result = client.sqs("on_event", bodies[i:i + 10])
        assert result == {"batchItemFailures": []}, result


def _client(app: str):  # noqa: ANN202 - the app driven in this process, to write what it will read
    from infra.apps import app_dir, load_app
    from tests.support.stack import AppClient

    return AppClient(load_app(app), app_dir(app))


def _eservices(issuer) -> FirstRequest:  # noqa: ANN001 - a DevIssuer, as below
    """A citizen with one submitted application reads their cases."""
    from tests.support.people import new_pnr

    citizen = new_pnr()
    mine = issuer.token_for("citizen", personnummer=citizen)
    es = _client("eservices")
    answers = {"ansokan": {"area": "sol_aldre", "sol_insats": "hemtjanst", "need": "Jag behöver hjälp med städning"},
               "om_dig": {"personnummer": citizen, "first_name": "Test", "last_name": "Testsson", "confirm": True}}
    draft = es.post("/drafts", {"form_id": "support-application", "answers": answers}, token=mine)
    assert draft.status == 201, draft.json
    assert es.post(f"/drafts/{draft.json['draft_id']}/signature", token=mine).status == 201
    submitted = es.post(f"/drafts/{draft.json['draft_id']}/submit", token=mine, headers={"Idempotency-Key": "cold"})
    assert submitted.status == 201, submitted.json
    return FirstRequest("eservices", "app", lambda: http_event("GET", "/my/cases", {}, mine),
                        "a citizen's GET /my/cases (1 case)")


def _visits(issuer) -> FirstRequest:  # noqa: ANN001
    """A staff member reads the month of four visits they made yesterday (a client with a bound tag)."""
    from services.adapters.aws import client, queue_url
    from services.visits.bootstrap import deps
    from services.visits.domain.model import Device
    from tests.support.people import new_pnr
    from tests.support.stack import drain

    provider, pnr, tag = f"prov-{uuid.uuid4().hex[:8]}", new_pnr(1935), f"TAG-{uuid.uuid4().hex[:10]}"
    now = datetime.now(timezone.utc)
    deps().staff.add_staff(provider, "anna")
    deps().grants.put_granted({"decision_id": str(uuid.uuid4()), "client": pnr, "insats": "hemtjanst",
                               "outcome": "granted", "granted_minutes_per_month": 6000, "valid_from": "2000-01-01",
                               "valid_to": None, "decided_at": "2000-01-01T00:00:00+00:00"})
    deps().devices.put_device(Device(device_id=tag, kind="nfc", provider_id=provider, client=pnr, status="bound",
                                    ordered_at=now, bound_at=now))
    staff = issuer.token_for("provider_staff", user_id="anna", provider_id=provider)
    day = now.replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=1)
    events = [{"event_id": str(uuid.uuid4()), "type": kind, "staff_id": "anna", "provider_id": provider,
               "client": pnr, "device_time": (day + timedelta(minutes=90 * i + offset)).isoformat(),
               "receipt": {"method": "nfc", "device_id": tag}}
              for i in range(4) for kind, offset in (("arrival", 0), ("departure", 30))]
    visits = _client("visits")
    posted = visits.post("/visit-events", {"events": events}, token=staff)
    assert posted.status == 202, posted.json
    queued = [m["Body"] for m in drain(queue_url("visits-ingest"), client("sqs"), relay=False)]
    assert visits.sqs("on_visit_events", queued) == {"batchItemFailures": []}
    month = (day + timedelta(hours=1)).strftime("%Y-%m")  # Stockholm's month of a 06:00 UTC visit
    return FirstRequest("visits", "app", lambda: http_event("GET", "/visits", {"month": month}, staff),
                        f"GET /visits?month={month} (4 visits)")


def _notify(issuer) -> FirstRequest:  # noqa: ANN001
    """A recipient whose e-mail address and mobile number notify holds; each run a new request."""
    from services.contracts.events import ContactPreferencesChanged, NotificationRequested, Recipient
    from tests.support.people import new_pnr

    recipient = Recipient(kind="person", ref=new_pnr())
    preferences = ContactPreferencesChanged(recipient=recipient, changed_at=datetime.now(timezone.utc),
                                            email=f"{uuid.uuid4().hex}@example.se", email_on=True, sms_on=True,
                                            phone=f"+4670{uuid.uuid4().int % 10**7:07d}")
    _feed(_client("notify"), [preferences.envelope("eservices").model_dump_json()])

    def notification() -> dict:
        asked = NotificationRequested(template="decision.published", recipient=recipient, preferences="profile")
        return sqs_event([asked.envelope("eservices").model_dump_json()], "insats-notify-inbox")

    return FirstRequest("notify", "on_event", notification,
                        "the inbox handler on 1 notification.requested (e-mail + SMS)")


def _month() -> list:
    from services.synthetic import month_events

    return list(month_events(year=YEAR, month=MONTH, clients=CLIENTS))


def _reports(issuer) -> FirstRequest:  # noqa: ANN001
    """The ordering unit reads the built report of a small synthetic month."""
    from services.reports.bootstrap import deps
    from services.reports.usecases.rebuild import rebuild

    month = f"{YEAR:04d}-{MONTH:02d}"
    _feed(_client("reports"), [e.model_dump_json() for e in _month()])
    rebuild(deps(), month)
    finance = issuer.token_for("ordering_unit", user_id="cold-ekonom")
    return FirstRequest("reports", "app", lambda: http_event("GET", "/reports", {"month": month}, finance),
                        f"GET /reports?month={month} ({CLIENTS} synthetic clients)")


def _billing(issuer) -> FirstRequest:  # noqa: ANN001
    """The ordering unit reads one provider's invoice basis of that month."""
    envelopes = _month()
    _feed(_client("billing"), [e.model_dump_json() for e in envelopes])
    provider = next(e.payload["provider_id"] for e in envelopes if e.event_type == "visit.changed")
    month, finance = f"{YEAR:04d}-{MONTH:02d}", issuer.token_for("ordering_unit", user_id="cold-ekonom")
    return FirstRequest("billing", "app",
                        lambda: http_event("GET", "/invoice-basis", {"provider_id": provider, "month": month}, finance),
                        f"GET /invoice-basis of one provider, {month}")


def _identity(issuer) -> FirstRequest:  # noqa: ANN001
    """An organisation's administrator lists its organisation's accounts (three)."""
    from services.identity.bootstrap import deps
    from services.identity.domain.model import Organisation, StaffAccount
    from tests.support.people import new_pnr

    organisation, now = f"prov-{uuid.uuid4().hex[:8]}", datetime.now(timezone.utc)
    deps().organisations.put_organisation(Organisation(organisation_id=organisation, kind="provider", name="Kall AB"))
    for n in range(3):
        deps().accounts.put_account(StaffAccount(
            account_id=uuid.uuid4().hex, user_id=f"cold-{n}", personnummer=new_pnr(1980), name=f"Kall {n}",
            organisation_id=organisation, organisation_kind="provider", roles=["provider_staff"],
            valid_from=now.date(), valid_to=now.date() + timedelta(days=60), created_at=now, changed_at=now,
            changed_by="bench"))
    admin = issuer.token_for("organisation_admin", user_id="cold-admin", organisation_id=organisation,
                             provider_id=organisation)
    return FirstRequest("identity", "app", lambda: http_event("GET", "/staff-accounts", {}, admin),
                        "GET /staff-accounts (3 accounts of the admin's organisation)")


FIRST_REQUESTS = {"eservices": _eservices, "visits": _visits, "notify": _notify, "reports": _reports,
                  "billing": _billing, "identity": _identity}


def first_requests(issuer, apps: tuple[str, ...] = APPS) -> list[FirstRequest]:  # noqa: ANN001 - a DevIssuer
    """Writes what each app's first request reads into the store the environment names (through the
    apps' own handlers, in this process), and returns those requests."""
    return [FIRST_REQUESTS[app](issuer) for app in apps]


def floor_request() -> dict:
    """A GetItem of one item the e-services wrote (the citizen's case among them)."""
    from services.adapters.aws import client
    from services.settings import settings

    name = settings().name("eservices")
    (item,) = client("dynamodb").scan(TableName=name, Limit=1)["Items"]
    return {"TableName": name, "Key": {"pk": item["pk"], "sk": item["sk"]}}


def measure(requests: list[FirstRequest], get_item: dict, rounds: int) -> tuple[list[Timing], dict[str, list[Timing]]]:
    """Every app's cold start and the floor, interleaved, ``rounds`` times (after one run each that
    warms the bytecode caches, as a deployed package ships .pyc)."""
    cold_floor(get_item)
    for request in requests:
        cold_app(request)
    floor: list[Timing] = []
    ours: dict[str, list[Timing]] = {r.app: [] for r in requests}
    for _ in range(rounds):
        floor.append(cold_floor(get_item))
        for request in requests:
            ours[request.app].append(cold_app(request))
    return floor, ours


def _ms(timings: list[Timing], part: str) -> float:
    return 1000 * statistics.median(getattr(t, part) for t in timings)


def main() -> None:
    from bench.moto_process import moto_process

    with moto_process(str(ROOT)) as port:
        from infra.provision import local_session, provision
        from services.auth.dev_issuer import DevIssuer
        from services.settings import settings

        provision(local_session(f"http://127.0.0.1:{port}", "eu-north-1"), prefix="insats", region="eu-north-1")
        s = settings()
        issuer = DevIssuer(Path(os.environ["DEV_ISSUER_DIR"]), issuer=s.token_issuer, audience=s.token_audience)
        requests = first_requests(issuer)
        get_item = floor_request()
        floor, ours = measure(requests, get_item, ROUNDS)
    base = _ms(floor, "total")
    print(f"# cold_start floor: import boto3 {_ms(floor, 'imported'):.0f} ms + one GetItem "
          f"{_ms(floor, 'answered'):.0f} ms = {base:.0f} ms (medians of {ROUNDS}, interleaved with the apps)")
    for request in requests:
        mine = ours[request.app]
        print(f"# cold_start_{request.app}: import {_ms(mine, 'imported'):.0f} ms + first request "
              f"{_ms(mine, 'answered'):.0f} ms (the same request warm {_ms(mine, 'warm'):.0f} ms) = "
              f"{_ms(mine, 'total'):.0f} ms; {request.describe}")
    for request in requests:
        print(f"cold_start_{request.app}: ratio={_ms(ours[request.app], 'total') / base:.2f}")


if __name__ == "__main__":
    main()
