"""PDFs of case work: the decision letter (beslutsmeddelande) and a message thread exported for
the journal, in the Unicode font of ``adapters/pdf.py`` (any name prints as written)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from ...adapters.pdf import line as _line
from ...adapters.pdf import new_pdf
from ...domain.calendar import local_minute as _local
from ...domain.granted import duration_sv
from ...domain.personnummer import Personnummer
from .domain.laws import decision_citation

APPEAL = ("Om du inte är nöjd med beslutet kan du överklaga det hos förvaltningsrätten. Skicka överklagandet "
          "till socialtjänsten inom tre veckor från den dag du fick del av beslutet.")


def _doc(title: str) -> Any:
    pdf = new_pdf(title)
    _line(pdf, title, bold=True, size=15, height=8)
    return pdf


def minutes_text(minutes: int) -> str:
    """Granted time in Swedish: "1 timme", "2 timmar 1 minut", "30 minuter" per month."""
    return f"{duration_sv(minutes)} per månad"


def decision_letter_pdf(*, case_number: str, client: Personnummer, client_name: str, decided_at: datetime,
                        decided_by: str, decisions: Iterable[Any], letter_text: str) -> bytes:
    pdf = _doc("Beslut")
    _line(pdf, f"Ärendenummer: {case_number}")
    _line(pdf, f"Datum: {_local(decided_at)}")
    _line(pdf, f"Till: {client_name} ({Personnummer(client).formatted})")
    pdf.ln(4)
    for d in decisions:
        _line(pdf, d.insats_label, bold=True, size=12)
        _line(pdf, f"{'Beviljas' if d.outcome == 'granted' else 'Avslås'} enligt {decision_citation(d)}.")
        if d.granted_minutes_per_month:
            _line(pdf, f"Beviljad tid: {minutes_text(d.granted_minutes_per_month)}")
        for part in getattr(d, "granted", None) or []:  # the time per home-care insats
            _line(pdf, f"- {part.insats_label}: {minutes_text(part.minutes_per_month)}")
        period = f"från och med {d.valid_from.isoformat()}"
        if d.valid_to:
            period += f" till och med {d.valid_to.isoformat()}"
        _line(pdf, f"Gäller {period}.")
        if d.motivation:
            _line(pdf, f"Motivering: {d.motivation}")
        pdf.ln(3)
    if letter_text:
        _line(pdf, letter_text)
        pdf.ln(3)
    _line(pdf, "Hur man överklagar", bold=True)
    _line(pdf, APPEAL)
    pdf.ln(3)
    _line(pdf, f"Handläggare: {decided_by}")
    return bytes(pdf.output())


def thread_pdf(*, subject: str, citizen: Personnummer, citizen_name: str, case_worker_name: str,
               case_number: str | None, messages: Iterable[Any], exported_at: datetime, exported_by: str) -> bytes:
    pdf = _doc(f"Meddelanden: {subject}")
    _line(pdf, f"Klient: {citizen_name} ({Personnummer(citizen).formatted})")
    _line(pdf, f"Handläggare: {case_worker_name}")
    if case_number:
        _line(pdf, f"Ärendenummer: {case_number}")
    _line(pdf, f"Utskrivet för journalföring {_local(exported_at)} av {exported_by}")
    pdf.ln(4)
    for m in messages:
        direction = "Från klienten" if m.from_party == "citizen" else "Till klienten"
        _line(pdf, f"{_local(m.sent_at)} - {direction} - {m.author_name}", bold=True)
        _line(pdf, f"Ämne: {m.subject}")
        if m.read_at:
            _line(pdf, f"Läst: {_local(m.read_at)}")
        pdf.ln(1)
        _line(pdf, m.body)
        for a in m.attachments:
            _line(pdf, f"Bilaga: {a.filename} ({a.size} byte)")
        pdf.ln(4)
    return bytes(pdf.output())
