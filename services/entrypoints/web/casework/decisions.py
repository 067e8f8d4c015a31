"""Beslut: the decision form of a case — per insats that may be decided (``decidable``: the one
applied for, or for LSS those taken in at intake) an outcome, for granted home care the granted
minutes per month and, if wanted, per home-care insats, the period and a motivation — with the law
in force on the decision date, then a preview of the letter ("Förhandsgranska"), then "Publicera
beslut". The preview and publishing carry the form's values in hidden fields (nothing is stored
before publishing). It calls case work's ``decide``, as ``POST /cases/{id}/decisions`` does, and
warns when messaging is not switched on (the decision then reaches Mina sidor without an alert)."""
from __future__ import annotations

from datetime import date
from typing import Any

from ....domain.calendar import stockholm_date
from ....domain.errors import Conflict, ValidationFailed
from ....domain.insatser import HOME_CARE_BREAKDOWN
from ....eservices.casework.domain.catalog import HOME_CARE, label_of, law_of
from ....eservices.casework.domain.laws import citation, statute_in_force
from ..formview import ErrorLink
from ..http import Context, Page, Redirect
from .case import messaging_of, person
from .common import case_worker, nav, page_title

OUTCOMES = {"granted": "Bevilja", "refused": "Avslå"}
MESSAGES = {
    "outcome": "Välj om insatsen beviljas eller avslås.",
    "minutes": "Skriv beviljad tid i minuter per månad, ett heltal mellan 1 och 44 640. Den krävs när hemtjänst beviljas och bara då.",
    "granted": "Tiden per insats ska vara heltal och räknas ihop till den beviljade tiden per månad.",
    "valid_from": "Skriv från-datum som ÅÅÅÅ-MM-DD, högst två år före eller efter i dag.",
    "valid_to": "Skriv till-datum som ÅÅÅÅ-MM-DD, inte före från-datum och högst tio år fram.",
    "motivation": "Motiveringen får vara högst 4 000 tecken.",
    "letter_text": "Texten i beslutsmeddelandet får vara högst 8 000 tecken.",
    "none": "Välj beslut för minst en insats.",
}
PARTS = [(i.value, i.label) for i in HOME_CARE_BREAKDOWN]


def _rows(ctx: Context, insatser: list[str], today: date) -> list[dict[str, Any]]:
    rows = []
    for code in insatser:
        law = law_of(code)
        statute = statute_in_force(law, today)
        rows.append({"code": code, "label": label_of(code), "home_care": code == HOME_CARE,
                     "law": citation(law, statute.sfs)})
    return rows


def _values(ctx: Context, insatser: list[str], today: date) -> dict[str, str]:
    if ctx.method == "POST":
        return {k: v for k, v in ctx.form.pairs if k not in ("csrf", "step")}
    values = {"letter_text": ""}
    for code in insatser:
        values.update({f"{code}.outcome": "", f"{code}.from": today.isoformat(), f"{code}.to": "",
                       f"{code}.minutes": "", f"{code}.motivation": ""})
    return values


def _request(values: dict[str, str], insatser: list[str]) -> tuple[Any, dict[str, str]]:
    """The form as case work's ``DecisionRequest``, and a Swedish error per form field."""
    from pydantic import ValidationError

    from ....eservices.casework.models.decisions import DecisionRequest

    chosen = [c for c in insatser if values.get(f"{c}.outcome")]
    errors: dict[str, str] = {}
    decisions = []
    for code in chosen:
        outcome = values.get(f"{code}.outcome")
        if outcome not in OUTCOMES:
            errors[f"{code}.outcome"] = MESSAGES["outcome"]
            continue
        d: dict[str, Any] = {"insats": code, "outcome": outcome, "valid_from": values.get(f"{code}.from") or None,
                             "valid_to": values.get(f"{code}.to") or None,
                             "motivation": values.get(f"{code}.motivation", "")}
        minutes = values.get(f"{code}.minutes", "").strip()
        if minutes:
            if not minutes.isdigit():
                errors[f"{code}.minutes"] = MESSAGES["minutes"]
                continue
            d["granted_minutes_per_month"] = int(minutes)
        parts = [(p, values.get(f"{code}.part.{p}", "").strip()) for p, _ in PARTS]
        parts = [(p, v) for p, v in parts if v]
        if parts:
            if not all(v.isdigit() for _, v in parts):
                errors[f"{code}.granted"] = MESSAGES["granted"]
                continue
            d["granted"] = [{"insats": p, "minutes_per_month": int(v)} for p, v in parts]
        decisions.append(d)
    if not chosen:
        errors["none"] = MESSAGES["none"]
    if errors:
        return None, errors
    try:
        return DecisionRequest.model_validate({"decisions": decisions,
                                               "letter_text": values.get("letter_text", "")}), {}
    except ValidationError as exc:
        for e in exc.errors():
            loc = [str(x) for x in e["loc"]]
            if loc and loc[0] == "decisions" and len(loc) >= 3:
                code = decisions[int(loc[1])]["insats"]
                field = {"granted_minutes_per_month": "minutes", "valid_from": "from", "valid_to": "to"}.get(
                    loc[2], loc[2])
                key = {"from": "valid_from", "to": "valid_to"}.get(field, field)
                errors.setdefault(f"{code}.{field}", MESSAGES.get(key, MESSAGES["outcome"]))
            elif loc and loc[0] == "letter_text":
                errors["letter_text"] = MESSAGES["letter_text"]
            else:
                errors.setdefault("none", MESSAGES["none"])
        return None, errors


