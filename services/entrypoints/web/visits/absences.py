"""Frånvaro: the provider's client absences, current and recent, each with the compensation billing's
rules give it ("Registrera frånvaro", "Avsluta"). The pages call the API's use cases
(``register_absence``, ``end_absence``, ``absence_compensation``); the coordinator registers and
ends, the provider's manager reads. Bad input stores nothing and comes back with an error summary
(422); another provider's absence is 404."""
from __future__ import annotations

import urllib.parse
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from ....domain.calendar import stockholm_date, swedish_date
from ....domain.errors import Conflict, PeriodLocked, ValidationFailed
from ....domain.personnummer import InvalidPersonnummer, Personnummer
from ....visits.schemas import EndAbsence, RegisterAbsence
from ....visits.usecases.absences import absence_compensation, end_absence, own_absence, register_absence
from ..filters import kr
from ..http import Context, Page, Redirect
from .common import nav, page_title
from .registry_common import (ABSENCE_ACTION, DATE_ERROR, INSTANT_ERROR, errors_list, instant_text, keeper,
                              may, parse_date, parse_instant, reader)

PATH = "/personal/franvaro"
KINDS = {"hospital": "Sjukhusvistelse", "short_term_stay": "Korttidsvistelse", "other": "Annan"}
ALL_KINDS = {**KINDS, "terminated": "Avslutat uppdrag"}
RECENT_DAYS = 60  # "current and recent": open, or ended at most this many days ago
FIELDS = ("klient", "slag", "fran", "till", "kand", "meddelad")


def _row(ctx: Context, a: Any, comp: Any, today: Any, keeps: bool) -> dict[str, Any]:
    if comp is None or not comp.minutes:
        money = comp.why_none if comp is not None else ""
    else:
        days = len(comp.days)
        money = (f"{days} {'dag' if days == 1 else 'dagar'}, {comp.minutes} min, {kr(comp.amount_ore)}"
                 + (" (preliminärt belopp)" if comp.preliminary else ""))
    return {"id": a.absence_id, "client": a.client.masked, "kind": ALL_KINDS.get(a.kind, a.kind),
            "from": a.starts_on.isoformat(), "to": a.ends_on.isoformat() if a.ends_on else "",
            "open": a.ends_on is None or a.ends_on >= today, "learned": instant_text(a.learned_at),
            "announced": instant_text(a.announced_at), "compensation": money,
            "end_href": ctx.url(f"{PATH}/{urllib.parse.quote(a.absence_id, safe='')}/avsluta")
            if keeps and a.ends_on is None else None}


def absences(ctx: Context) -> Page:
    who = reader(ctx)
    today = stockholm_date(ctx.now)
    show_all = ctx.query.get("alla") == "1"
    typed = (ctx.query.get("klient") or "").strip()
    errors: dict[str, str] = {}
    client = None
    if typed:
        try:
            client = str(Personnummer(typed))
        except (InvalidPersonnummer, ValueError):
            errors["klient"] = "Skriv klientens personnummer med 12 siffror, ÅÅÅÅMMDD-NNNN."
    found = [] if errors else ctx.deps.absences.absences_of(who.provider_id or "", client)
    if not show_all:
        since = today - timedelta(days=RECENT_DAYS)
        found = [a for a in found if a.ends_on is None or a.ends_on >= since]
    found.sort(key=lambda a: (a.starts_on, a.absence_id), reverse=True)  # the latest first
    comps = absence_compensation(ctx.deps, found)
    keeps = may(who, ABSENCE_ACTION)
    rows = [_row(ctx, a, comps.get(a.absence_id), today, keeps) for a in found]
    return Page("absences.html", {
        "title": page_title("Frånvaro", error=bool(errors)), "nav": nav(ctx, PATH), "rows": rows,
        "errors": errors_list(errors, "f"), "field_errors": errors, "klient": typed, "show_all": show_all,
        "keeps": keeps, "recent_days": RECENT_DAYS, "today": swedish_date(today),
        "all_href": ctx.url(PATH) + "?" + urllib.parse.urlencode({**({"klient": typed} if typed else {}), "alla": "1"}),
        "recent_href": ctx.url(PATH) + ("?" + urllib.parse.urlencode({"klient": typed}) if typed else "")},
        status=200)


# Where a use case's field error lands on the form
API_FIELDS = {"client": "klient", "kind": "slag", "starts_on": "fran", "ends_on": "till", "learned_at": "kand",
              "announced_at": "meddelad"}


