"""The invoice basis and the payouts as files: CSV (Swedish column names and values, amounts in
kronor with a decimal comma, formula injection guarded) and the basis as a PDF a finance officer
can file (header with the provider's name and Swedish local time, lines, totals, rule pack and
version, page numbers) in the shared PDF helper's Unicode font (``adapters/pdf.py``; fpdf is
imported only when a PDF is made). Amounts computed with a figure not yet known for their year
say so ("preliminärt belopp" and the figure's year) wherever they are shown.

Here, not in ``adapters/``: rendering is pure (views in, bytes out; no store, no port to
implement), so the use cases call it directly and a back-office page can reuse it."""
from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import Any

from ..domain.calendar import swedish_local
from .domain.rules import PreliminaryAmount
from .schemas import InvoiceBasisView, PayoutView

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def kronor(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    return f"{sign}{abs(ore) // 100},{abs(ore) % 100:02d}"


def hours(minutes: int) -> str:
    return kronor(round(minutes * 100 / 60))  # two decimals, decimal comma


STATUS_SV = {"preliminary": "preliminärt", "final": "slutligt"}


def preliminary_note(amounts: list[PreliminaryAmount]) -> str:
    """``preliminärt belopp: prisbasbelopp 2026, milersättning 2025`` (empty when all are known)."""
    return ("preliminärt belopp: " + ", ".join(f"{a.figure} {a.figure_year}" for a in amounts)) if amounts else ""


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheet programs read UTF-8


BASIS_COLUMNS = ["Utförare", "Månad", "Status", "Version", "Kund", "Referenskod", "Beviljad tid (h)",
                 "Utförd tid (h)", "Ersättningsgrundande tid (h)", "Väntar på godkännande (h)", "Frånvaro (h)",
                 "Glesbygd (h)", "Ö (h)", "Belopp (kr)", "Besök", "Frånvaro-id", "Preliminärt belopp"]


def basis_csv(view: InvoiceBasisView) -> bytes:
    status, note = STATUS_SV[view.status], preliminary_note(view.preliminary_amounts)
    rows = [[view.provider_id, view.month, status, view.version or "", line.client, line.reference_code,
             hours(line.granted_minutes), hours(line.performed_minutes), hours(line.billable_minutes),
             hours(line.pending_approval_minutes), hours(line.absence_minutes), hours(line.rural_minutes),
             hours(line.island_minutes), kronor(line.amount_ore), len(line.visit_ids), " ".join(line.absence_ids), note]
            for line in view.lines]
    t = view.totals
    rows.append([view.provider_id, view.month, status, view.version or "", "Summa", "",
                 hours(t.granted_minutes), hours(t.performed_minutes), hours(t.billable_minutes),
                 hours(t.pending_approval_minutes), hours(t.absence_minutes), hours(t.rural_minutes),
                 hours(t.island_minutes), kronor(t.amount_ore), sum(len(x.visit_ids) for x in view.lines), "", note])
    rows += _review_rows(view)
    return _csv(BASIS_COLUMNS, rows)


ABSENCE_KINDS_SV = {"hospital": "sjukhus", "short_term_stay": "korttidsvistelse", "other": "övrigt",
                    "terminated": "avslutat uppdrag"}
UNVERIFIED_TITLE = "Ej attesterade besök (ingår inte i summan)"
ABSENCE_DAY_TITLE = "Besök på frånvarodag (faktureras en gång: godkänd besökstid före frånvaroersättning)"


def _exact_hours(minutes: str) -> str:
    """Hours of an exact fraction of minutes (a day's absence share), two decimals."""
    return kronor(round(Fraction(minutes) * 100 / 60))


def _confirmation_text(view: InvoiceBasisView) -> str | None:
    from ..domain.calendar import local_minute  # Swedish local time, as a reader expects

    c = view.unverified_confirmation
    if c is None:
        return None
    return (f"Slutligt trots ej attesterade besök ({c.unapproved_visits} ej godkända, {hours(c.unapproved_minutes)} h; "
            f"{c.awaiting_decision_visits} väntar på beslut, {hours(c.awaiting_decision_minutes)} h), bekräftat av "
            f"{c.confirmed_by} {local_minute(c.confirmed_at)}. Skäl: {c.reason}")


def _review_rows(view: InvoiceBasisView) -> list[list[Any]]:
    """What the basis does not bill (unverified visits) and what it bills once of two (a visit on
    a compensated absence day), each a section of its own below the totals."""
    rows: list[list[Any]] = []
    if view.unverified:
        rows += [[], [UNVERIFIED_TITLE], ["Kund", "Status", "Besök", "Tid (h)", "Besöks-id"]]
        rows += [[u.client, u.label, u.visits, hours(u.minutes), " ".join(u.visit_ids)] for u in view.unverified]
    if view.visits_on_absence_days:
        rows += [[], [ABSENCE_DAY_TITLE], ["Kund", "Dag", "Frånvaro-id", "Frånvaro", "Besök", "Besökstid (h)",
                                           "Fakturerad besökstid (h)", "Frånvaroersättning (h)", "Faktureras"]]
        rows += [[f.client, f.day.isoformat(), f.absence_id, ABSENCE_KINDS_SV.get(f.absence_kind, f.absence_kind),
                  " ".join(f.visit_ids), hours(f.visit_minutes), hours(f.billed_visit_minutes),
                  _exact_hours(f.compensation_minutes),
                  "besöket" if f.billed == "visit" else "frånvaroersättningen"] for f in view.visits_on_absence_days]
    confirmed = _confirmation_text(view)
    if confirmed:
        rows += [[], [confirmed]]
    return rows


PAYOUT_COLUMNS = ["Personnummer", "Uppdrag", "Månad", "Arvode (kr, skattepliktigt)", "Andel av prisbasbelopp/12",
                  "Omkostnadsersättning (kr, skattefri)", "Km", "Milersättning (kr, skattefri)",
                  "Skattepliktigt (kr)", "Skattefritt (kr)", "Totalt (kr)", "Ärenden", "Preliminärt belopp"]


def payouts_csv(view: PayoutView) -> bytes:
    note = preliminary_note(view.preliminary_amounts)
    rows = [[p.contact_person, p.assignment_id, p.month, kronor(p.fee_ore), p.fee_share_of_prisbasbelopp.replace(".", ","),
             kronor(p.allowance_ore), f"{p.km:.1f}".replace(".", ","), kronor(p.mileage_ore), kronor(p.taxable_ore),
             kronor(p.tax_free_ore), kronor(p.total_ore), " ".join(p.case_ids), note] for p in view.lines]
    return _csv(PAYOUT_COLUMNS, rows)


PDF_COLUMNS = (("Kund", 34), ("Ref.kod", 18), ("Beviljad h", 24), ("Utförd h", 24), ("Ers.grund. h", 24),
               ("Väntar h", 22), ("Frånvaro h", 22), ("Glesbygd h", 22), ("Ö h", 18), ("Belopp kr", 30),
               ("Besök", 16))


def basis_pdf(view: InvoiceBasisView, municipality_name: str) -> bytes:
    from ..adapters.pdf import font, new_pdf

    status = f"SLUTLIGT, version {view.version}" if view.status == "final" else "PRELIMINÄRT - ej slutligt"
    pack = f"{view.rule_pack.pack_id} {view.rule_pack.version}"
    title = f"Fakturaunderlag hemtjänst {view.month}"
    provider = f"{view.provider_name} ({view.provider_id})" if view.provider_name else view.provider_id
    note = preliminary_note(view.preliminary_amounts)

    def header(doc: Any) -> None:
        font(doc, 14, bold=True)
        doc.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        font(doc, 9)
        for text in (f"{municipality_name} - utförare {provider}",
                     f"Status: {status}. Spärrdatum {view.lock_date.isoformat()}. "
                     f"Beräknat {swedish_local(view.computed_at)}",
                     f"Ersättningsregler: {pack} (timersättning {kronor(view.rule_pack.hourly_rate_ore)} kr, "
                     f"glesbygdstillägg {kronor(view.rule_pack.rural_per_hour_ore)} kr/h, "
                     f"betalning {view.rule_pack.payment_terms_days} dagar efter inkommen faktura)"):
            doc.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        if note:  # on every page: each amount on it is preliminary
            font(doc, 9, bold=True)
            for amount in view.preliminary_amounts:
                doc.cell(0, 5, amount.text[:1].upper() + amount.text[1:], new_x="LMARGIN", new_y="NEXT")
        doc.ln(2)
        font(doc, 8, bold=True)
        for name, width in PDF_COLUMNS:
            doc.cell(width, 6, name, border="B", align="L" if name == "Kund" else "R")
        doc.ln()
        font(doc, 8)

    def footer(doc: Any) -> None:
        doc.set_y(-12)
        font(doc, 8)
        doc.cell(0, 6, f"{provider} {view.month} - {status} - {pack}", align="L")
        doc.cell(0, 6, f"Sida {doc.page_no()} av {{nb}}", align="R")

    pdf = new_pdf(title, orientation="L", header=header, footer=footer, first_page=False)
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()

    def row(values: list[str], bold: bool = False) -> None:
        font(pdf, 8, bold=bold)
        for (name, width), value in zip(PDF_COLUMNS, values):
            pdf.cell(width, 5, value, border="T" if bold else 0, align="L" if name == "Kund" else "R")
        pdf.ln()

    for line in view.lines:
        row([line.client, line.reference_code, hours(line.granted_minutes), hours(line.performed_minutes),
             hours(line.billable_minutes), hours(line.pending_approval_minutes), hours(line.absence_minutes),
             hours(line.rural_minutes), hours(line.island_minutes), kronor(line.amount_ore), str(len(line.visit_ids))])
    t = view.totals
    row([f"Summa ({t.clients} kunder)", "", hours(t.granted_minutes), hours(t.performed_minutes),
         hours(t.billable_minutes), hours(t.pending_approval_minutes), hours(t.absence_minutes),
         hours(t.rural_minutes), hours(t.island_minutes), kronor(t.amount_ore),
         str(sum(len(x.visit_ids) for x in view.lines))], bold=True)
    if view.difference_totals:
        pdf.ln(3)
        font(pdf, 9, bold=True)
        pdf.cell(0, 5, f"Rättelse av version {view.corrects_version}: belopp "
                       f"{kronor(view.difference_totals.get('amount_ore', 0))} kr", new_x="LMARGIN", new_y="NEXT")
    _pdf_review(pdf, view)
    return bytes(pdf.output())


def _pdf_review(pdf: Any, view: InvoiceBasisView) -> None:
    """The CSV's sections below the totals: unverified visits, visits on absence days, finance's word."""
    from ..adapters.pdf import font

    def title(text: str) -> None:
        pdf.ln(3)
        font(pdf, 9, bold=True)
        pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        font(pdf, 8)

    if view.unverified:
        title(UNVERIFIED_TITLE)
        for u in view.unverified:
            pdf.cell(0, 5, f"{u.client}   {u.label}   {u.visits} besök   {hours(u.minutes)} h",
                     new_x="LMARGIN", new_y="NEXT")
    if view.visits_on_absence_days:
        title(ABSENCE_DAY_TITLE)
        for f in view.visits_on_absence_days:
            pdf.cell(0, 5, f"{f.client}   {f.day.isoformat()}   {ABSENCE_KINDS_SV.get(f.absence_kind, f.absence_kind)} "
                           f"({f.absence_id})   besök {hours(f.visit_minutes)} h, fakturerat "
                           f"{hours(f.billed_visit_minutes)} h   frånvaroersättning "
                           f"{_exact_hours(f.compensation_minutes)} h   {f.label}",
                     new_x="LMARGIN", new_y="NEXT")
    confirmed = _confirmation_text(view)
    if confirmed:
        title("Slutligt trots ej attesterade besök")
        pdf.multi_cell(0, 5, confirmed, new_x="LMARGIN", new_y="NEXT")
