"""PDFs print any name as written (an embedded Unicode font), and making none costs nothing at
a Lambda's start (fpdf is imported only when a PDF is made)."""
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from services.eservices.domain.cases import Decision
from services.eservices.casework.letters import decision_letter_pdf, thread_pdf
from services.eservices.domain.forms import get_form
from services.eservices.usecases.submission_pdf import submission_pdf
from tests.support.pdf import pdf_text
from tests.support.people import new_pnr

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 10, 20, 12, 0, tzinfo=timezone.utc)


def prints(pdf: bytes, *texts: str) -> bool:
    """Does a reader extract each of ``texts`` from the PDF, set in an embedded TrueType font?"""
    text = pdf_text(pdf)
    return b"/FontFile2" in pdf and all(t in text for t in texts)


def test_a_receipt_prints_a_name_outside_latin_1():
    pnr = new_pnr()
    answers = {"ansokan": {"area": "sol_aldre", "sol_insats": "hemtjanst", "need": "Hjälp – städning"},
               "om_dig": {"personnummer": pnr, "first_name": "Łukasz", "last_name": "Nguyễn", "confirm": True}}
    pdf = submission_pdf(get_form("support-application"), case_number="2026-000001", submitted_at="2026-10-20 14:00",
                         answers=answers, computed={}, computed_labels={})
    assert pdf.startswith(b"%PDF")
    assert prints(pdf, "Łukasz", "Nguyễn", "Hjälp – städning")
    assert "?ukasz" not in pdf_text(pdf)


def test_letters_and_thread_exports_use_the_same_font():
    d = Decision(decision_id="d", insats="hemtjanst", insats_label="Hemtjänst insatser", law="SoL",
                 outcome="granted", granted_minutes_per_month=60, valid_from=date(2026, 1, 1), decided_at=NOW,
                 decided_by="Marita", motivation="Behov")
    letter = decision_letter_pdf(case_number="2026-000001", client=new_pnr(), client_name="Łukasz Żółć",
                                 decided_at=NOW, decided_by="Marita", decisions=[d], letter_text="")
    export = thread_pdf(subject="Ärende", citizen=new_pnr(), citizen_name="Łukasz", case_worker_name="M",
                        case_number=None, messages=[], exported_at=NOW, exported_by="M")
    assert prints(letter, "Łukasz Żółć", "1 timme per månad") and prints(export, "Klient: Łukasz")


def test_the_vendored_font_comes_with_its_licence():
    fonts = ROOT / "services" / "adapters" / "fonts"
    assert {p.name for p in fonts.iterdir()} >= {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"}
    assert "Bitstream" in (fonts / "LICENSE").read_text()


def test_starting_the_eservices_app_does_not_import_fpdf():
    code = ("import sys; sys.path[:0] = ['.', 'eservices_svc']; import app; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fpdf', 'fontTools', 'PIL')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
