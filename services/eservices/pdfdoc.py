"""How the e-services and case work make PDFs (receipts, decision letters, thread exports).

The text is set in DejaVu Sans, vendored in ``fonts/`` with its licence (Bitstream Vera terms:
free to embed and redistribute) and embedded as a subset in each PDF, so any name prints as it is
written ("Łukasz", "Åsa", "Nguyễn") on any machine, with or without fonts installed. fpdf is
imported here, when a PDF is made, never when a Lambda starts.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..domain.calendar import local_minute as local_time  # noqa: F401 - the letters' name for it

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"


def new_pdf(title: str) -> Any:
    """An A4 document with the Unicode font registered and a first page."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_creator("Insats")
    pdf.add_page()
    return pdf


def line(pdf: Any, text: Any, *, bold: bool = False, size: int = 10, height: float = 5) -> None:
    """A paragraph that wraps at the margin."""
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, height, str(text), new_x="LMARGIN", new_y="NEXT")
