"""Logging in to the visits section and out, keeping the session alive. The login is OpenID Connect
code + PKCE against Insats' own authorization server (``section.visits_config``), with the toolkit's
relying party (``..oidc``); case workers and providers' staff are let in (``common.staff_only``),
each page then asks for its own role."""
from __future__ import annotations

from ..staff_login import StaffViews
from .common import page_title, staff_only, start_path
from .section import LAYOUT

VIEWS = StaffViews(admit=staff_only, title=page_title, layout=LAYOUT, start_path=start_path)
login, login_done, logout, keep_alive = VIEWS.login, VIEWS.login_done, VIEWS.logout, VIEWS.keep_alive
front = VIEWS.front
