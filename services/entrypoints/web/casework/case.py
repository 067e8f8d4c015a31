"""Ärendet: one case for the case worker — the person in focus (``person_bar``: "Skyddad
identitet" and never an address where that applies), the status timeline, documents (the
application's PDF and decision letters, through case work's ``case_file``), decisions, messages,
relatives' approvals and contact-person assignments of the person. Reading it is audited as
``GET /cases/{id}`` is (``get_case`` leaves a ``case.read`` record). Who has read the case (the
audit) is for the roles the policy lets search the audit (``audit.search``: auditors, who never
reach this section), so case workers do not see it."""
from __future__ import annotations

from typing import Any

from ....auth.policy import POLICY
from ....domain.errors import NotFound
from ....domain.personnummer import Personnummer
from ..http import Context, Page, Redirect
from .common import case_worker, nav, page_title

KINDS = {"submission_pdf": "Ansökan", "application": "Ansökan", "decision_letter": "Beslut", "attachment": "Bilaga"}


def person(case: Any) -> dict[str, Any]:
    """What the identity bar may show of the case's person."""
    return {"name": case.name, "pnr": Personnummer(case.personnummer).formatted if case.personnummer else "",
            "protected": case.protected_identity}


def messaging_of(ctx: Context, citizen: str) -> Any:
    return ctx.deps.casework.messaging.find(citizen)


def case_page(ctx: Context, case_id: str) -> Page:
    from ....eservices.casework.usecases import inbox
    from ....eservices.casework.usecases.messages.threads import list_threads, staff_sender
    from ....eservices.casework.models.assignments import AssignmentQuery
    from ....eservices.casework.models.relatives import ApprovalQuery
    from ....eservices.casework.usecases import assignments, relatives

    who = case_worker(ctx)
    case = inbox.get_case(ctx.deps, who, case_id)
    citizen = case.personnummer
    threads = [t for t in list_threads(ctx.deps, who, staff_sender(who)) if t.case_id == case_id]
    approvals = relatives.search(ctx.deps, who, ApprovalQuery(citizen=citizen))
    held = assignments.search(ctx.deps, who, AssignmentQuery(client=citizen))
    settings = messaging_of(ctx, citizen)
    base = f"/personal/arenden/{case_id}"
    documents = [{"filename": d.filename, "kind": KINDS.get(d.kind, d.kind), "created_at": d.created_at,
                  "href": ctx.url(f"{base}/dokument/{d.document_id}")} for d in case.documents]
    from ....domain.granted import duration_sv

    decisions = [{**d, "minutes": duration_sv(d["granted_minutes_per_month"]) if d.get("granted_minutes_per_month")
                  else None} for d in case.decisions]
    return Page("case.html", {
        "title": page_title(f"Ärende {case.case_number}"), "nav": nav(ctx, "/personal/inkorg"),
        "case": case, "person": person(case), "documents": documents, "decisions": decisions,
        "threads": threads, "approvals": approvals, "assignments": held,
        "messaging_on": bool(settings and settings.enabled),
        "may_see_audit": who.role in POLICY.get("audit.search", frozenset()),
        "links": {"decide": ctx.url(f"{base}/beslut"), "messaging": ctx.url(f"{base}/meddelandefunktion"),
                  "write": ctx.url(f"{base}/meddelande"), "relatives": ctx.url(f"{base}/narstaende"),
                  "report": ctx.url(f"{base}/rapport")},
        "is_report": case.form_id in _report_forms(),
        "decidable": case.status in ("in_progress", "decided"),
    })


def _report_forms() -> frozenset[str]:
    from ....eservices.casework.domain.report_approval import REPORT_FORMS

    return frozenset(REPORT_FORMS)


def document(ctx: Context, case_id: str, document_id: str) -> Redirect:
    """A document of the case: a short-lived address of its own (never cached)."""
    from ....eservices.casework.usecases import inbox

    who = case_worker(ctx)
    try:
        file = inbox.case_file(ctx.deps, who, case_id, document_id)
    except NotFound:
        raise
    return Redirect(ctx.deps.documents.presigned_get(file.key, filename=file.filename), status=303)