def _near_today(request: Any, today: date) -> dict[str, str]:
    from ....eservices.casework.domain.periods import DECISION_DATES, dates_near_today

    errors = {}
    for d in request.decisions:
        for e in dates_near_today(d.model_dump(), today, DECISION_DATES):
            key = "from" if e.field == "valid_from" else "to"
            errors[f"{d.insats}.{key}"] = MESSAGES[e.field]
    return errors


def _letter(case: Any, request: Any, today: date, who: Any) -> dict[str, Any]:
    """What the letter will say (the same parts as ``letters.decision_letter_pdf``)."""
    from ....eservices.casework.letters import APPEAL, minutes_text

    parts = dict(PARTS)
    items = []
    for d in request.decisions:
        law = law_of(d.insats)
        items.append({"label": label_of(d.insats), "outcome": OUTCOMES[d.outcome],
                      "verb": "Beviljas" if d.outcome == "granted" else "Avslås",
                      "law": citation(law, statute_in_force(law, today).sfs),
                      "minutes": minutes_text(d.granted_minutes_per_month) if d.granted_minutes_per_month else None,
                      "parts": [(parts[g.insats], minutes_text(g.minutes_per_month)) for g in (d.granted or [])],
                      "valid_from": d.valid_from.isoformat(),
                      "valid_to": d.valid_to.isoformat() if d.valid_to else None, "motivation": d.motivation})
    return {"case_number": case.case_number, "date": today.isoformat(), "items": items, "text": request.letter_text,
            "appeal": APPEAL, "decided_by": who.name or "Handläggare"}


def decide(ctx: Context, case_id: str) -> Page | Redirect:
    from ....eservices.casework.usecases import decisions as uc
    from ....eservices.casework.usecases import inbox

    who = case_worker(ctx)
    view = inbox.get_case(ctx.deps, who, case_id)
    case = ctx.deps.cases.get(case_id)
    today = stockholm_date(ctx.now)
    insatser = sorted(uc.decidable(case))
    values = _values(ctx, insatser, today)
    step = ctx.form.get("step") if ctx.method == "POST" else ""
    errors: dict[str, str] = {}
    conflict = None
    base = f"/personal/arenden/{case_id}"
    if case.status not in ("in_progress", "decided"):
        conflict = "Ansökan behöver kopplas (Koppla ansökan) innan beslut kan fattas."
    elif step in ("forhandsgranska", "publicera"):
        request, errors = _request(values, insatser)
        if request is not None:
            errors = _near_today(request, today)
        if not errors and step == "forhandsgranska":
            return _preview(ctx, view, request, values, today, who, case_id)
        if not errors:
            try:
                uc.decide(ctx.deps, who, case_id, request)
            except ValidationFailed as exc:
                errors = {"none": "Kontrollera besluten: " + "; ".join(e.detail for e in exc.errors)}
            except Conflict:
                conflict = ("Beslutet publicerades inte: insatsen är redan beviljad för de datumen, eller ärendet "
                            "ändrades medan du skrev. Öppna ärendet igen.")
            else:
                ctx.notice(f"Beslutet i ärende {case.case_number} är publicerat. Beslutsmeddelandet finns under "
                           "Dokument och på den sökandes Mina sidor.")
                return Redirect(ctx.url(base))
    order = [k for c in insatser for k in (f"{c}.outcome", f"{c}.minutes", f"{c}.granted", f"{c}.from", f"{c}.to",
                                            f"{c}.motivation")] + ["letter_text", "none"]
    anchors = {k: "decision-" + k.replace(".", "-") for k in order}
    anchors["none"] = "decision-" + (f"{insatser[0]}-outcome" if insatser else "letter_text")
    links = [ErrorLink("#" + anchors[k] + ("-0" if k.endswith(".outcome") or k == "none" else ""), errors[k])
             for k in order if k in errors]
    settings = messaging_of(ctx, view.personnummer)
    return Page("decision.html", {
        "title": page_title("Beslut", view.case_number, error=bool(errors)), "nav": nav(ctx, "/personal/inkorg"),
        "case": view, "person": person(view), "rows": _rows(ctx, insatser, today), "values": values,
        "errors": links, "field_errors": errors, "outcomes": OUTCOMES, "parts": PARTS, "conflict": conflict,
        "messaging_on": bool(settings and settings.enabled), "today": today.isoformat(),
        "action": ctx.url(f"{base}/beslut"), "case_url": ctx.url(base),
        "messaging_url": ctx.url(f"{base}/meddelandefunktion"),
    }, status=422 if errors else 409 if conflict and ctx.method == "POST" else 200)


def _preview(ctx: Context, view: Any, request: Any, values: dict[str, str], today: date, who: Any,
             case_id: str) -> Page:
    settings = messaging_of(ctx, view.personnummer)
    return Page("decision_preview.html", {
        "title": page_title("Förhandsgranska beslut", view.case_number), "nav": nav(ctx, "/personal/inkorg"),
        "case": view, "person": person(view), "letter": _letter(view, request, today, who),
        "hidden": [(k, v) for k, v in values.items()], "messaging_on": bool(settings and settings.enabled),
        "action": ctx.url(f"/personal/arenden/{case_id}/beslut"),
    })
