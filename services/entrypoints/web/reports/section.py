"""The follow-up section as the request cycle serves it: the reports deps (with its web sessions in
the reports table), its own pages, cookie and login (Insats' authorization server, client
``insats-reports``)."""
from __future__ import annotations

from pathlib import Path

from ....reports.bootstrap import deps
from ..http import Section
from ..staff_section import acting, session_ended_page, staff_config
from .common import page_title

APP_PREFIX = "/reports"  # ``REPORTS_WEB_APP_PREFIX`` names another
LAYOUT = "reports.html"  # the section's layout: every page of it extends it
CLIENT_ID = "insats-reports"  # ``REPORTS_CLIENT_ID`` / ``REPORTS_CLIENT_SECRET`` name another
reports_config = staff_config(cookie="reports", client_id=CLIENT_ID, env="REPORTS", app_prefix=APP_PREFIX)

REPORTS = Section(service="reports", deps=deps, templates=Path(__file__).resolve().parent / "templates",
                  acting=acting, session_ended=session_ended_page(page_title, LAYOUT), name="reports",
                  config=reports_config)
