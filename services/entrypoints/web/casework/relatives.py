"""Godkänna närstående: after the citizen's consent is recorded, a relative may log in for the
citizen between two dates (seed 002's form: the client's and the relative's personnummer and
names, from, to — one year suggested — and other information); the list per client ("Sök
brukare"), change and end. Case work's ``approve``, ``search``, ``change`` and ``end``, as
``/relatives`` does; the citizens' side reads the same approvals, so it honours them at once."""
from __future__ import annotations

import urllib.parse
from datetime import date, timedelta
from typing import Any

from ....domain.calendar import stockholm_date
from ....domain.errors import Conflict, NotFound, ValidationFailed
from ....domain.personnummer import Personnummer, parse
from ..formview import ErrorLink
from ..http import Context, Page, Redirect
from .common import case_worker, nav, page_title

NEW_FIELDS = ("citizen_pnr", "citizen_first", "citizen_last", "relative_pnr", "relative_first", "relative_last",
              "valid_from", "valid_to", "note", "consent")
MESSAGES = {
    "citizen_pnr": "Skriv brukarens personnummer med 12 siffror, ÅÅÅÅMMDD-NNNN.",
    "citizen_first": "Skriv brukarens förnamn som i folkbokföringen.",
    "citizen_last": "Skriv brukarens efternamn som i folkbokföringen.",
    "relative_pnr": "Skriv den närståendes personnummer med 12 siffror, ÅÅÅÅMMDD-NNNN, och inte brukarens eget.",
    "relative_first": "Skriv den närståendes förnamn som i folkbokföringen.",
    "relative_last": "Skriv den närståendes efternamn som i folkbokföringen.",
    "valid_from": "Skriv från-datum som ÅÅÅÅ-MM-DD.",
    "valid_to": "Skriv till-datum som ÅÅÅÅ-MM-DD, inte före från-datum.",
    "note": "Övrig information får vara högst 4 000 tecken.",
    "consent": "Bekräfta att brukarens samtycke är inhämtat och registrerat.",
    "brukare": "Skriv brukarens personnummer med 12 siffror, ÅÅÅÅMMDD-NNNN.",
}
# case work's field names → the form's
FIELD_OF = {"citizen.personnummer": "citizen_pnr", "citizen.first_name": "citizen_first",
            "citizen.last_name": "citizen_last", "relative.personnummer": "relative_pnr",
            "relative.first_name": "relative_first", "relative.last_name": "relative_last", "relative": "relative_pnr",
            "valid_from": "valid_from", "valid_to": "valid_to", "note": "note", "consent_recorded": "consent",
            "citizen": "citizen_pnr"}


def _one_year(start: date) -> date:
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:
        return start + timedelta(days=364)


def _listed(ctx: Context, who: Any, citizen: str) -> list[dict[str, Any]]:
    from ....eservices.casework.models.relatives import ApprovalQuery
    from ....eservices.casework.usecases import relatives as uc

    return [{**a.model_dump(), "relative_pnr": Personnummer(a.relative).formatted,
             "href": ctx.url(f"/personal/narstaende/{a.approval_id}")}
            for a in uc.search(ctx.deps, who, ApprovalQuery(citizen=citizen))]


def relatives(ctx: Context) -> Page:
    """Sök brukare: a client's approvals (the personnummer as the inbox's search takes it)."""
    who = case_worker(ctx)
    raw = ctx.query.get("brukare", "").strip()
    errors: dict[str, str] = {}
    approvals = None
    citizen = None
    if raw:
        try:
            citizen = parse(raw)
        except ValueError:
            citizen = None
            errors["brukare"] = MESSAGES["brukare"]
        else:
            approvals = _listed(ctx, who, str(citizen))
    return Page("relatives.html", {
        "title": page_title("Godkänna närstående", error=bool(errors)), "nav": nav(ctx, "/personal/narstaende"),
        "q": raw, "approvals": approvals, "citizen": Personnummer(citizen).formatted if citizen else None,
        "field_errors": errors, "errors": [ErrorLink("#brukare", errors["brukare"])] if errors else [],
        "action": ctx.url("/personal/narstaende"),
        "new_url": ctx.url("/personal/narstaende/nytt") + ("?" + urllib.parse.urlencode({"brukare": str(citizen)})
                                                           if citizen else ""),
    }, status=422 if errors else 200)


def of_case(ctx: Context, case_id: str) -> Redirect:
    """From a case: its person's approvals."""
    from ....eservices.casework.usecases import inbox

    who = case_worker(ctx)
    case = inbox.get_case(ctx.deps, who, case_id)
    return Redirect(ctx.url("/personal/narstaende") + "?" + urllib.parse.urlencode({"brukare": case.personnummer}))


def register_says(detail: str, default: str) -> str:
    """A name that does not match the population register, in Swedish: the registered name where
    it may be shown (never a protected person's, which case work leaves out of ``detail``)."""
    marker = "the register has "
    if marker in detail:
        return f"Namnet stämmer inte med folkbokföringen, där personen heter {detail.split(marker, 1)[1]}."
    if "population register" in detail:
        return "Namnet stämmer inte med folkbokföringen."
    return default


