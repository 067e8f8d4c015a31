"""The printable copy of a submission (kvittens): what was submitted, step by step."""
from __future__ import annotations

from typing import Any

from ...adapters.pdf import line, new_pdf
from ..domain.forms.engine import FormDefinition, preview


def submission_pdf(form: FormDefinition, *, case_number: str, submitted_at: str, answers: dict[str, Any],
                   computed: dict[str, Any], computed_labels: dict[str, str]) -> bytes:
    pdf = new_pdf(f"{form.title} {case_number}")
    line(pdf, form.title, bold=True, size=15, height=8)
    line(pdf, f"Ärendenummer: {case_number}", height=6)
    line(pdf, f"Inskickat: {submitted_at}", height=6)
    pdf.ln(4)
    for step in preview(form, answers, []):
        line(pdf, step["title"], bold=True, size=12, height=8)
        for f in step["fields"]:
            line(pdf, f["label"], bold=True, size=9)
            line(pdf, f["value"] or "-")
            pdf.ln(1)
        pdf.ln(2)
    if computed:
        line(pdf, "Beräknat", bold=True, size=12, height=8)
        for name, value in computed.items():
            line(pdf, f"{computed_labels.get(name, name)}: {value}")
    return bytes(pdf.output())
