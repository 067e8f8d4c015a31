"""The one download rule: the bytes to a client that accepts the file's type, a 303 to a
short-lived address to anyone else; never cached."""
from services.domain.files import StoredFile
from services.entrypoints.downloads import download
from tests.support.fakes.eservices import FakeDocuments

FILE = StoredFile(key="cases/c1/submission.pdf", filename="2026-000001.pdf")


def documents():
    store = FakeDocuments()
    store.put(FILE.key, b"%PDF-1.4 x", "application/pdf")
    return store


def test_a_client_accepting_pdf_gets_the_bytes_as_an_attachment():
    got = download(documents(), FILE, {"Accept": "application/pdf"})
    assert got.status_code == 200 and got.body == b"%PDF-1.4 x"
    assert got.headers["Content-Disposition"] == 'attachment; filename="2026-000001.pdf"'
    assert got.headers["Cache-Control"] == "private, no-store"


def test_a_browser_is_redirected_to_a_short_lived_address():
    got = download(documents(), FILE, {"accept": "text/html,*/*"})
    assert got.status_code == 303 and got.headers["Location"].startswith("https://documents.example/cases/c1/")
    assert got.headers["Cache-Control"] == "private, no-store"
