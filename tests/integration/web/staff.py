"""Shared steps of the case workers' section's page tests: a browser holding the section's
cookie, logged in as a staff member of a given role (``tests/support/staff_login.py``)."""
from __future__ import annotations

from dataclasses import dataclass

from services.eservices.bootstrap import deps
from tests.integration.web.helpers import Browser
from tests.support.staff_login import staff_cookie_name, staff_principal, staff_session


@dataclass
class StaffBrowser(Browser):
    """The in-process browser, with the case workers' section's cookie instead of the citizens'."""

    cookie_name: str = ""

    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.cookie:
            headers["Cookie"] = f"{self.cookie_name or staff_cookie_name()}={self.cookie}"
        return headers


def staff(es, role="case_worker", **claims):
    """A browser logged in to the section as ``role``; returns (browser, principal)."""
    who = staff_principal(role, **claims)
    return StaffBrowser(es, cookie=staff_session(deps().sessions, who)), who
