"""What case work returns that is not data, as the HTTP layer renders it: a file is bytes to a
client that accepts its type and a 303 to a short-lived address for anyone else; a redirect is
a 303; a page is its items with the next cursor in a header. All private, never cached."""
from services.domain.results import FileResult, Page, Redirect, stored_file
from services.entrypoints.http import render
from tests.support.fakes_casework import FakeDocuments


def _letter() -> FileResult:
    documents = FakeDocuments()
    documents.put("cases/1/letter.pdf", b"%PDF-1.4", "application/pdf")
    return stored_file(documents, "cases/1/letter.pdf", "Beslut.pdf", "application/pdf")


def test_given_a_client_that_accepts_the_type_when_rendered_then_the_bytes_as_an_attachment():
    r = render(_letter(), 200, "application/pdf")
    assert (r.status_code, r.body) == (200, b"%PDF-1.4")
    assert r.headers["Content-Disposition"] == 'attachment; filename="Beslut.pdf"'
    assert r.headers["Cache-Control"] == "private, no-store"


def test_given_a_browser_when_rendered_then_a_303_to_the_short_lived_address():
    r = render(_letter(), 200, "text/html,*/*")
    assert r.status_code == 303 and "cases/1/letter.pdf" in r.headers["Location"]
    assert r.headers["Cache-Control"] == "private, no-store"


def test_given_an_export_without_a_link_when_rendered_then_always_its_body():
    r = render(FileResult(filename="a.csv", content_type="text/csv; charset=utf-8", body="a\r\n"), 200, "")
    assert (r.status_code, r.body, r.headers["Content-Type"]) == (200, "a\r\n", "text/csv; charset=utf-8")


def test_given_a_redirect_when_rendered_then_a_private_303():
    r = render(Redirect("https://s3.test/x"), 200, "")
    assert (r.status_code, r.headers["Location"], r.headers["Cache-Control"]) == (
        303, "https://s3.test/x", "private, no-store")


def test_given_a_page_when_rendered_then_its_items_and_the_next_cursor_in_a_header():
    r = render(Page(items=[{"a": 1}], next_cursor="abc"), 200, "")
    assert (r.body, r.headers["X-Next-Cursor"]) == ('[{"a": 1}]', "abc")
    assert "X-Next-Cursor" not in render(Page(items=[]), 200, "").headers
