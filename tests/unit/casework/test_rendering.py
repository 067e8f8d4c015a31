"""What case work returns that is not data, as the HTTP layer renders it: an export is its
body as an attachment, a redirect a 303, a page its items with the next cursor in a header. All
private, never cached. (A stored file: ``services/entrypoints/downloads.py``.)"""
from services.domain.results import FileResult, Page, Redirect
from services.entrypoints.http import render


def test_given_an_export_when_rendered_then_its_body_as_a_private_attachment():
    r = render(FileResult(filename="a.csv", content_type="text/csv; charset=utf-8", body="a\r\n"), 200)
    assert (r.status_code, r.body, r.headers["Content-Type"]) == (200, "a\r\n", "text/csv; charset=utf-8")
    assert (r.headers["Content-Disposition"], r.headers["Cache-Control"]) == ('attachment; filename="a.csv"',
                                                                              "private, no-store")


def test_given_a_redirect_when_rendered_then_a_private_303():
    r = render(Redirect("https://s3.test/x"), 200)
    assert (r.status_code, r.headers["Location"], r.headers["Cache-Control"]) == (
        303, "https://s3.test/x", "private, no-store")


def test_given_a_page_when_rendered_then_its_items_and_the_next_cursor_in_a_header():
    r = render(Page(items=[{"a": 1}], next_cursor="abc"), 200)
    assert (r.body, r.headers["X-Next-Cursor"]) == ('[{"a": 1}]', "abc")
    assert "X-Next-Cursor" not in render(Page(items=[]), 200).headers
