"""The local stack as ``make run`` starts it: stopping under two signals, its ports (taken ones refused
at once, written for ``make fire``/``dlq``/``report``), the data kept across restarts (or not, when
started clean) and across ``kill -9``, and its clock (``INSATS_CLOCK``)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.support.local_stack import ROOT, LocalStack as Stack, call, operator_env
from tests.support.stack import REGION, free_port

CONTACT_PERSON = "197511023827"  # Kari Kontakt in infra/fixtures/people.json

pytestmark = pytest.mark.e2e


def released(port: int) -> bool:
    """Nothing listens, and a server may listen there again (as the stack's servers do, with
    SO_REUSEADDR: the test's own closed connections linger in TIME_WAIT)."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            s.listen()
        except OSError:
            return False
    return True


def test_two_signals_close_together_stop_the_stack_and_free_its_ports(tmp_path):
    # GIVEN a running stack
    stack = Stack(tmp_path / "state")
    # WHEN Ctrl-C and a supervisor's SIGTERM arrive together
    # THEN it stops cleanly (exit 0, "Stopped."), and both its ports are free again
    stack.stop(signal.SIGINT, signal.SIGTERM, timeout=60)
    assert released(stack.port) and released(stack.moto_port)
    assert not (tmp_path / "state" / "port").exists()


def test_the_stack_writes_its_port_and_make_fire_uses_it(tmp_path):
    state = tmp_path / "state"
    stack = Stack(state)
    try:
        assert (state / "port").read_text().strip() == str(stack.port)
        # WHEN make fire runs with that state folder (make run's default is .local)
        done = subprocess.run(["make", "-s", "fire", "JOB=eservices.sweep_drafts", f"STATE_DIR={state}"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
        # THEN it reached this stack, not :8000
        assert json.loads(done.stdout)["fired"] == "eservices.sweep_drafts", done.stdout + done.stderr
    finally:
        stack.stop(signal.SIGINT)


def test_data_is_kept_across_restarts_unless_started_clean(tmp_path):
    state = tmp_path / "state"
    # GIVEN a draft saved on a running stack
    stack = Stack(state)
    status, tok = call(stack.base, "POST", "/dev/token", {"role": "contact_person", "personnummer": CONTACT_PERSON})
    token = tok["access_token"]
    status, draft = call(stack.base, "POST", "/eservices/drafts", {"form_id": "contact-monthly-report"}, token)
    assert status == 201, draft
    # AND a case a case worker read (its audit record found by case, gsi3)
    _, receipt = _submitted_monthly_report(stack.base)
    status, tok = call(stack.base, "POST", "/dev/token", {"role": "case_worker", "user_id": "hl-restart"})
    assert call(stack.base, "GET", f"/eservices/cases/{receipt['case_id']}", token=tok["access_token"])[0] == 200
    output = stack.stop(signal.SIGINT)
    assert "Kept" in output
    # WHEN the stack starts again, at its address (as make run does: the address names the issuer
    # of its tokens, {PUBLIC_BASE_URL}/identity)
    port = stack.port
    stack = Stack(state, port=port)
    try:
        # THEN the draft is still there (the token too: the signing key in the state folder is kept)
        status, again = call(stack.base, "GET", f"/eservices/drafts/{draft['draft_id']}", token=token)
        assert status == 200 and again["draft_id"] == draft["draft_id"]
        # AND the case worker's read is found through the audit trail's index by case
        assert ("case_worker:hl-restart", "case.read") in _audit_of_case(stack.moto_port, receipt["case_id"])
    finally:
        stack.stop(signal.SIGINT)
    # AND started clean, it is gone
    stack = Stack(state, "--clean", port=port)
    try:
        assert call(stack.base, "GET", f"/eservices/drafts/{draft['draft_id']}", token=token)[0] == 404
        # the demo data is seeded again: the provider's staff registry (infra/fixtures/people.json),
        # read by its coordinator (only a coordinator keeps the registry)
        status, tok = call(stack.base, "POST", "/dev/token", {"role": "provider_coordinator",
                                                              "user_id": "coord-cilla", "provider_id": "prov-omsorg"})
        assert status == 200
        status, staff = call(stack.base, "GET", "/visits/staff", token=tok["access_token"])
        assert status == 200
        assert {s["user_id"] for s in staff} == {"staff-anna", "staff-bo", "coord-cilla"}
    finally:
        stack.stop(signal.SIGINT)


def _audit_of_case(moto_port: int, case_id: str) -> set[tuple[str, str]]:
    """(actor, action) of the e-services' audit records of a case, read through gsi3 on the stack's moto."""
    import boto3

    ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{moto_port}", region_name=REGION,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    items = ddb.query(TableName="insats-eservices", IndexName="gsi3", KeyConditionExpression="gsi3pk = :pk",
                      ExpressionAttributeValues={":pk": {"S": f"AUDIT_RESOURCE#case:{case_id}"}})["Items"]
    return {(i["actor"]["S"], i["action"]["S"]) for i in items}


def _submitted_monthly_report(base: str) -> tuple[str, dict]:
    """Kari's monthly report, submitted: a case with its receipt (the PDF in S3)."""
    status, tok = call(base, "POST", "/dev/token", {"role": "contact_person", "personnummer": CONTACT_PERSON})
    token = tok["access_token"]
    status, draft = call(base, "POST", "/eservices/drafts", {"form_id": "contact-monthly-report"}, token)
    assert status == 201, draft
    answers = {
        "rapportering": {"client_first_name": "Marita", "client_last_name": "Test", "year": 2026, "month": 10,
                         "performed_all": "ja_alla", "activities": "Promenad"},
        "om_dig": {"personnummer": CONTACT_PERSON, "first_name": "Kari", "last_name": "Kontakt",
                   "email": "kari.kontakt@example.se", "mobile": "+46701112233", "notify_email": True,
                   "notify_sms": False, "confirm": True},
    }
    status, saved = call(base, "PATCH", f"/eservices/drafts/{draft['draft_id']}",
                         {"answers": answers, "version": draft["version"]}, token)
    assert status == 200, saved
    assert call(base, "POST", f"/eservices/drafts/{draft['draft_id']}/signature", token=token)[0] == 201
    status, receipt = call(base, "POST", f"/eservices/drafts/{draft['draft_id']}/submit", token=token,
                           headers={"Idempotency-Key": "kill-9"})
    assert status == 201, receipt
    return token, receipt


def test_a_stack_killed_with_sigkill_keeps_everything_it_answered(tmp_path):
    state = tmp_path / "state"
    # GIVEN a submitted case with its receipt, long before the stack's first dump (every five minutes)
    stack = Stack(state)
    token, receipt = _submitted_monthly_report(stack.base)
    status, case = call(stack.base, "GET", f"/eservices/my/cases/{receipt['case_id']}", token=token)
    assert status == 200, case
    document = case["documents"][0]["document_id"]
    # WHEN the whole stack is killed with SIGKILL (kill -9 of make run) and started again
    stack.kill()
    assert not (state / "aws-state").exists()  # no dump was taken: only the journal holds the case
    stack = Stack(state, port=stack.port)  # at its address: the token's issuer
    try:
        # THEN the case is there, as answered, with its receipt PDF
        status, again = call(stack.base, "GET", f"/eservices/my/cases/{receipt['case_id']}", token=token)
        assert status == 200, again
        assert again["case_number"] == receipt["case_number"] == case["case_number"]
        status, pdf = call(stack.base, "GET", f"/eservices/cases/{receipt['case_id']}/documents/{document}",
                           token=token, headers={"Accept": "application/pdf"})
        assert status == 200 and pdf.startswith(b"%PDF"), pdf[:200]
        # AND it says so at start
        assert "Replayed from the journal" in _banner_text(stack)
    finally:
        stack.stop(signal.SIGINT)


def _banner_text(stack: Stack) -> str:
    """What the stack printed so far (its output is a pipe until it stops)."""
    import select

    text = ""
    while select.select([stack.proc.stdout], [], [], 0.5)[0]:
        chunk = os.read(stack.proc.stdout.fileno(), 65536).decode(errors="replace")
        if not chunk:
            break
        text += chunk
        if "Ctrl-C stops everything." in text:
            break
    return text


def test_ports_that_are_taken_stop_make_run_at_once_with_a_clear_message(tmp_path):
    for taken in ("gateway", "embedded AWS"):
        # GIVEN a port the stack wants is taken (another make run on it)
        with socket.socket() as other:
            other.bind(("127.0.0.1", 0))
            other.listen()
            busy = other.getsockname()[1]
            port, moto_port = (busy, free_port()) if taken == "gateway" else (free_port(), busy)
            # WHEN the stack starts
            started = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "infra.local.stack", "--port", str(port),
                                   "--moto-port", str(moto_port), "--state-dir", str(tmp_path / "state")],
                                  cwd=ROOT, env=operator_env(), capture_output=True, text=True, timeout=60)
        # THEN it exits non-zero at once, naming the port and how to choose another
        assert done.returncode == 2, done.stdout + done.stderr
        assert time.monotonic() - started < 15
        variable = "PORT" if taken == "gateway" else "MOTO_PORT"
        assert f"port {busy} for the {taken} is taken" in done.stderr and f"make run {variable}=" in done.stderr


