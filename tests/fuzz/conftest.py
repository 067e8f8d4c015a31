"""The fuzz tier: schemathesis against every app's OpenAPI document, over HTTP, against the
local stack as ``make run`` starts it (its own process, its own embedded AWS, demo data)."""
from __future__ import annotations

import pytest

from tests.support.local_stack import LocalStack


@pytest.fixture(scope="session")
def fuzz_stack(tmp_path_factory):
    """Why a subprocess and not the suite's moto server: moto's state is per process, and a fuzzer
    writes thousands of random records (staff, absences, drafts) that other tests in the same
    worker must not see; the stack also brings the gateway and the demo data the roles need."""
    log = tmp_path_factory.mktemp("fuzz") / "stack.log"
    stack = LocalStack(log.parent / "state", "--clean", "--snapshot-every", "86400", log=log, wait=90,
                       env={"POWERTOOLS_LOG_LEVEL": "ERROR"})  # the crashes with their traces, not every refusal
    print(f"fuzz stack log: {log}")
    yield stack.base
    stack.stop(check=False)
