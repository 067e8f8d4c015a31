"""The local stack as ``make run`` starts it, in a subprocess, for the tiers that drive it over
HTTP (end-to-end, fuzz, browser); and the one JSON-over-HTTP helper they share."""
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
from typing import Any

import pytest

from tests.support.stack import free_port

ROOT = Path(__file__).resolve().parents[2]


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None,
         headers: dict | None = None, timeout: float = 20) -> tuple[int, Any]:
    """One JSON request; returns the status and the parsed body (None when empty, the raw bytes
    when it is not JSON)."""
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


def operator_env() -> dict[str, str]:
    """The environment of an operator's shell: none of the AWS, issuer or clock settings a test
    session may have set for its own embedded AWS (a subprocess given those would reach it), nor the
    e-ID broker's (OIDC_*)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OIDC_", "DEV_ISSUER", "INSATS_"))}


class LocalStack:
    """``python -m infra.local.stack`` on free ports, started clean of the caller's AWS settings.
    Output goes to ``log`` when given (read it with ``output()``), else to a pipe."""

    def __init__(self, state_dir: Path, *extra: str, env: dict[str, str] | None = None,
                 log: Path | None = None, wait: float = 60, port: int | None = None) -> None:
        self.port, self.moto_port = port or free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        clean = operator_env()
        out = open(log, "w") if log else subprocess.PIPE  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "infra.local.stack", "--port", str(self.port), "--moto-port", str(self.moto_port),
             "--state-dir", str(state_dir), *extra],
            cwd=ROOT, env={**clean, **(env or {})}, stdout=out, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)  # its own process group, as make run in a terminal: kill() ends it all
        self._out = out if log else None
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                if call(self.base, "GET", "/eservices/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                pytest.fail(f"the stack exited: {self.output()[-3000:]}")
            time.sleep(0.3)
        self.proc.kill()
        pytest.fail(f"the stack did not come up in {wait:.0f} s: {self.output()[-3000:]}")

    def output(self) -> str:
        if self.log:
            return self.log.read_text()
        return self.proc.stdout.read() if self.proc.poll() is not None and self.proc.stdout else ""

    def kill(self) -> None:
        """``kill -9`` of the whole process group: nothing of the stack's own stopping runs."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        if self._out:
            self._out.close()

    def stop(self, *signals: int, timeout: float = 30, check: bool = True) -> str:
        """Stops the stack with ``signals`` (Ctrl-C by default); with ``check``, it must stop
        cleanly and say so."""
        for sig in signals or (signal.SIGINT,):
            self.proc.send_signal(sig)
        try:
            piped, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            piped, _ = self.proc.communicate()
            if check:
                pytest.fail(f"the stack did not stop (deadlock?): {(piped or self.output())[-2000:]}")
        if self._out:
            self._out.close()
        output = piped if piped is not None else self.output()
        if check:
            assert self.proc.returncode == 0, output
            assert "Stopped." in output
        return output
