"""A file a use case made (an export) as an HTTP answer: an attachment, never cached; a text file's
bytes go out as text (Chalice would send bytes only as a binary type), a PDF's as bytes."""
from services.domain.results import FileResult
from services.entrypoints.files import render_file


def test_a_csv_made_as_bytes_goes_out_as_text_with_its_type_and_name():
    csv = "\ufeffKund;Belopp\n19400101-0000;1 234,50\n".encode("utf-8")
    got = render_file(FileResult(filename="fakturaunderlag.csv", content_type="text/csv; charset=utf-8", body=csv))
    assert got.status_code == 200 and got.body == csv.decode("utf-8")
    assert got.headers == {"Cache-Control": "private, no-store", "Content-Type": "text/csv; charset=utf-8",
                           "Content-Disposition": 'attachment; filename="fakturaunderlag.csv"'}


def test_a_pdf_goes_out_as_its_bytes():
    got = render_file(FileResult(filename="fakturaunderlag.pdf", content_type="application/pdf", body=b"%PDF-1.4 x"))
    assert got.body == b"%PDF-1.4 x" and got.headers["Content-Type"] == "application/pdf"
