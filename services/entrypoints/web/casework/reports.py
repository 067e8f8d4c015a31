"""Godkänn rapport: a contact person's monthly or time report approved against their assignment,
showing what will be paid (the assignment's monthly fee and expense allowance, and for a time
report the kilometres reported), through case work's ``report_approval.approve`` as
``POST /cases/{id}/report-approval`` does; or sent back to the contact person with what to change
(``report_approval.send_back``), which pays nothing. The visit-deviation decisions are the visits
section's (``/visits/personal/avvikelser``)."""
from __future__ import annotations

from typing import Any

from ....domain.errors import Conflict, ValidationFailed
from ....eservices.casework.domain.report_approval import REPORT_FORMS, in_force_during
from ..filters import kr
from ..formview import ErrorLink
from ..http import Context, Page, Redirect
from .case import person
from .common import case_worker, nav, page_title

KINDS = {"monthly": "Månadsrapport", "time": "Tidrapport"}


def report(ctx: Context, case_id: str, send_back: bool = False) -> Page | Redirect:
    from ....domain.errors import NotFound
    from ....eservices.casework.models.assignments import AssignmentQuery
    from ....eservices.casework.models.report_approval import ReportApprovalRequest
    from ....eservices.casework.usecases import assignments, inbox
    from ....eservices.casework.usecases import report_approval as uc

    who = case_worker(ctx)
    view = inbox.get_case(ctx.deps, who, case_id)
    if view.form_id not in REPORT_FORMS:
        raise NotFound("not a contact person's report")
    step, kind = REPORT_FORMS[view.form_id]
    case = ctx.deps.cases.get(case_id)
    answers = case.answers.get(step) or {}
    year, month = int(answers.get("year") or 0), int(answers.get("month") or 0)
    km = float(case.computed.get("total_km") or 0) if kind == "time" else 0.0
    options = [a for a in assignments.search(ctx.deps, who, AssignmentQuery(contact_person=view.personnummer))
               if a.ended_at is None or True]
    options = [a for a in options if year and in_force_during(a.valid_from, a.valid_to, year, month)]
    rows = [{"id": a.assignment_id, "client": a.client_name, "kind": a.kind, "fee": kr(a.monthly_fee_ore),
             "allowance": kr(a.expense_allowance_ore), "total": kr(a.monthly_fee_ore + a.expense_allowance_ore),
             "period": a.valid_from.isoformat() + (f" – {a.valid_to.isoformat()}" if a.valid_to else " och tills vidare")}
            for a in options]
    errors: dict[str, str] = {}
    conflict = ("Rapporten är redan skickad tillbaka." if case.returned else
                "Rapporten är redan godkänd.") if case.status == "closed" else None
    chosen = ctx.form.get("assignment_id") if ctx.method == "POST" else (rows[0]["id"] if len(rows) == 1 else "")
    reason = ctx.form.get("reason") if send_back else ""
    if send_back and ctx.method == "POST" and conflict is None:
        from ....eservices.casework.models.report_approval import ReportReturnRequest

        try:
            uc.send_back(ctx.deps, who, case_id, ReportReturnRequest.model_validate({"reason": reason}))
        except (ValueError, ValidationFailed):  # pydantic's length, or the use case's plain-text rule
            errors["reason"] = "Skriv vad kontaktpersonen ska ändra (minst 3 och högst 1 000 tecken)."
        except Conflict:
            conflict = "Rapporten är redan godkänd eller skickad tillbaka."
        else:
            ctx.notice(f"Rapporten {view.case_number} är skickad tillbaka till kontaktpersonen.")
            return Redirect(ctx.url(f"/personal/arenden/{case_id}"))
    elif ctx.method == "POST" and conflict is None:
        try:
            uc.approve(ctx.deps, who, case_id, ReportApprovalRequest.model_validate({"assignment_id": chosen}))
        except ValueError:  # pydantic's: nothing chosen
            errors["assignment_id"] = "Välj det uppdrag rapporten gäller."
        except ValidationFailed as exc:
            detail = exc.errors[0].detail if exc.errors else ""
            errors["assignment_id"] = ("Rapporten gäller en annan klient än uppdragets. Välj rätt uppdrag."
                                       if "the report is about" in detail else
                                       "Välj ett av kontaktpersonens uppdrag som gäller rapportens månad.")
        except Conflict:
            conflict = "Rapporten är redan godkänd."
        else:
            ctx.notice(f"Rapporten {view.case_number} är godkänd mot uppdraget och går vidare till utbetalning.")
            return Redirect(ctx.url(f"/personal/arenden/{case_id}"))
    return Page("report.html", {
        "title": page_title("Godkänn rapport", view.case_number, error=bool(errors)),
        "nav": nav(ctx, "/personal/inkorg"), "case": view, "person": person(view), "kind": KINDS[kind],
        "month": f"{year:04d}-{month:02d}", "client": f"{answers.get('client_first_name', '')} "
                                                     f"{answers.get('client_last_name', '')}".strip(),
        "km": km if kind == "time" else None, "rows": rows, "chosen": chosen, "conflict": conflict,
        "errors": [ErrorLink("#report-reason", errors["reason"])] if "reason" in errors else
        [ErrorLink("#report-assignment-0" if rows else "#report-none", errors["assignment_id"])]
        if errors else [], "field_errors": errors, "reason": reason,
        "action": ctx.url(f"/personal/arenden/{case_id}/rapport"), "case_url": ctx.url(f"/personal/arenden/{case_id}"),
        "send_back_action": ctx.url(f"/personal/arenden/{case_id}/rapport/tillbaka"),
    }, status=422 if errors else 409 if conflict and ctx.method == "POST" else 200)


def send_back(ctx: Context, case_id: str) -> Page | Redirect:
    """'Skicka tillbaka rapporten': the report page's second form."""
    return report(ctx, case_id, send_back=True)
