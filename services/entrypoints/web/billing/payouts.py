"""Utbetalningar (``/personal/utbetalningar?manad=YYYY-MM``): the month's contact-person payouts per
person and assignment (fee, taxable; allowance and mileage, tax-free), totals, the approved reports
behind each line; finance approves the month for payment (``payouts.approve``, finance only: the
month is then locked, with who and when), and downloads the payroll system's import file of an
approved month (a month not approved has none: no preliminary file reaches payroll). Reports the case
worker approves after that are listed as not paid, and finance approves them in a supplementary round
(tilläggsutbetalning, round 2, 3, …), each round with who and when, its totals and its own file.
The ordering unit reads all of it and approves nothing."""
from __future__ import annotations

import urllib.parse
from typing import Any

from ....auth.policy import POLICY
from ....billing import payroll
from ....billing.usecases.payouts import approve_payouts, payout_month, payroll_file, payroll_filename
from ....domain.errors import NotFound
from ....domain.calendar import stockholm_date
from ....domain.errors import Conflict, ValidationFailed
from ..filters import kr, personnummer_shown
from ..formview import ErrorLink
from ..http import Context, Download, Page, Redirect
from ..months import MONTH, MONTH_ERROR, asked_month, month_before
from .common import member, nav, page_title

PATH = "/personal/utbetalningar"
KINDS = {"monthly": "Månadsrapport", "time": "Tidrapport"}


def _url(ctx: Context, month: str) -> str:
    return ctx.url(PATH) + "?" + urllib.parse.urlencode({"manad": month})


def _lines(view: Any, reports: dict[str, Any]) -> list[dict[str, Any]]:
    lines = []
    for line in view.lines:
        behind = [reports[c] for c in line.case_ids if c in reports]
        lines.append({"line": line, "pnr": personnummer_shown(line.contact_person),
                      "reports": [_report(r) for r in behind],
                      "missing": [c for c in line.case_ids if c not in reports]})
    return lines


def _report(r: Any) -> dict[str, Any]:
    return {"case_id": r.case_id, "kind": KINDS.get(r.kind, r.kind), "km": f"{r.km:.1f}".replace(".", ","),
            "approved_at": r.approved_at, "pnr": personnummer_shown(r.contact_person), "assignment_id": r.assignment_id}


def _file_url(ctx: Context, month: str, round_no: int) -> str:
    # round 1's file keeps the address it had before rounds
    return ctx.url(f"{PATH}/{month}/lonefil" if round_no == 1 else f"{PATH}/{month}/omgang/{round_no}/lonefil")


ERROR_ANCHORS = {"manad": "#manad", "attestera": "#attestera-fel", "tillagg": "#tillagg-fel"}


def _page(ctx: Context, month: str, *, errors: dict[str, str] | None = None, status: int = 200) -> Page:
    who = member(ctx, "payouts.read")
    errors = dict(errors or {})
    data = None if "manad" in errors else payout_month(ctx.deps, who, month)
    lines: list[dict[str, Any]] = []
    rounds: list[dict[str, Any]] = []
    unpaid: list[dict[str, Any]] = []
    if data is not None:
        lines = _lines(data.view, data.reports)
        rounds = [{"approval": a, "lines": _lines(a.payouts, data.reports), "file_url": _file_url(ctx, month, a.round),
                   "file_name": payroll_filename(month, a.round)} for a in data.rounds]
        unpaid = [_report(r) for r in data.after_approval]
    may_approve = who.role in POLICY["payouts.approve"]
    return Page("payouts.html", {
        "title": page_title(f"Utbetalningar {month}", error=bool(errors)), "nav": nav(ctx, PATH), "month": month,
        "data": data, "lines": lines, "rounds": rounds, "unpaid": unpaid,
        "next_round_no": len(rounds) + 1, "kr": kr, "may_approve": may_approve, "field_errors": errors,
        "errors": [ErrorLink(ERROR_ANCHORS.get(k, "#attestera-fel"), t) for k, t in errors.items()],
        "columns": COLUMN_DOCS, "lonearter": payroll.LONEARTER,
        "export_url": ctx.url(f"{PATH}/{month}/lonefil"), "approve_url": ctx.url(f"{PATH}/attestera")},
        status=status)


def page(ctx: Context) -> Page:
    member(ctx, "payouts.read")
    # by default the month just ended: the one to pay
    month, errors = asked_month(ctx, month_before(stockholm_date(ctx.now)))
    return _page(ctx, month, errors=errors, status=422) if errors else _page(ctx, month)


ROUND_ERROR = "Ange omgången som ett heltal, 1 eller högre."


def approve(ctx: Context) -> Page | Redirect:
    """Approves round 1 (the month) or, with ``omgang`` N > 1, the supplementary round N."""
    who = member(ctx, "payouts.approve")
    month = ctx.form.get("manad").strip()
    if not MONTH.match(month):
        return _page(ctx, month, errors={"manad": MONTH_ERROR}, status=422)
    asked = ctx.form.get("omgang", "1").strip() or "1"
    round_no = int(asked) if asked.isdigit() and len(asked) < 4 else 0
    key = "attestera" if round_no == 1 else "tillagg"
    if round_no < 1:
        return _page(ctx, month, errors={key: ROUND_ERROR}, status=422)
    try:
        approve_payouts(ctx.deps, who, month, round=round_no)
    except Conflict:
        text = (f"Utbetalningarna för {month} är redan attesterade. Inget nytt sparades." if round_no == 1 else
                f"Tilläggsutbetalningen omgång {round_no} för {month} är redan godkänd, av någon annan eller i "
                "en annan flik. Inget nytt sparades. Kontrollera sidan innan du godkänner igen.")
        return _page(ctx, month, errors={key: text}, status=409)
    except ValidationFailed as exc:
        fields = {e.field for e in exc.errors or []}
        if "lines" in fields:
            text = ("Månaden har inga godkända rapporter att betala ut." if round_no == 1 else
                    "Det finns inga rapporter godkända efter attesten att betala ut. Inget sparades.")
        elif "round" in fields:
            text = (f"Omgång {round_no} kan inte godkännas: godkänn de tidigare omgångarna för {month} först. "
                    "Inget sparades.")
        else:
            text = "Månaden är inte slut ännu. Utbetalningar attesteras när månaden är slut."
        return _page(ctx, month, errors={key: text}, status=422)
    ctx.notice(f"Utbetalningarna för {month} är attesterade för utbetalning och låsta." if round_no == 1 else
               f"Tilläggsutbetalningen omgång {round_no} för {month} är godkänd och låst. "
               "Lönefilen för omgången kan laddas ner.")
    return Redirect(_url(ctx, month), status=303)


def export(ctx: Context, month: str, round: str = "1") -> Download:  # noqa: A002
    """A round's payroll file (round 1 by the month's own address)."""
    who = member(ctx, "payouts.read")
    if not MONTH.match(month) or not round.isdigit() or len(round) > 3 or int(round) < 1:
        raise NotFound("no such month or round")
    f = payroll_file(ctx.deps, who, month, round=int(round))
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
    ("Attesterad av", "Vem som attesterade omgången för utbetalning."),
    ("Attesterad", "När, svensk tid."),
    ("Anmärkning", "”tilläggsutbetalning, omgång N” på en tilläggsutbetalnings rader; ”preliminärt belopp: …” när "
                   "ett årsvärde (prisbasbelopp, milersättning) ännu inte är känt."),
]
