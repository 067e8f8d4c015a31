"""A moto server in its own process for a benchmark (its garbage collections stay out of the timed
windows), started as the local stack runs it (table streams sharing their history), and the
environment pointing at it while the benchmark runs; afterwards nothing of ours is left behind,
since the benchmarks share a process."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

_SERVE = ("import sys; from infra.local import moto_streams; moto_streams.install(); "
          "from moto.server import main; main(sys.argv[1:])")


_APPS = ("eservices", "visits", "notify", "reports", "billing", "identity")
_CLIENT_CACHES = (*((f"services.{app}.bootstrap", "deps") for app in _APPS), ("services.entrypoints.sqs", "_persistence"))


def _start(port: int, cwd: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _SERVE, "-H", "127.0.0.1", "-p", str(port)], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto server did not start")


@contextmanager
def moto_process(root: str) -> Iterator[int]:
    """Yields the port of a fresh moto server, with the suite's environment pointing at it."""
    sys.path.insert(0, root)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from tests.support.stack import base_env, free_port, set_env

    port = free_port()
    server = _start(port, root)
    saved = dict(os.environ)
    try:
        set_env({**base_env(f"http://127.0.0.1:{port}", tempfile.mkdtemp()), "POWERTOOLS_LOG_LEVEL": "ERROR"})
        yield port
    finally:
        server.terminate()
        server.wait(timeout=60)  # a loaded machine: the server may take a while to stop
        os.environ.clear()
        os.environ.update(saved)
        from services.adapters import aws
        from services.adapters.outbox import forget_positions
        from services.auth.tokens import reset_verifier

        aws.reset()
        reset_verifier()
        forget_positions()
        # every cache that holds a client of this server (the apps' composition roots, the
        # consumers' idempotency stores), for those a benchmark imported
        for name, cached in _CLIENT_CACHES:
            module = sys.modules.get(name)
            if module is not None:
                getattr(module, cached).cache_clear()
