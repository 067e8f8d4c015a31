"""Fakturaunderlag (``/personal/fakturaunderlag``): every provider's invoice basis of a month for
finance and the ordering unit, read through billing's own use cases (``invoice_basis``,
``finalize``, ``reconcile``) as the API serves them.

- The month: each provider with its status (preliminärt, or slutligt version N: when and by whom),
  totals and the lock date, a link to each.
- One provider's month: status, version, lock date, rule pack (and its "preliminärt belopp"
  marks), a line per client with the reference code, hours, amounts, supplements and absence
  compensation; totals; the basis as CSV and PDF (served here, with the session); "Gör slutligt"
  after the lock date (before it, a page naming the lock date), with finance's reason when visits
  of the month are not verified (an error summary when it is missing: 422, nothing stored).
- Versions: every final version, and the difference between two of them (or a version and the
  figures as they are now), client by client (``billing.domain.versions``).
- Reconciliation against the provider's invoice (``reconcile.py``)."""
from __future__ import annotations

import re
import urllib.parse
from datetime import date
from typing import Any

from ....billing.domain.versions import compare
from ....billing.exports import kronor
from ....billing.usecases.invoice_basis import invoice_basis
from ....domain.calendar import is_month_open, lock_date, stockholm_date
from ....domain.errors import NotFound
from ..filters import kr
from ..formview import ErrorLink
from ..http import Context, Download, Page, Redirect
from ..months import MONTH, MONTH_ERROR, asked_month, month_fields, month_of
from .common import member, nav, page_title

PAGE = "/personal/fakturaunderlag"
_PROVIDER = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
STATUS = {"preliminary": "Preliminärt", "final": "Slutligt"}
ROLE_SV = {"finance": "ekonomi", "ordering_unit": "beställarenheten"}
FIGURES = {
    "granted_minutes": "Beviljad tid", "performed_minutes": "Utförd tid",
    "billable_minutes": "Ersättningsgrundande tid", "absence_minutes": "Frånvaroersättning (tid)",
    "pending_approval_minutes": "Väntar på godkännande", "unapproved_minutes": "Ej godkänt",
    "awaiting_decision_minutes": "Väntar på beslut", "visits_amount_ore": "Belopp för besök",
    "absence_amount_ore": "Belopp för frånvaro", "rural_supplement_ore": "Glesbygdstillägg",
    "amount_ore": "Belopp",
}
CODES = {"780201": "65 år eller äldre", "350101": "under 65 år", "333601": "under 65 år, socialpsykiatri"}


# -- formatting ------------------------------------------------------------------------------

def h(minutes: int) -> str:
    """Minutes as hours with two decimals: ``95`` → ``1,58 h``."""
    return kronor(round(minutes * 100 / 60)) + "\u00a0h"


def figure(name: str, value: int) -> str:
    return kr(value) if name.endswith("_ore") else h(value)


def signed(name: str, value: int) -> str:
    return ("+" if value > 0 else "") + figure(name, value)


def who_label(actor: str | None) -> str:
    """``finance:ekonomi-fia`` → ``ekonomi-fia (ekonomi)``."""
    if not actor:
        return ""
    role, _, ident = actor.partition(":")
    return f"{ident} ({ROLE_SV.get(role, role)})" if ident else actor


def status_text(view: Any) -> str:
    return f"Slutligt, version {view.version}" if view.status == "final" else "Preliminärt"


# -- the month and the provider in the address -------------------------------------------------

def basis_url(ctx: Context, provider_id: str, month: str, tail: str = "") -> str:
    return ctx.url(f"{PAGE}/{urllib.parse.quote(provider_id)}/{month}{tail}")


def _bad_address(month: str) -> Page:
    return Page("error.html", {"title": page_title("Fel månad i adressen", error=True),
                               "heading": "Månaden i adressen går inte att använda",
                               "text": f"”{month}” är ingen månad. {MONTH_ERROR}"}, status=422)


def check_address(provider_id: str, month: str) -> Page | None:
    """A provider id no provider can have: 404; a month that is none: a 422 page saying so."""
    if not _PROVIDER.match(provider_id or ""):
        raise NotFound("no such provider")
    return None if MONTH.match(month or "") else _bad_address(month)


def read_basis(ctx: Context, who: Any, provider_id: str, month: str, version: int | None = None,
               current: bool = False) -> Any:
    """The basis as the API shows it; 404 when billing knows nothing of the provider that month."""
    view = invoice_basis(ctx.deps, who, provider_id, month, version, current)
    if not view.lines and not view.versions and not view.unverified and view.provider_name is None:
        raise NotFound("nothing of the provider's month")
    return view


