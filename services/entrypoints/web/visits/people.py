"""Personal och konton, for the provider's coordinator and manager: who is in the provider's staff
registry for visits (visits' own data: whose events are taken), and where the staff's accounts are
kept. The accounts — added, extended, ended, and when each ends — are the staff directory's (the
identity app's ``/personal/konton``), kept by the provider's administrator (``organisation_admin``),
whom this section never reads: visits reads no other service's table. The page says so and links
there; a coordinator whose account also has the administrator role logs in there with that role."""
from __future__ import annotations

from ..http import Context, Page
from .common import nav, page_title
from .registry_common import reader

PATH = "/personal/personal"
DIRECTORY = "/personal/konton"  # the identity app's staff directory, behind the same gateway


def people(ctx: Context) -> Page:
    who = reader(ctx)
    return Page("people.html", {"title": page_title("Personal och konton"), "nav": nav(ctx, PATH),
                                "staff": ctx.deps.staff.staff_of(who.provider_id or ""), "directory": DIRECTORY})
