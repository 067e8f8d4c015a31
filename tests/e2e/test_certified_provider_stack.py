"""``make run`` pointed at a certified OpenID provider by ``OIDC_*`` only, as a new user would try it
(issue 22: "Tried as a new user would against a certified OpenID provider run locally, the citizen login
ended in 401"). The local stack in a subprocess, its demo data, the provider of
tests/support/certified_provider.py; a citizen and a demo case worker log in through it."""
from __future__ import annotations

import signal

import pytest

from tests.support.certified_provider import certified_provider, client_key, insats_settings, log_in_at_the_provider
from tests.support.local_stack import LocalStack
from tests.support.login_browser import Browser
from tests.support.stack import free_port

pytestmark = pytest.mark.e2e


def test_make_run_with_oidc_issuer_set_logs_citizens_and_staff_in_through_that_provider(tmp_path):
    # GIVEN the provider, with Insats registered (private_key_jwt), and the stack started with OIDC_* set
    port = free_port()
    key = client_key()
    with certified_provider(f"http://127.0.0.1:{port}", key, tmp_path) as issuer:
        settings = {k: v for k, v in insats_settings(issuer, "private_key_jwt", key).items() if v is not None}
        stack = LocalStack(tmp_path / "state", env=settings, port=port)
        try:
            # WHEN Annika logs in at the e-services THEN she is on Mina sidor, not refused (the 401 of old)
            citizen = Browser(stack.base)
            status, url, html = citizen.follow("/eservices/web/logga-in?next=/eservices/web/mina-sidor")
            assert url.startswith(f"{issuer}/interaction/"), url  # the provider, not /dev/oidc
            status, url, html = log_in_at_the_provider(citizen, url, html, "annika")
            assert status == 200 and url.endswith("/eservices/web/mina-sidor"), (status, url, html[:500])
            # WHEN the demo directory's case worker Marita logs in at /personal with two-factor e-ID
            # THEN her start page names her role and unit, from Insats' own directory
            staff = Browser(stack.base)
            status, url, html = staff.follow("/personal/logga-in")
            status, url, html = log_in_at_the_provider(staff, url, html, "marita")
            assert status == 200 and url.rstrip("/").endswith("/personal"), (status, url, html[:500])
            assert "Marita Aronsson" in html and "Handläggare" in html and "Biståndsenheten" in html
        finally:
            stack.stop(signal.SIGINT)
