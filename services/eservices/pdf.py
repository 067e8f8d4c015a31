"""The printable copy of a submission (kvittens): what was submitted, step by step.

fpdf2's core fonts cover Latin-1, which has every Swedish letter; anything else is replaced.
"""
from __future__ import annotations

from typing import Any

from fpdf import FPDF

from .forms.engine import FormDefinition, preview


def _latin1(text: str) -> str:
    return text.replace("\u2013", "-").replace("\u2014", "-").encode("latin-1", "replace").decode("latin-1")


def submission_pdf(form: FormDefinition, *, case_number: str, submitted_at: str, answers: dict[str, Any],
                   computed: dict[str, Any], computed_labels: dict[str, str]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"{form.title} {case_number}"))
    pdf.set_creator("Insats")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, _latin1(form.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _latin1(f"Ärendenummer: {case_number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, _latin1(f"Inskickat: {submitted_at}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for step in preview(form, answers, []):
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, _latin1(step["title"]), new_x="LMARGIN", new_y="NEXT")
        for f in step["fields"]:
            pdf.set_font("Helvetica", "B", 9)
            pdf.multi_cell(0, 5, _latin1(f["label"]), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5, _latin1(f["value"] or "-"), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        pdf.ln(2)
    if computed:
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, "Beräknat", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for name, value in computed.items():
            pdf.multi_cell(0, 5, _latin1(f"{computed_labels.get(name, name)}: {value}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