def provider_label(view: Any) -> str:
    return f"{view.provider_name} ({view.provider_id})" if view.provider_name else view.provider_id


# -- the month: every provider --------------------------------------------------------------

def month_list(ctx: Context) -> Page:
    who = member(ctx, "billing.read")
    month, errors = asked_month(ctx, month_of(stockholm_date(ctx.now)))
    base = {"nav": nav(ctx, PAGE), **month_fields(month, errors), "rows": [], "lock_date": None}
    if errors:
        return Page("basis_month.html", {**base, "title": page_title("Fakturaunderlag", error=True)}, status=422)
    year, mm = int(month[:4]), int(month[5:])
    rows, totals = [], {"clients": 0, "billable": 0, "absence": 0, "amount": 0}
    for provider in ctx.deps.store.providers(year, mm):
        view = invoice_basis(ctx.deps, who, provider, month)
        t = view.totals
        rows.append({"id": provider, "name": view.provider_name or provider, "link": basis_url(ctx, provider, month),
                     "status": status_text(view), "final": view.status == "final",
                     "finalized": (view.computed_at, who_label(view.finalized_by)) if view.status == "final" else None,
                     "clients": t.clients, "billable": h(t.billable_minutes), "absence": h(t.absence_minutes),
                     "amount": kr(t.amount_ore), "unverified": sum(u.visits for u in view.unverified)})
        totals["clients"] += t.clients
        totals["billable"] += t.billable_minutes
        totals["absence"] += t.absence_minutes
        totals["amount"] += t.amount_ore
    locks = lock_date(year, mm)
    return Page("basis_month.html", {
        **base, "title": page_title(f"Fakturaunderlag {month}"), "rows": rows, "lock_date": locks,
        "lock_passed": not is_month_open(year, mm, ctx.now),
        "totals": {"clients": totals["clients"], "billable": h(totals["billable"]), "absence": h(totals["absence"]),
                   "amount": kr(totals["amount"])}})


# -- one provider's basis -------------------------------------------------------------------

def _line(line: Any) -> dict[str, Any]:
    return {"client": line.client, "code": line.reference_code, "code_text": CODES.get(line.reference_code, ""),
            "area": {"rural": "Glesbygd", "island": "Ö"}.get(line.area, ""),
            "granted": h(line.granted_minutes), "performed": h(line.performed_minutes),
            "billable": h(line.billable_minutes), "pending": h(line.pending_approval_minutes),
            "absence": h(line.absence_minutes), "visits_amount": kr(line.visits_amount_ore),
            "absence_amount": kr(line.absence_amount_ore), "rural": kr(line.rural_supplement_ore),
            "amount": kr(line.amount_ore), "visits": len(line.visit_ids)}


def basis_context(ctx: Context, view: Any, **extra: Any) -> dict[str, Any]:
    year, mm = int(view.month[:4]), int(view.month[5:])
    t = view.totals
    suffix = f"?version={view.version}" if view.version else ""
    return {
        "nav": nav(ctx, PAGE), "view": view, "provider": provider_label(view), "status": status_text(view),
        "finalized_by": who_label(view.finalized_by), "lines": [_line(x) for x in view.lines],
        "totals": {"clients": t.clients, "granted": h(t.granted_minutes), "performed": h(t.performed_minutes),
                   "billable": h(t.billable_minutes), "pending": h(t.pending_approval_minutes),
                   "absence": h(t.absence_minutes), "visits_amount": kr(t.visits_amount_ore),
                   "absence_amount": kr(t.absence_amount_ore), "rural": kr(t.rural_supplement_ore),
                   "amount": kr(t.amount_ore), "visits": sum(len(x.visit_ids) for x in view.lines)},
        "rate": kr(view.rule_pack.hourly_rate_ore), "rural_rate": kr(view.rule_pack.rural_per_hour_ore),
        "unverified": [{"client": u.client, "label": u.label, "visits": u.visits, "minutes": h(u.minutes)}
                       for u in view.unverified],
        "unverified_visits": sum(u.visits for u in view.unverified),
        "lock_passed": not is_month_open(year, mm, ctx.now),
        "csv_url": basis_url(ctx, view.provider_id, view.month, "/fakturaunderlag.csv") + suffix,
        "pdf_url": basis_url(ctx, view.provider_id, view.month, "/fakturaunderlag.pdf") + suffix,
        "final_url": basis_url(ctx, view.provider_id, view.month, "/gor-slutligt"),
        "versions_url": basis_url(ctx, view.provider_id, view.month, "/versioner"),
        "reconcile_url": basis_url(ctx, view.provider_id, view.month, "/avstamning"),
        "month_url": ctx.url(PAGE) + "?" + urllib.parse.urlencode({"manad": view.month}),
        "reason": "", "field_errors": {}, "errors": [], **extra}


