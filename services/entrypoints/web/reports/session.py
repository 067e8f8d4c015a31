"""Logging in to the follow-up section and out, keeping the session alive. The login is OpenID
Connect code + PKCE against Insats' own authorization server (``section.reports_config``), with the
toolkit's relying party (``..oidc``); the ordering unit, finance and case workers are let in
(``common.admitted``), each page then asks for its own role."""
from __future__ import annotations

from ..staff_login import StaffViews, refused_page
from .common import admitted, page_title, start_path
from .section import LAYOUT

VIEWS = StaffViews(admit=admitted, title=page_title, layout=LAYOUT, start_path=start_path, refused=refused_page(
    page_title, "Uppföljningen är inte för din roll",
    "Uppföljningen är för beställarenheten, ekonomi och handläggare. Loggkontrollen för granskare finns i "
    "handläggningen. Utförarens sidor finns i besöksuppföljningen."))
login, login_done, logout, keep_alive = VIEWS.login, VIEWS.login_done, VIEWS.logout, VIEWS.keep_alive
front = VIEWS.front
