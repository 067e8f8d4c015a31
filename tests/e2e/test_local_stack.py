"""The local stack as ``make run`` starts it: stopping under two signals, its ports, ``make fire``,
and the data kept across restarts (or not, when started clean)."""
from __future__ import annotations

import json
import signal
import socket
import subprocess

import pytest

from tests.support.local_stack import ROOT, LocalStack as Stack, call

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
    output = stack.stop(signal.SIGINT)
    assert "Kept" in output
    # WHEN the stack starts again
    stack = Stack(state)
    try:
        # THEN the draft is still there (the token too: the development issuer's key is kept)
        status, again = call(stack.base, "GET", f"/eservices/drafts/{draft['draft_id']}", token=token)
        assert status == 200 and again["draft_id"] == draft["draft_id"]
    finally:
        stack.stop(signal.SIGINT)
    # AND started clean, it is gone
    stack = Stack(state, "--clean")
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
