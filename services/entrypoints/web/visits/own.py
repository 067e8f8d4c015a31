"""Mina registreringar: a staff member's own visits of a month (the month chooser), every change
anyone made to each of them afterwards (who, when, what, why) in plain Swedish, and their own open
rejected events with what to do; nothing else of the provider. For the provider's staff and the
coordinators who perform visits (the API's ``visit_events.post``); read through the use case
``own_month`` (a per-staff index of the days: never the provider's month)."""
from __future__ import annotations

from typing import Any

from ....domain.calendar import local_clock, stockholm_date, swedish_local
from ....visits.domain.model import INSATSER, Change, Visit
from ....visits.usecases.own import own_month
from ..http import Context, Page
from .common import nav, page_title, staff_member
from .registry_common import month_asked
from .rejected_text import MANUAL_REASONS, reason_sv

PATH = "/personal/mina-registreringar"
ROLES = {"provider_staff": "personal", "provider_coordinator": "samordnaren", "provider_manager": "verksamhetschefen",
         "case_worker": "handläggaren"}
CHANGES = {"created": "Besöket registrerades", "updated": "Besöket uppdaterades", "approved": "Besöket godkändes",
           "unapproved": "Godkännandet ångrades", "edited": "Besöket ändrades", "deleted": "Besöket togs bort"}
SYSTEM_WHYS = {"built from the staff app's events": "utifrån händelserna från appen",
               "compared with the client's decisions": "jämfört med klientens beviljade tid"}
STATUS = {"open": "Pågår", "registered": "Registrerat", "approved": "Godkänt"}
STATUS_BADGES = {"open": "info", "registered": "new", "approved": "done"}


def who_text(by: str, me: str) -> str:
    """``provider_coordinator:cora`` → ``samordnaren cora``; oneself → ``du``; the system → ``systemet``."""
    if by == "system":
        return "systemet"
    role, _, user = by.partition(":")
    if user == me:
        return "du"
    return f"{ROLES.get(role, role)} {user}".strip()


def change_text(c: Change, me: str) -> dict[str, Any]:
    what = CHANGES.get(c.change, "Besöket ändrades")
    why = SYSTEM_WHYS.get(c.why, c.why)
    if c.change == "updated" and c.why.startswith(("approved: ", "rejected: ")):  # the case worker's decision
        decision, _, reason = c.why.partition(": ")
        what = "Avvikelsen godkändes" if decision == "approved" else "Avvikelsen avslogs"
        why = reason
    return {"what": what, "who": who_text(c.by, me), "when": swedish_local(c.at), "why": why, "at": c.at}


def _visit(v: Visit, me: str) -> dict[str, Any]:
    manual = [MANUAL_REASONS.get(d.reason, d.reason) for d in v.deviations if d.code == "manual_receipt"]
    return {"id": v.visit_id, "day": stockholm_date(v.started_at).isoformat(),
            "time": f"{local_clock(v.started_at)}–{local_clock(v.ended_at) if v.ended_at else ''}",
            "client": v.client.masked, "minutes": v.minutes,
            "insatser": ", ".join(INSATSER.get(i, i) for i in v.insatser) or "–",
            "status": STATUS.get(v.status, v.status), "badge": STATUS_BADGES.get(v.status, "info"),
            "manual": "; ".join(manual), "post_registered": v.source == "post_registration",
            # what others (and the system) did after the first version: every change, oldest first
            "changes": [change_text(c, me) for c in v.history[1:]],
            "first": change_text(v.history[0], me) if v.history else None}


def mine(ctx: Context) -> Page:
    who = staff_member(ctx)
    year, month, typed, error = month_asked(ctx, ctx.now)
    got = own_month(ctx.deps, who, year, month)
    visits = [_visit(v, got.staff_id) for v in got.visits]
    rejected = []
    for r in got.rejected.events:
        texts = [reason_sv(x, r.origin) for x in r.reasons] or [reason_sv("", r.origin)]
        rejected.append({"day": stockholm_date(r.event.device_time).isoformat(),
                         "time": local_clock(r.event.device_time), "client": r.event.client.masked,
                         "what": " ".join(dict.fromkeys(t[0] for t in texts)),
                         "todo": " ".join(dict.fromkeys(t[1] for t in texts))})
    errors = {"manad": error} if error else {}
    return Page("own.html", {
        "title": page_title("Mina registreringar", error=bool(errors)), "nav": nav(ctx, PATH), "visits": visits,
        "rejected": rejected, "complete": got.rejected.complete, "month": typed,
        "month_label": f"{year:04d}-{month:02d}", "minutes": sum(v.minutes for v in got.visits),
        "changed": sum(1 for v in visits if v["changes"]), "field_errors": errors,
        "errors": [{"text": error, "href": "#m-manad"}] if error else []})