def test_make_dlq_redrive_and_report_use_the_running_stacks_ports(tmp_path):
    state = tmp_path / "state"
    # GIVEN a stack whose embedded AWS is not on 4566
    stack = Stack(state)
    try:
        assert (state / "moto-port").read_text().strip() == str(stack.moto_port)
        make = ["make", "-s", "-o", "install", f"STATE_DIR={state}"]
        # WHEN the operator's targets run beside it
        dlq = subprocess.run([*make, "dlq"], cwd=ROOT, env=operator_env(), capture_output=True, text=True,
                             timeout=120)
        redrive = subprocess.run([*make, "redrive", "QUEUE=notify-inbox"], cwd=ROOT, env=operator_env(),
                                 capture_output=True, text=True, timeout=120)
        report = subprocess.run([*make, "report", "MONTH=2026-10"], cwd=ROOT, env=operator_env(), capture_output=True,
                                text=True, timeout=300)
        # THEN they reach this stack's embedded AWS
        assert dlq.returncode == 0 and f"127.0.0.1:{stack.moto_port}" in dlq.stdout + dlq.stderr, dlq.stdout + dlq.stderr
        assert "notify-inbox-dlq: 0" in dlq.stdout
        assert redrive.returncode == 0, redrive.stdout + redrive.stderr
        assert report.returncode == 0, report.stdout + report.stderr
    finally:
        stack.stop(signal.SIGINT)
    # AND once it has stopped, it leaves no ports behind for them to find
    assert not (state / "moto-port").exists() and not (state / "port").exists()


