"""Regler (``/personal/regler``): each municipality's rule packs (period, version, source, figures)
and the yearly figures; a new version is checked before it is used: finance (``rules.manage``)
enters the main figures of a new version (the rest is the pack in force at its first month), the
``RulePack`` model validates it (422, nothing stored), the page previews what it changes on the
current month (each provider's basis totals under the pack in force and under the candidate), and
only then "Använd från <månad>" stores it (``RulePackStore``), from the first month still open."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from ....auth.policy import POLICY
from ....billing.domain.rules import RulePack
from ....billing.rule_book import files_of
from ....billing.usecases import rules as usecase
from ....domain.calendar import next_month
from ....domain.errors import Conflict, NotFound, ValidationFailed
from ..filters import kr
from ..formview import ErrorLink
from ..http import Context, Page, Redirect
from ..months import MONTH
from .common import member, nav, page_title

PATH = "/personal/regler"
_KR = re.compile(r"^\d{1,6}([,.]\d{1,2})?$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")
KINDS = {"hospital": "sjukhusvistelse", "short_term_stay": "korttidsvistelse", "terminated": "avslutat uppdrag"}
FIELDS = ("kommun", "version", "fran", "till", "timersattning", "glesbygd", "betalningsvillkor", "beslut")
MODEL_FIELDS = {"hourly_rate_ore": "timersattning", "supplements": "glesbygd", "payment_terms_days": "betalningsvillkor",
                "valid_to": "till", "valid_from": "fran", "version": "version"}


def _pack_view(row: usecase.PackRow) -> dict[str, Any]:
    p = row.pack
    return {"row": row, "p": p, "hourly": kr(p.hourly_rate_ore), "rural": kr(p.supplements.rural_per_hour_ore),
            "absence": _day_rule(p.absence), "termination": _day_rule(p.termination),
            "period": f"{p.valid_from.isoformat()} – {p.valid_to.isoformat() if p.valid_to else 'tills vidare'}",
            "replaced": row.replaced_from.isoformat()[:7] if row.replaced_from else None}


def _day_rule(rule: Any) -> str:
    shares = ", ".join(str(s).replace(".", ",") for s in rule.day_shares)
    text = f"{', '.join(KINDS.get(k, k) for k in rule.kinds)}: andelar av dagens beviljade tid per dag {shares}"
    if rule.none_if_announced_hours_before is not None:
        text += f"; ingen ersättning om anmält minst {rule.none_if_announced_hours_before} timmar före"
    if rule.none_if_provider_mismanaged:
        text += "; ingen ersättning om utföraren misskött uppdraget"
    return text


def _defaults(ctx: Context) -> dict[str, str]:
    year, month = usecase.first_open_month(ctx.deps)
    try:
        p = usecase.book(ctx.deps, ctx.deps.municipality).for_month(ctx.deps.municipality, year, month)
    except NotFound:  # no pack yet: empty fields
        return {"kommun": ctx.deps.municipality, "fran": f"{year:04d}-{month:02d}"}
    return {"kommun": p.municipality, "version": "", "fran": f"{year:04d}-{month:02d}", "till": "",
            "timersattning": kr(p.hourly_rate_ore).replace("\u00a0kr", "").replace("\u00a0", ""),
            "glesbygd": kr(p.supplements.rural_per_hour_ore).replace("\u00a0kr", "").replace("\u00a0", ""),
            "betalningsvillkor": str(p.payment_terms_days), "beslut": ""}


def _page(ctx: Context, *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
          preview: usecase.Preview | None = None, status: int = 200) -> Page:
    who = member(ctx, "billing.read")
    by_municipality = usecase.rules_in_force(ctx.deps, who)
    files = files_of(ctx.deps.rules)
    figures = files.figures
    years = sorted({*figures.prisbasbelopp_ore, *figures.mileage_ore_per_km})
    year, month = usecase.first_open_month(ctx.deps)
    errors = dict(errors or {})
    diff = []
    if preview is not None:
        for d in preview.providers:
            diff.append({"provider": d.provider_name or d.provider_id, "id": d.provider_id,
                         "before": kr(d.before.amount_ore), "after": kr(d.after.amount_ore),
                         "change": kr(d.after.amount_ore - d.before.amount_ore), "clients": d.before.clients})
    return Page("rules.html", {
        "title": page_title("Regler", error=bool(errors)), "nav": nav(ctx, PATH),
        "municipalities": {m: [_pack_view(r) for r in rows] for m, rows in by_municipality.items()},
        "years": [{"year": y, "pbb": kr(figures.prisbasbelopp_ore[y]) if y in figures.prisbasbelopp_ore else "–",
                   "mileage": kr(figures.mileage_ore_per_km[y]) if y in figures.mileage_ore_per_km else "–"}
                  for y in years],
        "figure_sources": figures.sources, "may_manage": who.role in POLICY["rules.manage"],
        "open_month": f"{year:04d}-{month:02d}", "values": values or _defaults(ctx), "field_errors": errors,
        "errors": [ErrorLink(f"#r-{k}", t) for k, t in errors.items()], "preview": preview, "diff": diff,
        "total_before": kr(sum(d.before.amount_ore for d in preview.providers)) if preview else None,
        "total_after": kr(sum(d.after.amount_ore for d in preview.providers)) if preview else None,
        "municipality_names": {m: rows[0].pack.municipality_name for m, rows in by_municipality.items() if rows},
        "action": ctx.url(PATH), "kr": kr}, status=status)


def page(ctx: Context) -> Page:
    member(ctx, "billing.read")
    return _page(ctx)


def _ore(text: str) -> int:
    whole, _, cents = text.replace(".", ",").partition(",")
    return int(whole) * 100 + int((cents + "00")[:2])


def _candidate(ctx: Context, values: dict[str, str]) -> tuple[RulePack | None, dict[str, str]]:
    errors: dict[str, str] = {}
    if values["kommun"] not in files_of(ctx.deps.rules).municipalities():
        errors["kommun"] = "Välj en kommun i listan."
    if not _VERSION.match(values["version"]):
        errors["version"] = "Skriv versionen med siffror och bokstäver, till exempel 2027.1."
    m = MONTH.match(values["fran"])
    if not m:
        errors["fran"] = "Skriv från vilken månad versionen gäller som ÅÅÅÅ-MM, till exempel 2027-01."
    to = MONTH.match(values["till"]) if values["till"] else None
    if values["till"] and not to:
        errors["till"] = "Skriv till och med vilken månad beloppen är beslutade som ÅÅÅÅ-MM, eller lämna tomt."
    for name, label in (("timersattning", "Timersättningen"), ("glesbygd", "Glesbygdstillägget")):
        if not _KR.match(values[name].replace(" ", "")):
            errors[name] = f"{label} skrivs i kronor, till exempel 497,00."
    if not values["betalningsvillkor"].isdigit() or not 1 <= int(values["betalningsvillkor"]) <= 120:
        errors["betalningsvillkor"] = "Betalningsvillkoret skrivs som antal dagar, 1–120."
    if not 3 <= len(values["beslut"]) <= 300 or any(ord(c) < 32 for c in values["beslut"]):
        errors["beslut"] = "Skriv vilket beslut versionen bygger på (diarienummer och datum), 3–300 tecken."
    if errors:
        return None, errors
    valid_to = None
    if to:
        ny, nm = next_month(int(to.group(1)), int(to.group(2)))
        valid_to = date(ny, nm, 1) - timedelta(days=1)
    try:
        pack = usecase.candidate_pack(ctx.deps, usecase.Candidate(
            municipality=values["kommun"], version=values["version"],
            valid_from=date(int(m.group(1)), int(m.group(2)), 1), valid_to=valid_to,
            hourly_rate_ore=_ore(values["timersattning"].replace(" ", "")),
            rural_per_hour_ore=_ore(values["glesbygd"].replace(" ", "")),
            payment_terms_days=int(values["betalningsvillkor"]), decision=values["beslut"]))
    except ValidationFailed as exc:
        return None, _swedish(exc, ctx)
    return pack, {}


def _swedish(exc: ValidationFailed, ctx: Context) -> dict[str, str]:
    year, month = usecase.first_open_month(ctx.deps)
    out: dict[str, str] = {}
    for e in exc.errors or []:
        top = e.field.split(".")[0]
        if top == "version":
            out["version"] = "Kommunen har redan en regelversion med det numret. Välj ett nytt."
        elif top == "valid_from":
            out["fran"] = (f"En ny version gäller tidigast från {year:04d}-{month:02d}, den första månad som "
                           "inte är låst.")
        elif top == "municipality":
            out["kommun"] = "Kommunen har inga regler att utgå från."
        else:
            name = MODEL_FIELDS.get(top, "till" if "end" in e.detail else "timersattning")
            out[name] = ("Slutmånaden kan inte vara före startmånaden." if "ends after" in e.detail else
                         "Värdet godtas inte av regelmodellen: " + e.detail)
    return out or {"version": "Regelversionen godtas inte."}


def post(ctx: Context) -> Page | Redirect:
    who = member(ctx, "rules.manage")
    values = {k: ctx.form.get(k).strip() for k in FIELDS}
    pack, errors = _candidate(ctx, values)
    if errors or pack is None:
        return _page(ctx, values=values, errors=errors, status=422)
    if ctx.form.get("steg") != "anvand":
        return _page(ctx, values=values, preview=usecase.preview(ctx.deps, who, pack))
    try:
        usecase.store_version(ctx.deps, who, pack)
    except Conflict:
        return _page(ctx, values=values, errors={"version": "Versionen sparades nyss av någon annan. Inget nytt "
                                                            "sparades."}, status=409)
    ctx.notice(f"Version {pack.version} av {pack.municipality_name}s regler gäller från {values['fran']}.")
    return Redirect(ctx.url(PATH), status=303)