def _version(ctx: Context) -> int | None:
    asked = ctx.query.get("version", "").strip()
    if not asked:
        return None
    if not asked.isdigit() or not 1 <= int(asked) <= 10_000:
        raise NotFound("no such version")
    return int(asked)


def provider_basis(ctx: Context, provider_id: str, month: str) -> Page:
    who = member(ctx, "billing.read")
    bad = check_address(provider_id, month)
    if bad:
        return bad
    view = read_basis(ctx, who, provider_id, month, _version(ctx))
    return Page("basis.html", {**basis_context(ctx, view),
                               "title": page_title(f"Fakturaunderlag {provider_label(view)} {month}")})


def basis_file(ctx: Context, provider_id: str, month: str, kind: str) -> Download | Page:
    from ....billing.usecases.invoice_basis import basis_file as make

    who = member(ctx, "billing.read")
    bad = check_address(provider_id, month)
    if bad:
        return bad
    read_basis(ctx, who, provider_id, month)  # 404 for a provider billing does not know
    made = make(ctx.deps, who, provider_id, month, kind, _version(ctx))
    return Download(filename=made.filename, content_type=made.content_type, body=made.body)


def csv_file(ctx: Context, provider_id: str, month: str) -> Download | Page:
    return basis_file(ctx, provider_id, month, "csv")


def pdf_file(ctx: Context, provider_id: str, month: str) -> Download | Page:
    return basis_file(ctx, provider_id, month, "pdf")


# -- making it final ------------------------------------------------------------------------

REASON_ERROR = "Skriv varför underlaget görs slutligt fast alla besök inte är attesterade (3–500 tecken)."


def finalize(ctx: Context, provider_id: str, month: str) -> Page | Redirect:
    """"Gör slutligt": refused with the lock date before it has passed; with finance's reason when
    visits are not verified (none given: the basis again with an error summary, 422, nothing stored)."""
    from ....billing.usecases.finalize import BeforeLockDate, UnverifiedVisits, finalize as make_final

    who = member(ctx, "billing.finalize")
    bad = check_address(provider_id, month)
    if bad:
        return bad
    view = read_basis(ctx, who, provider_id, month)
    if is_month_open(int(month[:4]), int(month[5:]), ctx.now):
        return _before_lock_date(ctx, view)
    reason = " ".join(ctx.form.get("motivering").split())
    needs_reason = bool(view.unverified)
    if needs_reason:
        member(ctx, "billing.finalize_unverified")
        if not _reason_ok(reason):
            return _refused(ctx, view, {"motivering": REASON_ERROR}, reason)
    try:
        made = make_final(ctx.deps, who, provider_id, month, reason if needs_reason else None)
    except BeforeLockDate:
        return _before_lock_date(ctx, view)
    except UnverifiedVisits:
        return _refused(ctx, view, {"motivering": REASON_ERROR}, reason, first=True)
    ctx.notice(f"Underlaget för {month} är slutligt, version {made.version}.")
    return Redirect(basis_url(ctx, provider_id, month))


def _before_lock_date(ctx: Context, view: Any) -> Page:
    locks = lock_date(int(view.month[:4]), int(view.month[5:]))
    return Page("basis.html", {
        **basis_context(ctx, view), "title": page_title(f"Fakturaunderlag {provider_label(view)} {view.month}",
                                                        error=True),
        "refusal": f"Underlaget kan göras slutligt efter spärrdatum {locks.isoformat()}. Till och med den dagen kan "
                   "besöken för månaden fortfarande registreras och ändras."}, status=409)


def _reason_ok(reason: str) -> bool:
    from pydantic import ValidationError

    from ....billing.schemas import FinalizeUnverifiedRequest

    try:
        FinalizeUnverifiedRequest(reason=reason)
    except ValidationError:
        return False
    return True