def _register_errors(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    body: dict[str, Any] = {}
    try:
        body["client"] = str(Personnummer(values["klient"]))
    except (InvalidPersonnummer, ValueError):
        errors["klient"] = "Skriv klientens personnummer med 12 siffror, ÅÅÅÅMMDD-NNNN."
    if values["slag"] in KINDS:
        body["kind"] = values["slag"]
    else:
        errors["slag"] = "Välj vilket slags frånvaro det är."
    starts = parse_date(values["fran"])
    if starts is None:
        errors["fran"] = "Skriv första frånvarodagen. " + DATE_ERROR
    body["starts_on"] = starts
    if values["till"]:
        ends = parse_date(values["till"])
        if ends is None:
            errors["till"] = DATE_ERROR
        elif starts is not None and ends < starts:
            errors["till"] = "Sista dagen kan inte vara före första dagen."
        body["ends_on"] = ends
    learned = parse_instant(values["kand"])
    if learned is None:
        errors["kand"] = "Skriv när ni fick veta om frånvaron. " + INSTANT_ERROR
    body["learned_at"] = learned
    if values["meddelad"]:
        announced = parse_instant(values["meddelad"])
        if announced is None:
            errors["meddelad"] = INSTANT_ERROR
        body["announced_at"] = announced
    return body, errors


def new_absence(ctx: Context) -> Page | Redirect:
    who = keeper(ctx, ABSENCE_ACTION)
    values = {n: "" for n in FIELDS}
    errors: dict[str, str] = {}
    if ctx.method == "POST":
        values = {n: ctx.form.get(n).strip() for n in FIELDS}
        body, errors = _register_errors(values)
        if not errors:
            try:
                register_absence(ctx.deps, who, RegisterAbsence.model_validate(body))
            except ValidationError:
                errors["fran"] = "Datumen ligger utanför det som går att registrera."
            except ValidationFailed as exc:
                for e in exc.errors:
                    name = API_FIELDS.get(e.field.split(".")[-1], "fran")
                    errors[name] = ("Tiden kan inte ligga i framtiden." if "future" in e.detail
                                    else "Uppgiften gick inte att spara.")
            except PeriodLocked:
                errors["fran"] = "Månaden är låst: spärrdatum har passerat och frånvaron kan inte registreras."
            else:
                ctx.notice("Frånvaron är registrerad.")
                return Redirect(ctx.url(PATH), status=303)
    return Page("absence_new.html", {
        "title": page_title("Registrera frånvaro", error=bool(errors)), "nav": nav(ctx, PATH), "kinds": KINDS,
        "values": values, "field_errors": errors, "errors": errors_list(errors, "a"), "back": ctx.url(PATH),
        "action": ctx.url(f"{PATH}/ny")}, status=422 if errors else 200)


def end(ctx: Context, absence_id: str) -> Page | Redirect:
    who = keeper(ctx, ABSENCE_ACTION)
    absence = own_absence(ctx.deps, who, absence_id)  # NotFound (404) for another provider's
    values = {"till": ""}
    errors: dict[str, str] = {}
    status = 200
    if absence.ends_on is not None:
        status = 409  # the page says it has ended; there is nothing to post
    elif ctx.method == "POST":
        values = {"till": ctx.form.get("till").strip()}
        ends = parse_date(values["till"])
        if ends is None:
            errors["till"] = "Skriv sista frånvarodagen. " + DATE_ERROR
        elif ends < absence.starts_on:
            errors["till"] = f"Sista dagen kan inte vara före första dagen ({absence.starts_on.isoformat()})."
        else:
            try:
                end_absence(ctx.deps, who, absence_id, EndAbsence(ends_on=ends))
            except (ValidationError, ValidationFailed):
                errors["till"] = DATE_ERROR
            except PeriodLocked:
                errors["till"] = "Månaden är låst: spärrdatum har passerat och frånvaron kan inte ändras."
            except Conflict:
                absence = own_absence(ctx.deps, who, absence_id)
                status = 409
            else:
                ctx.notice("Frånvaron är avslutad.")
                return Redirect(ctx.url(PATH), status=303)
        if errors and status == 200:
            status = 422
    comp = absence_compensation(ctx.deps, [absence]).get(absence.absence_id)
    row = _row(ctx, absence, comp, stockholm_date(ctx.now), True)
    return Page("absence_end.html", {
        "title": page_title("Avsluta frånvaro", error=bool(errors)), "nav": nav(ctx, PATH), "row": row,
        "values": values, "field_errors": errors, "errors": errors_list(errors, "e"), "back": ctx.url(PATH),
        "action": row["end_href"] or ctx.url(PATH), "ended": absence.ends_on}, status=status)
