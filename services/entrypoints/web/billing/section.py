"""The billing section as the request cycle serves it: the billing deps (with its web sessions in
the billing table), its own pages, cookie and login (Insats' authorization server, client
``insats-billing``)."""
from __future__ import annotations

from pathlib import Path

from ....billing.bootstrap import deps
from ..http import Section
from ..staff_section import acting, session_ended_page, staff_config
from .common import page_title

APP_PREFIX = "/billing"  # ``BILLING_WEB_APP_PREFIX`` names another
LAYOUT = "billing.html"  # the section's layout: every page of it extends it
CLIENT_ID = "insats-billing"  # ``BILLING_CLIENT_ID`` / ``BILLING_CLIENT_SECRET`` name another
billing_config = staff_config(cookie="billing", client_id=CLIENT_ID, env="BILLING", app_prefix=APP_PREFIX)

BILLING = Section(service="billing", deps=deps, templates=Path(__file__).resolve().parent / "templates",
                  acting=acting, session_ended=session_ended_page(page_title, LAYOUT), name="billing",
                  config=billing_config)