def _refused(ctx: Context, view: Any, errors: dict[str, str], reason: str, first: bool = False) -> Page:
    """The basis with the reason's field: the first time (no reason asked yet) a question, 422 either way."""
    shown = {"motivering": ("Det finns besök som inte är attesterade. Skriv varför underlaget ändå ska göras "
                            "slutligt.") if first else errors["motivering"]}
    return Page("basis.html", {
        **basis_context(ctx, view, reason=reason, ask_reason=True, field_errors=shown,
                        errors=[ErrorLink("#motivering", shown["motivering"])]),
        "title": page_title(f"Fakturaunderlag {provider_label(view)} {view.month}", error=True)}, status=422)


# -- versions and their difference ------------------------------------------------------------

def _which(ctx: Context, name: str, versions: list[int], default: int | str | None) -> int | str | None:
    asked = ctx.query.get(name, "").strip()
    if not asked:
        return default
    if asked == "nu":
        return "nu"
    if asked.isdigit() and int(asked) in versions:
        return int(asked)
    raise NotFound(f"no version {asked}")


def versions(ctx: Context, provider_id: str, month: str) -> Page:
    """Every final version, and the difference between two (``fran`` and ``till``: a version number or
    ``nu``, the figures as they are now)."""
    who = member(ctx, "billing.read")
    bad = check_address(provider_id, month)
    if bad:
        return bad
    latest = read_basis(ctx, who, provider_id, month)
    numbers = latest.versions
    finals = [invoice_basis(ctx.deps, who, provider_id, month, n) for n in numbers]
    rows = [{"version": f.version, "at": f.computed_at, "by": who_label(f.finalized_by),
             "amount": kr(f.totals.amount_ore),
             "clients": f.totals.clients, "link": basis_url(ctx, provider_id, month) + f"?version={f.version}",
             "reason": f.unverified_confirmation.reason if f.unverified_confirmation else None} for f in finals]
    frm = _which(ctx, "fran", numbers, numbers[-2] if len(numbers) >= 2 else (numbers[-1] if numbers else None))
    to = _which(ctx, "till", numbers, numbers[-1] if len(numbers) >= 2 else ("nu" if numbers else None))
    diff = None
    if frm is not None and to is not None:
        def pick(which: int | str) -> Any:
            return (invoice_basis(ctx.deps, who, provider_id, month, current=True) if which == "nu"
                    else finals[numbers.index(which)])
        old, new = pick(frm), pick(to)
        d = compare(_as_basis(old), _as_basis(new))
        diff = {"from": _version_name(frm), "to": _version_name(to), "same": d.same,
                "rule_packs": (d.rule_pack_before, d.rule_pack_after),
                "lines": [{"client": x.client, "kind": {"added": "Ny i underlaget", "removed": "Borta ur underlaget",
                                                        "changed": "Ändrad"}[x.kind],
                           "code": (f"{x.code_before or '–'} → {x.code_after or '–'}"
                                    if x.code_before != x.code_after else x.code_after),
                           "code_changed": x.code_before != x.code_after,
                           "figures": [{"label": FIGURES[f.figure], "before": figure(f.figure, f.before),
                                        "after": figure(f.figure, f.after), "diff": signed(f.figure, f.difference)}
                                       for f in x.figures]} for x in d.lines],
                "totals": [{"label": FIGURES[f.figure], "before": figure(f.figure, f.before),
                            "after": figure(f.figure, f.after), "diff": signed(f.figure, f.difference)}
                           for f in d.totals]}
    choices = [{"value": str(n), "label": f"Version {n}"} for n in numbers] + \
        [{"value": "nu", "label": "Som det ser ut nu (preliminärt)"}]
    return Page("basis_versions.html", {
        "title": page_title(f"Versioner av fakturaunderlaget {provider_label(latest)} {month}"),
        "nav": nav(ctx, PAGE), "view": latest, "provider": provider_label(latest), "rows": rows, "diff": diff,
        "choices": choices, "frm": str(frm) if frm is not None else "", "to": str(to) if to is not None else "",
        "basis_link": basis_url(ctx, provider_id, month), "action": basis_url(ctx, provider_id, month, "/versioner")})


def _version_name(which: int | str) -> str:
    return "som det ser ut nu" if which == "nu" else f"version {which}"


def _as_basis(view: Any) -> Any:
    from ....billing.domain.basis import Basis

    return Basis(provider_id=view.provider_id, month=view.month, rule_pack=view.rule_pack, lines=view.lines,
                 totals=view.totals, preliminary_amounts=view.preliminary_amounts)


def today(ctx: Context) -> date:
    return stockholm_date(ctx.now)
