"""Logging in to the billing section and out, keeping the session alive. The login is OpenID Connect
code + PKCE against Insats' own authorization server (``section.billing_config``), with the toolkit's
relying party (``..oidc``); finance and the ordering unit are let in (``common.admitted``)."""
from __future__ import annotations

from ..http import Context, Page
from ..staff_login import StaffViews, refused_page
from .common import NAV, admitted, nav, page_title, start_path
from .section import LAYOUT

VIEWS = StaffViews(admit=admitted, title=page_title, layout=LAYOUT, start_path=start_path, refused=refused_page(
    page_title, "Ekonomisidorna är inte för din roll",
    "Fakturaunderlag, utbetalningar och regler är för kommunens ekonomi och beställarenheten. Utförarens "
    "fakturaunderlag finns i besöksuppföljningen."))
login, login_done, logout, keep_alive = VIEWS.login, VIEWS.login_done, VIEWS.logout, VIEWS.keep_alive
front = VIEWS.front


def start(ctx: Context) -> Page:
    """The section's start: what there is to do, per role."""
    from .common import member

    principal = member(ctx)
    links = [{"href": ctx.url(inner), "label": label} for label, inner, roles in NAV
             if principal.role in roles and inner != "/personal/start"]
    return Page("start.html", {"title": page_title("Start"), "nav": nav(ctx, "/personal/start"), "links": links})
