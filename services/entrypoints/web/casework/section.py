"""The case workers' section as the request cycle serves it: the e-services' deps, its own pages,
its own session cookie and login (Insats' authorization server, client ``insats-casework``), and
who may use it: a case worker (``common.case_workers_only``: ``inbox.read`` in ``services/auth/policy.py``)."""
from __future__ import annotations

from pathlib import Path

from ....eservices.bootstrap import deps
from ..http import Section
from .. import staff_section
from ..staff_section import acting, session_ended_page
from .common import page_title

LAYOUT = "staff.html"  # the section's layout: every page of it extends it
CLIENT_ID = "insats-casework"
# The web's own prefix (/eservices); ``STAFF_CLIENT_ID`` / ``STAFF_CLIENT_SECRET`` name another client.
staff_config = staff_section.staff_config(cookie="personal", client_id=CLIENT_ID, env="STAFF")

CASEWORK = Section(service="eservices", deps=deps, templates=Path(__file__).resolve().parent / "templates",
                   acting=acting, session_ended=session_ended_page(page_title, LAYOUT), name="casework",
                   config=staff_config)
