"""Shared steps for the case-work tests: case workers, submitted applications, messaging,
the audit trail and the events on the consumers' queues."""
import itertools
import json
from datetime import datetime, timedelta, timezone

from services.adapters.aws import client, queue_url
from services.eservices.bootstrap import deps
from services.eservices.casework.usecases.audit import trail
from services.eservices.adapters.table import eservices_table
from tests.integration.eservices.helpers import application_answers, fresh_citizen, submitted_case
from tests.support.stack import drain

_ids = itertools.count(1)


def case_worker(token, name="Marita Aronsson"):
    """A case worker with a user id of their own (tests share one moto server)."""
    user_id = f"hl-test-{next(_ids)}-{datetime.now().strftime('%H%M%S%f')}"
    return user_id, token("case_worker", user_id=user_id, name=name)


def auditor(token):
    return token("auditor", user_id=f"audit-{next(_ids)}")


def new_application(es, token, **ansokan):
    """A citizen's submitted support application: (personnummer, citizen token, receipt)."""
    pnr, tok = fresh_citizen(token)
    receipt = submitted_case(es, tok, "support-application", application_answers(pnr, **ansokan))
    return pnr, tok, receipt


INTAKE = {"intake_type": "ansokan_sol", "organisation": "Testenhet", "from_whom": "den_enskilde",
          "channel": "e_ansokan", "note": "Från Koppla ansökan"}


def taken_in(es, token, cw_tok, **ansokan):
    pnr, tok, receipt = new_application(es, token, **ansokan)
    r = es.post(f"/cases/{receipt['case_id']}/intake", INTAKE, token=cw_tok)
    assert r.status == 200, r.json
    return pnr, tok, receipt


def enable_messaging(es, cw_tok, pnr, **settings):
    body = {"citizen": pnr, "first_name": "Test", "last_name": "Testsson", "enabled": True, **settings}
    r = es.put("/messaging/settings", body, token=cw_tok)
    assert r.status == 200, r.json
    return r.json


def audit_of(person=None, actor=None):
    """Every audit record about ``person`` (or by ``actor``) in the last day and the next."""
    now = datetime.now(timezone.utc)
    return trail(deps()).search(person=person, actor=actor, start=now - timedelta(days=1),
                                                         end=now + timedelta(days=1))


def actions_on(person):
    return [r.action for r in audit_of(person=person)]


def events(queue, **payload_match):
    """Drains a consumer's queue and returns the envelopes whose payload matches."""
    found = [json.loads(m["Body"]) for m in drain(queue_url(queue), client("sqs"))]
    return [e for e in found if all(e["payload"].get(k) == v for k, v in payload_match.items())]


def clear(queue):
    drain(queue_url(queue), client("sqs"))


def case_item(case_id):
    return eservices_table().get_item(Key={"pk": f"CASE#{case_id}", "sk": "CASE"}, ConsistentRead=True)["Item"]
