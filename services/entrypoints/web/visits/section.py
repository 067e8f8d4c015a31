"""The visits section as the request cycle serves it: the visits deps (with its web sessions in the
visits table), its own pages, cookie and login (Insats' authorization server, client ``insats-visits``)."""
from __future__ import annotations

from pathlib import Path

from ....visits.bootstrap import deps
from ..http import Section
from ..staff_section import acting, session_ended_page, staff_config
from .common import page_title

APP_PREFIX = "/visits"  # ``VISITS_WEB_APP_PREFIX`` names another
LAYOUT = "visits.html"  # the section's layout: every page of it extends it
CLIENT_ID = "insats-visits"  # ``VISITS_CLIENT_ID`` / ``VISITS_CLIENT_SECRET`` name another
visits_config = staff_config(cookie="visits", client_id=CLIENT_ID, env="VISITS", app_prefix=APP_PREFIX)

VISITS = Section(service="visits", deps=deps, templates=Path(__file__).resolve().parent / "templates",
                 acting=acting, session_ended=session_ended_page(page_title, LAYOUT), name="visits",
                 config=visits_config)
