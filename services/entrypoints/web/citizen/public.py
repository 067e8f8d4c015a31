"""The pages anyone may read: the catalogue of e-services, the accessibility statement, and the
staff entry that e-mails to staff point at."""
from __future__ import annotations

from ....eservices.domain.forms import registry
from ..http import Context, Page
from .common import title


def catalogue(ctx: Context) -> Page:
    forms = sorted(registry().values(), key=lambda f: f.title)
    logged_out = "utloggad" in ctx.query
    return Page("catalogue.html", {"title": title("Stöd och omsorg"), "forms": forms,
                                   "notice": "Du är nu utloggad." if logged_out else None}, personal=False)


def accessibility(ctx: Context) -> Page:
    return Page("accessibility.html", {"title": title("Tillgänglighetsredogörelse")}, personal=False)


def staff_entry(ctx: Context) -> Page:
    """Staff who find the e-services: where they log in (``/personal``, the identity app)."""
    return Page("staff_entry.html", {"title": title("Inloggning för personal")}, personal=False)
