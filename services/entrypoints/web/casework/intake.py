"""Koppla ansökan (aktualisering): the seed's form over an e-application — Aktualiseringstyp
(Begäran LSS with one or more LSS insatser), Handläggare, Organisation, Från vem,
Aktualiseringssätt, Orsak and Anteckning (prefilled with the applicant's own text). It calls case
work's ``take_in``, as ``POST /cases/{id}/intake`` does; on bad input nothing is stored and the
page comes back with an error summary and each field's error in Swedish. After it the case is in
the chosen case worker's list (the inbox filtered on them)."""
from __future__ import annotations

import urllib.parse
from typing import Any

from ....domain.errors import Conflict, ValidationFailed
from ....domain.insatser import LSS, LSS_INSATSER, SOL, SOL_INSATSER
from ....domain.personnummer import Personnummer
from ....eservices.casework.domain.catalog import CHANNELS, FROM_WHOM, INTAKE_TYPES, INTAKE_TYPES_BY_AREA
from ..formview import ErrorLink
from ..http import Context, Page, Redirect
from .common import case_worker, case_workers, me_id, nav, page_title

AREAS = {SOL: "Stöd och omsorg för äldre (SoL)", LSS: "Stöd enligt LSS", "forsorjningsstod": "Försörjningsstöd"}
FIELDS = ("intake_type", "lss_insatser", "case_worker_id", "organisation", "from_whom", "channel", "reason", "note")
MESSAGES = {
    "intake_type": "Välj aktualiseringstyp.",
    "lss_insatser": "Välj en eller flera LSS-insatser för Begäran LSS, och bara för Begäran LSS.",
    "case_worker_id": "Välj handläggare.",
    "organisation": "Skriv organisationen, till exempel enhetens namn.",
    "from_whom": "Välj från vem ansökan kommer.",
    "channel": "Välj aktualiseringssätt.",
    "reason": "Orsaken får vara högst 200 tecken på en rad.",
    "note": "Anteckningen får vara högst 4 000 tecken.",
}
CHANNEL_NOT_E = ("En e-ansökan kopplas med aktualiseringssättet E-ansökan. En ansökan som kommit på annat sätt "
                 "registreras som ett nytt ärende.")


def _application(case: Any) -> dict[str, Any]:
    """What the applicant chose and wrote (Valda tjänster, Övrig information)."""
    step = case.answers.get("ansokan") or {}
    area = step.get("area") or ""
    labels = {i.value: i.label for i in (*SOL_INSATSER, *LSS_INSATSER)}
    chosen = [labels.get(v, v) for v in ([step.get("sol_insats")] if step.get("sol_insats") else [])
              + list(step.get("lss_insatser") or [])]
    return {"area": area, "area_label": AREAS.get(area, area), "chosen": chosen or [case.category],
            "need": step.get("need") or "", "lss_chosen": list(step.get("lss_insatser") or [])}


def _values(ctx: Context, application: dict[str, Any], who: Any) -> dict[str, Any]:
    if ctx.method == "POST":
        return {"intake_type": ctx.form.get("intake_type"), "lss_insatser": ctx.form.getlist("lss_insatser"),
                **{k: ctx.form.get(k) for k in ("case_worker_id", "organisation", "from_whom", "channel", "reason",
                                                "note")}}
    allowed = INTAKE_TYPES_BY_AREA.get(application["area"], frozenset())
    return {"intake_type": next(iter(allowed)) if len(allowed) == 1 else "",
            "lss_insatser": application["lss_chosen"], "case_worker_id": me_id(who), "organisation": "",
            "from_whom": "den_enskilde", "channel": "e_ansokan", "reason": "", "note": application["need"]}


def _errors_of(exc: Exception, application: dict[str, Any]) -> dict[str, str]:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        bad = [str(e["loc"][0]) for e in exc.errors() if e["loc"]]
    else:
        bad = [e.field for e in getattr(exc, "errors", [])]
    errors: dict[str, str] = {}
    for field in bad:
        if field == "intake_type" and isinstance(exc, ValidationFailed):
            allowed = sorted(INTAKE_TYPES_BY_AREA.get(application["area"], frozenset()))
            errors[field] = (f"Ansökan gäller {application['area_label'].lower()}. Välj "
                             + " eller ".join(INTAKE_TYPES[a] for a in allowed) + ".")
        elif field == "channel" and isinstance(exc, ValidationFailed):
            errors[field] = CHANNEL_NOT_E
        else:
            errors.setdefault(field, MESSAGES.get(field, "Kontrollera uppgiften."))
    return errors or {"intake_type": "Kontrollera uppgifterna."}


def intake(ctx: Context, case_id: str) -> Page | Redirect:
    from pydantic import ValidationError

    from ....eservices.casework.models.intake import IntakeRequest
    from ....eservices.casework.usecases import inbox, intake as intake_uc

    who = case_worker(ctx)
    case = inbox.get_case(ctx.deps, who, case_id)
    application = _application(case)
    workers = case_workers(ctx, who)
    values = _values(ctx, application, who)
    errors: dict[str, str] = {}
    conflict = None
    if case.status not in ("new", "received"):
        conflict = "Ansökan är redan kopplad."
    elif ctx.method == "POST":
        chosen = next((w for w in workers if w["id"] == values["case_worker_id"]), None)
        body = {**{k: v for k, v in values.items() if v not in ("", None)},
                "case_worker_name": chosen["name"] if chosen else None}
        try:
            if chosen is None:
                errors["case_worker_id"] = MESSAGES["case_worker_id"]
            request = IntakeRequest.model_validate(body)
            if not errors:
                intake_uc.take_in(ctx.deps, who, case_id, request)
                ctx.notice(f"Ansökan {case.case_number} är kopplad till {chosen['name']}."  # type: ignore[index]
                           " Den finns nu bland handläggarens ärenden.")
                return Redirect(ctx.url("/personal/inkorg") + "?" + urllib.parse.urlencode(
                    {"case_worker": chosen["id"], "status": "in_progress"}))  # type: ignore[index]
        except (ValidationError, ValidationFailed) as exc:
            errors = {**_errors_of(exc, application), **errors}
        except Conflict:
            conflict = "Ansökan kopplades av någon annan medan du fyllde i. Se inkorgen."
    links = [ErrorLink(f"#intake-{f}" + ("-0" if f in ("intake_type", "lss_insatser") else ""), errors[f])
             for f in FIELDS if f in errors]
    return Page("intake.html", {
        "title": page_title("Koppla ansökan", case.case_number, error=bool(errors)),
        "nav": nav(ctx, "/personal/inkorg"), "case": case, "application": application,
        "pnr": Personnummer(case.personnummer).formatted if case.personnummer else "",
        "values": values, "errors": links, "field_errors": errors, "conflict": conflict,
        "intake_types": INTAKE_TYPES, "lss": [(i.value, i.label) for i in LSS_INSATSER],
        "case_workers": workers, "from_whom": FROM_WHOM, "channels": CHANNELS,
        "cancel_url": ctx.url("/personal/inkorg"), "action": ctx.url(f"/personal/ansokningar/{case_id}/koppla"),
    }, status=422 if errors else 409 if conflict and ctx.method == "POST" else 200)