def test_insats_clock_starts_the_stack_at_that_time_and_make_fire_builds_a_month(tmp_path):
    import uuid

    state = tmp_path / "state"
    # GIVEN the stack started at 09:00 on 8 January 2027
    stack = Stack(state, env={"INSATS_CLOCK": "2027-01-08T09:00+01:00"})
    try:
        # THEN its clock reads that time (and runs on)
        now = call(stack.base, "GET", "/dev/schedules")[1]["now"]
        assert now.startswith("2027-01-08T08:0"), now
        # AND a visit on 7 January 2027 (a month ahead of the real time) is taken and shows
        status, tok = call(stack.base, "POST", "/dev/token", {"role": "provider_staff", "user_id": "staff-anna",
                                                              "provider_id": "prov-omsorg"})
        token = tok["access_token"]
        events = [{"event_id": str(uuid.uuid4()), "type": kind, "staff_id": "staff-anna", "provider_id": "prov-omsorg",
                   "client": "194103142388", "device_time": f"2027-01-07T{at}+01:00",
                   "receipt": {"method": "nfc", "device_id": "TAG-DEMO-MARITA"}, **extra}
                  for kind, at, extra in (("arrival", "08:00", {}), ("insats", "08:02", {"insats": "morgonhjalp"}),
                                          ("departure", "08:30", {}))]
        assert call(stack.base, "POST", "/visits/visit-events", {"events": events}, token)[0] == 202
        deadline, visits = time.monotonic() + 30, []
        while time.monotonic() < deadline and not visits:
            visits = call(stack.base, "GET", "/visits/visits?month=2027-01&client=194103142388", token=token)[1]
            time.sleep(0.3)
        assert [v["minutes"] for v in visits] == [30], visits
        # AND make fire JOB=reports.nightly MONTH=2026-12 builds December now (09:00 is no nightly hour)
        done = subprocess.run(["make", "-s", "fire", "JOB=reports.nightly", "MONTH=2026-12", f"STATE_DIR={state}"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert json.loads(done.stdout)["result"] == {"built": ["2026-12"]}, done.stdout + done.stderr
    finally:
        stack.stop(signal.SIGINT)