def _errors(exc: Exception) -> dict[str, str]:
    from pydantic import ValidationError

    errors: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        found = [(".".join(str(x) for x in e["loc"]), "") for e in exc.errors()]
    else:
        found = [(e.field, e.detail) for e in getattr(exc, "errors", [])]
    for loc, detail in found:
        field = FIELD_OF.get(loc) or FIELD_OF.get(loc.split(".")[0]) or "valid_from"
        errors.setdefault(field, register_says(detail, MESSAGES[field]))
    return errors or {"valid_from": "Kontrollera uppgifterna."}


def new(ctx: Context) -> Page | Redirect:
    from pydantic import ValidationError

    from ....eservices.casework.models.relatives import ApprovalRequest
    from ....eservices.casework.usecases import relatives as uc

    who = case_worker(ctx)
    today = stockholm_date(ctx.now)
    errors: dict[str, str] = {}
    if ctx.method == "POST":
        values = {k: ctx.form.get(k).strip() for k in NEW_FIELDS}
        body = {"citizen": {"personnummer": values["citizen_pnr"], "first_name": values["citizen_first"],
                            "last_name": values["citizen_last"]},
                "relative": {"personnummer": values["relative_pnr"], "first_name": values["relative_first"],
                             "last_name": values["relative_last"]},
                "valid_from": values["valid_from"] or None, "valid_to": values["valid_to"] or None,
                "note": values["note"], "consent_recorded": values["consent"] in ("1", "on", "true")}
        try:
            saved = uc.approve(ctx.deps, who, ApprovalRequest.model_validate(body))
        except (ValidationError, ValidationFailed) as exc:
            errors = _errors(exc)
        except Conflict:
            errors["relative_pnr"] = "Den närstående är redan godkänd för brukaren under de datumen."
        else:
            ctx.notice(f"Godkännandet är sparat: {saved.relative_name} kan företräda {saved.citizen_name} "
                       f"från {saved.valid_from.isoformat()}.")
            return Redirect(ctx.url("/personal/narstaende") + "?" + urllib.parse.urlencode({"brukare": saved.citizen}))
    else:
        values = {k: "" for k in NEW_FIELDS}
        values.update(citizen_pnr=ctx.query.get("brukare", ""), valid_from=today.isoformat(),
                      valid_to=_one_year(today).isoformat())
    links = [ErrorLink(f"#rel-{f}", errors[f]) for f in NEW_FIELDS if f in errors]
    return Page("relative_new.html", {
        "title": page_title("Nytt godkännande", error=bool(errors)), "nav": nav(ctx, "/personal/narstaende"),
        "values": values, "errors": links, "field_errors": errors, "action": ctx.url("/personal/narstaende/nytt"),
        "cancel_url": ctx.url("/personal/narstaende"),
    }, status=422 if errors else 200)


def change(ctx: Context, approval_id: str) -> Page | Redirect:
    """Change the dates or the information, or end the approval ("Avsluta" ends it today)."""
    from pydantic import ValidationError

    from ....eservices.casework.models.relatives import ApprovalChange
    from ....eservices.casework.usecases import relatives as uc

    who = case_worker(ctx)
    stored = ctx.deps.approvals.by_id(approval_id)  # NotFound: 404
    found = next((a for a in _listed(ctx, who, str(stored.citizen)) if a["approval_id"] == approval_id), None)
    if found is None:
        raise NotFound("no such approval")
    back = ctx.url("/personal/narstaende") + "?" + urllib.parse.urlencode({"brukare": found["citizen"]})
    errors: dict[str, str] = {}
    conflict = "Godkännandet är avslutat. Gör ett nytt godkännande." if found["ended_at"] else None
    values = {"valid_from": found["valid_from"].isoformat(), "valid_to": found["valid_to"].isoformat()
              if found["valid_to"] else "", "note": found["note"], "version": str(found["version"])}
    if ctx.method == "POST" and conflict is None:
        try:
            if ctx.form.get("action") == "avsluta":
                uc.end(ctx.deps, who, approval_id)
                ctx.notice(f"Godkännandet för {found['relative_name']} är avslutat. Från i dag kan den närstående "
                           "inte företräda brukaren.")
                return Redirect(back)
            values = {k: ctx.form.get(k).strip() for k in ("valid_from", "valid_to", "note", "version")}
            body = {"version": int(values["version"]) if values["version"].isdigit() else -1,
                    "valid_from": values["valid_from"] or None, "valid_to": values["valid_to"] or None,
                    "note": values["note"]}
            uc.change(ctx.deps, who, approval_id, ApprovalChange.model_validate(body))
        except (ValidationError, ValidationFailed) as exc:
            errors = _errors(exc)
        except Conflict:
            conflict = "Godkännandet ändrades av någon annan, eller överlappar ett annat. Ladda om sidan."
        else:
            ctx.notice("Godkännandet är ändrat.")
            return Redirect(back)
    links = [ErrorLink(f"#rel-{f}", errors[f]) for f in ("valid_from", "valid_to", "note") if f in errors]
    return Page("relative_change.html", {
        "title": page_title("Ändra godkännande", error=bool(errors)), "nav": nav(ctx, "/personal/narstaende"),
        "approval": found, "values": values, "errors": links, "field_errors": errors, "conflict": conflict,
        "action": ctx.url(f"/personal/narstaende/{approval_id}"), "cancel_url": back,
    }, status=422 if errors else 409 if conflict and ctx.method == "POST" else 200)
