"""How Insats makes PDFs (receipts, decision letters, thread exports, invoice bases).

The text is set in DejaVu Sans, vendored in ``fonts/`` with its licence (Bitstream Vera terms:
free to embed and redistribute) and embedded as a subset in each PDF, so any name prints as it is
written ("Łukasz", "Åsa", "Nguyễn") on any machine, with or without fonts installed. fpdf is
imported here, when a PDF is made, never when a Lambda starts.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"

Painter = Callable[[Any], None]


def new_pdf(title: str, *, orientation: str = "P", header: Painter | None = None,
            footer: Painter | None = None, first_page: bool = True) -> Any:
    """An A4 document with the Unicode font registered (and a first page unless told otherwise);
    ``header``/``footer`` paint each page's top and bottom, given the document."""
    from fpdf import FPDF

    class Document(FPDF):
        def header(self) -> None:
            if header is not None:
                header(self)

        def footer(self) -> None:
            if footer is not None:
                footer(self)

    pdf = Document(orientation=orientation, format="A4")
    pdf.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_creator("Insats")
    if first_page:
        pdf.add_page()
    return pdf


def font(pdf: Any, size: float, *, bold: bool = False) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)


def line(pdf: Any, text: Any, *, bold: bool = False, size: int = 10, height: float = 5) -> None:
    """A paragraph that wraps at the margin."""
    font(pdf, size, bold=bold)
    pdf.multi_cell(0, height, str(text), new_x="LMARGIN", new_y="NEXT")
