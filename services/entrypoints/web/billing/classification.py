"""Klassificering (``/personal/klassificering``): find a client by personnummer, see finance's
classification in force this month (area: glesbygd or ö; socialpsykiatri; terminations the provider
mismanaged) and its history (who changed what, when, from which month, why), and change it from a
month with a reason (``billing.clients.manage``: finance and the ordering unit). Bad input stores
nothing and comes back with an error summary (422); the basis of a month uses the classification
in force for that month."""
from __future__ import annotations

import urllib.parse
from datetime import date
from typing import Any

from ....billing.domain.model import ClientProfile, ProfileChange
from ....billing.usecases.classification import change_classification, classification
from ....domain.calendar import stockholm_date
from ....domain.errors import Conflict
from ....domain.personnummer import InvalidPersonnummer, Personnummer
from ..formview import ErrorLink
from ..http import Context, Page, Redirect
from ..months import MONTH, month_of
from .common import member, nav, page_title

PATH = "/personal/klassificering"
ACTION = "billing.clients.manage"
AREAS = {"standard": "Ingen (tätort)", "rural": "Glesbygd", "island": "Ö (skärgård)"}
PNR_ERROR = "Skriv klientens personnummer med 12 siffror, ÅÅÅÅMMDD-NNNN."
REASON_MIN, REASON_MAX = 3, 500


def _pnr(value: str) -> str | None:
    try:
        return str(Personnummer(value))
    except (InvalidPersonnummer, ValueError):
        return None


def _profile_text(p: ClientProfile) -> dict[str, str]:
    return {"area": AREAS.get(p.area, p.area), "social_psychiatry": "Ja" if p.social_psychiatry else "Nej",
            "mismanaged": ", ".join(p.mismanaged_terminations) or "Inga"}


LABELS = {"area": "Område", "social_psychiatry": "Socialpsykiatri", "mismanaged": "Misskötta avslut"}


def _changed(before: ProfileChange | None, after: ProfileChange) -> str:
    """What the change changed against the entry in effect before it ("Område: Ingen → Glesbygd")."""
    old, new = _profile_text(before.profile if before else ClientProfile()), _profile_text(after.profile)
    parts = [f"{LABELS[k]}: {old[k]} → {new[k]}" for k in LABELS if old[k] != new[k]]
    return "; ".join(parts) or "Ingen ändring"


def _change_row(c: ProfileChange, before: ProfileChange | None = None) -> dict[str, Any]:
    return {**_profile_text(c.profile), "changed": _changed(before, c),
            "applies_from": f"{c.applies_from.year:04d}-{c.applies_from.month:02d}" if c.applies_from else "Alla månader",
            "changed_at": c.changed_at, "by": c.changed_by_name or c.changed_by or "Okänt",
            "reason": c.reason or "–"}


def _page(ctx: Context, client: str | None, *, errors: dict[str, str] | None = None,
          values: dict[str, Any] | None = None, status: int = 200) -> Page:
    who = member(ctx, ACTION)
    errors = dict(errors or {})
    found = None
    if client:
        found = classification(ctx.deps, who, client)
    this_month = month_of(stockholm_date(ctx.now))
    if found is not None and values is None:
        p = found.in_force
        values = {"omrade": p.area, "socialpsykiatri": p.social_psychiatry,
                  "felskott": list(p.mismanaged_terminations), "fran": this_month, "motivering": ""}
    hrefs = {"personnummer": "#personnummer", "omrade": "#k-omrade-standard", "fran": "#k-fran",
             "motivering": "#k-motivering", "felskott": "#k-felskott-1"}
    return Page("classification.html", {
        "title": page_title("Klassificering", error=bool(errors)), "nav": nav(ctx, PATH),
        "query": ctx.query.get("personnummer", "") if client is None else client,
        "client": client, "found": found, "areas": AREAS,
        "in_force": _profile_text(found.in_force) if found else None,
        "history": [_change_row(c, found.history[i - 1] if i else None)
                    for i, c in reversed(list(enumerate(found.history)))] if found else [],
        "decided_sp": found.decided_social_psychiatry if found else False,
        "terminations": list(found.record.terminations) if found else [],
        "values": values or {}, "this_month": this_month, "field_errors": errors,
        "errors": [ErrorLink(hrefs.get(k, "#"), t) for k, t in errors.items()],
        "action": ctx.url(PATH) + "?" + urllib.parse.urlencode({"personnummer": client or ""})}, status=status)


def page(ctx: Context) -> Page | Redirect:
    if ctx.method == "POST":
        return _change(ctx)
    member(ctx, ACTION)
    asked = ctx.query.get("personnummer", "").strip()
    if not asked:
        return _page(ctx, None)
    client = _pnr(asked)
    if client is None:
        return _page(ctx, None, errors={"personnummer": PNR_ERROR}, status=422)
    return _page(ctx, client)


def _change(ctx: Context) -> Page | Redirect:
    who = member(ctx, ACTION)
    client = _pnr(ctx.form.get("personnummer").strip())
    if client is None:
        return _page(ctx, None, errors={"personnummer": PNR_ERROR}, status=422)
    record = classification(ctx.deps, who, client).record
    values = {"omrade": ctx.form.get("omrade"), "socialpsykiatri": ctx.form.get("socialpsykiatri") == "ja",
              "felskott": [t for t in ctx.form.getlist("felskott") if t], "fran": ctx.form.get("fran").strip(),
              "motivering": ctx.form.get("motivering").strip()}
    errors: dict[str, str] = {}
    if values["omrade"] not in AREAS:
        errors["omrade"] = "Välj område: ingen, glesbygd eller ö."
    m = MONTH.match(values["fran"])
    if not m:
        errors["fran"] = "Skriv från vilken månad klassificeringen gäller som ÅÅÅÅ-MM, till exempel 2026-12."
    if any(t not in record.terminations for t in values["felskott"]):
        errors["felskott"] = "Välj bara bland klientens avslutade uppdrag i listan."
    reason = values["motivering"]
    if len(reason) < REASON_MIN:
        errors["motivering"] = "Skriv varför klassificeringen ändras, minst 3 tecken."
    elif len(reason) > REASON_MAX:
        errors["motivering"] = f"Motiveringen får vara högst {REASON_MAX} tecken."
    elif any(ord(c) < 32 and c not in "\r\n\t" for c in reason) or any(
            c in reason for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"):
        errors["motivering"] = "Motiveringen innehåller tecken som inte kan sparas."
    if errors:
        return _page(ctx, client, errors=errors, values=values, status=422)
    profile = ClientProfile(area=values["omrade"], social_psychiatry=values["socialpsykiatri"],
                            mismanaged_terminations=tuple(values["felskott"]))
    try:
        change_classification(ctx.deps, who, client, profile, date(int(m.group(1)), int(m.group(2)), 1),
                              " ".join(reason.split()))
    except Conflict:
        return _page(ctx, client, errors={"motivering": "Klientens uppgifter ändrades samtidigt. Inget sparades. "
                                                        "Försök igen."}, values=values, status=409)
    ctx.notice(f"Klassificeringen är ändrad från {values['fran']}.")
    return Redirect(ctx.url(PATH) + "?" + urllib.parse.urlencode({"personnummer": client}), status=303)
