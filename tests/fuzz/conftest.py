"""The fuzz tier: schemathesis against every app's OpenAPI document, over HTTP, against the
local stack as ``make run`` starts it (its own process, its own embedded AWS, demo data)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "build" / "fuzz"


@pytest.fixture(scope="session")
def fuzz_stack(tmp_path_factory):
    """Why a subprocess and not the suite's moto server: moto's state is per process, and a fuzzer
    writes thousands of random records (staff, absences, drafts) that other tests in the same
    worker must not see; the stack also brings the gateway and the demo data the roles need."""
    port, moto_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OIDC_", "DEV_ISSUER", "INSATS_"))}
    env["POWERTOOLS_LOG_LEVEL"] = "ERROR"  # the crashes with their traces, not every refused request
    log = tmp_path_factory.mktemp("fuzz") / "stack.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "infra.local.stack", "--port", str(port), "--moto-port", str(moto_port),
             "--state-dir", str(log.parent / "state"), "--clean", "--snapshot-every", "86400"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(base + "/eservices/health", timeout=2):
                break
        except (OSError, urllib.error.HTTPError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"the stack did not come up: {log.read_text()[-3000:]}")
            time.sleep(0.3)
    print(f"fuzz stack log: {log}")
    yield base
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
