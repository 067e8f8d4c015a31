"""Utbetalningar (``/personal/utbetalningar?manad=YYYY-MM``): the month's contact-person payouts per
person and assignment (fee, taxable; allowance and mileage, tax-free), totals, the approved reports
behind each line; finance approves the month for payment (``payouts.approve``, finance only: the
month is then locked, with who and when), and downloads the payroll system's import file of an
approved month (a month not approved has none: no preliminary file reaches payroll)."""
from __future__ import annotations

import urllib.parse
from typing import Any

from ....auth.policy import POLICY
from ....billing import payroll
from ....billing.usecases.payouts import approve_payouts, payout_month, payroll_file
from ....domain.calendar import stockholm_date
from ....domain.errors import Conflict, ValidationFailed
from ..formview import ErrorLink
from ..http import Context, Download, Page, Redirect
from ..months import MONTH, MONTH_ERROR, asked_month, month_before
from .common import member, nav, page_title

PATH = "/personal/utbetalningar"
KINDS = {"monthly": "Månadsrapport", "time": "Tidrapport"}


def kr(ore: int) -> str:
    sign = "−" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{cents:02d}\u00a0kr"


def _url(ctx: Context, month: str) -> str:
    return ctx.url(PATH) + "?" + urllib.parse.urlencode({"manad": month})


def _page(ctx: Context, month: str, *, errors: dict[str, str] | None = None, status: int = 200) -> Page:
    who = member(ctx, "payouts.read")
    errors = dict(errors or {})
    data = None if "manad" in errors else payout_month(ctx.deps, who, month)
    lines: list[dict[str, Any]] = []
    if data is not None:
        for line in data.view.lines:
            reports = [data.reports[c] for c in line.case_ids if c in data.reports]
            lines.append({"line": line, "pnr": line.contact_person,
                          "reports": [{"case_id": r.case_id, "kind": KINDS.get(r.kind, r.kind),
                                       "km": f"{r.km:.1f}".replace(".", ","), "approved_at": r.approved_at}
                                      for r in reports],
                          "missing": [c for c in line.case_ids if c not in data.reports]})
    may_approve = who.role in POLICY["payouts.approve"]
    return Page("payouts.html", {
        "title": page_title(f"Utbetalningar {month}", error=bool(errors)), "nav": nav(ctx, PATH), "month": month,
        "data": data, "lines": lines, "kr": kr, "may_approve": may_approve, "field_errors": errors,
        "errors": [ErrorLink("#manad" if k == "manad" else "#attestera-fel", t) for k, t in errors.items()],
        "columns": COLUMN_DOCS, "lonearter": payroll.LONEARTER,
        "export_url": ctx.url(f"{PATH}/{month}/lonefil"), "approve_url": ctx.url(f"{PATH}/attestera")},
        status=status)


def page(ctx: Context) -> Page:
    member(ctx, "payouts.read")
    # by default the month just ended: the one to pay
    month, errors = asked_month(ctx, month_before(stockholm_date(ctx.now)))
    return _page(ctx, month, errors=errors, status=422) if errors else _page(ctx, month)


def approve(ctx: Context) -> Page | Redirect:
    who = member(ctx, "payouts.approve")
    month = ctx.form.get("manad").strip()
    if not MONTH.match(month):
        return _page(ctx, month, errors={"manad": MONTH_ERROR}, status=422)
    try:
        approve_payouts(ctx.deps, who, month)
    except Conflict:
        return _page(ctx, month, errors={"attestera": f"Utbetalningarna för {month} är redan attesterade. "
                                                      "Inget nytt sparades."}, status=409)
    except ValidationFailed as exc:
        nothing = any(e.field == "lines" for e in exc.errors or [])
        text = ("Månaden har inga godkända rapporter att betala ut." if nothing else
                "Månaden är inte slut ännu. Utbetalningar attesteras när månaden är slut.")
        return _page(ctx, month, errors={"attestera": text}, status=422)
    ctx.notice(f"Utbetalningarna för {month} är attesterade för utbetalning och låsta.")
    return Redirect(_url(ctx, month), status=303)


def export(ctx: Context, month: str) -> Download:
    who = member(ctx, "payouts.read")
    if not MONTH.match(month):
        from ....domain.errors import NotFound

        raise NotFound("no such month")
    f = payroll_file(ctx.deps, who, month)
    body = f.body.decode("utf-8") if isinstance(f.body, bytes) else f.body
    return Download(filename=f.filename, content_type=f.content_type, body=body)


COLUMN_DOCS = [
    ("Personnummer", "Kontaktpersonens personnummer, ÅÅÅÅMMDD-NNNN: lönesystemet känner igen personen på det."),
    ("Period", "Månaden som ersättningen avser, ÅÅÅÅ-MM."),
    ("Löneart", "Insats egen kod: KP-ARVODE, KP-OMKOST eller KP-MILERS. Kopplas till lönesystemets egna lönearter."),
    ("Benämning", "Lönearten i klartext."),
    ("Antal", "1 för arvode och omkostnadsersättning, antal km för milersättning (en decimal)."),
    ("Enhet", "st eller km."),
    ("À-pris (kr)", "Belopp per enhet i kronor med två decimaler och decimalkomma."),
    ("Belopp (kr)", "Raden att betala ut, kronor med två decimaler och decimalkomma."),
    ("Skattepliktig", "Ja för arvode (skatt och arbetsgivaravgift), Nej för omkostnadsersättning och skattefri milersättning."),
    ("Uppdrag", "Uppdragets id i Insats."),
    ("Underlag (ärenden)", "De godkända rapporternas ärenden, med mellanslag emellan."),
    ("Attesterad av", "Vem som attesterade månaden för utbetalning."),
    ("Attesterad", "När, svensk tid."),
    ("Anmärkning", "”preliminärt belopp: …” när ett årsvärde (prisbasbelopp, milersättning) ännu inte är känt."),
]
