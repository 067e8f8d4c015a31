"""The citizen pages as accessibility engines other than axe read them: everything a person reads
or uses lies inside a landmark (banner, navigation, main, contentinfo), "Inloggad som …" included;
and on a page with errors the page's <h1> comes first, then the error summary (still focused)."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.integration.web.helpers import Browser, inner, login

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LANDMARK_TAGS = {"header", "nav", "main", "footer", "aside"}
LANDMARK_ROLES = {"banner", "navigation", "main", "contentinfo", "complementary", "region", "search", "form"}
CONTROLS = {"input", "button", "select", "textarea", "img", "a"}
NOT_CONTENT = {"head", "script", "style", "template", "title"}


class Outside(HTMLParser):
    """Collects what a person would meet outside every landmark: text, links and controls.

    A skip link to #main (before any landmark, as it must be) and a dialog (its own context, shown
    over the page) are not counted, as the engines do; nor is anything hidden."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, whether it is a landmark, hidden or exempt)
        self.found: list[str] = []
        self.headings: list[tuple[str, str]] = []  # (tag, id) in document order, inside <main>

    def covered(self) -> bool:
        return any(flag for _, flag in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        exempt = (tag in LANDMARK_TAGS or a.get("role") in LANDMARK_ROLES or "hidden" in a or tag in NOT_CONTENT
                  or a.get("role") in ("dialog", "alertdialog") or (tag == "a" and a.get("href") == "#main"))
        if tag == "input" and a.get("type") == "hidden":
            exempt = True
        if tag in CONTROLS and not exempt and not self.covered():
            self.found.append(f"<{tag} {a}>")
        if tag in ("h1", "h2", "h3") and any(t == "main" for t, _ in self.stack):
            self.headings.append((tag, a.get("id") or ""))
        if tag not in VOID:
            self.stack.append((tag, exempt))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if data.strip() and not self.covered():
            self.found.append(repr(data.strip()[:80]))


def read(page) -> Outside:
    parser = Outside()
    parser.feed(page.body.decode())
    parser.close()
    return parser


def citizen_pages(es, issuer):
    """The pages the browser tests visit, as a logged-out visitor and as a citizen who applies."""
    visitor = Browser(es)
    pages = {path: visitor.get(path) for path in ("/web", "/web/tillganglighet", "/web/tjanster/support-application",
                                                  "/web/tjanster/no-such-service")}
    b, pnr, _ = login(es, issuer, role="citizen", name="Annika Test",
                      next_path="/eservices/web/tjanster/support-application")
    pages["/web/tjanster/support-application (inloggad)"] = b.get("/web/tjanster/support-application")
    started = b.post("/web/tjanster/support-application/starta", {})
    assert started.status == 303, started.body
    step = inner(started.headers["location"])
    draft = step.split("/")[3]
    pages["step"] = b.get(step)
    pages["step with errors"] = b.post(step, {"action": "next"})
    assert b.post(step, {"area": "sol_aldre", "sol_insats": "hemtjanst", "need": "Städning",
                         "shown": "sol_insats", "action": "next"}).status == 303
    about = f"/web/utkast/{draft}/steg/om_dig"
    pages["about you"] = b.get(about)
    assert b.post(about, {"personnummer": pnr, "first_name": "Annika", "last_name": "Test", "confirm": "true",
                          "action": "next"}).status == 303
    pages["preview"] = b.get(f"/web/utkast/{draft}/granska")
    signed = b.post(f"/web/utkast/{draft}/signera", {})
    assert signed.status == 303, signed.body
    while signed.status == 303 and "/kvittens" not in signed.headers["location"]:
        signed = b.get(inner(signed.headers["location"]))
    receipt_path = inner(signed.headers["location"])
    pages["receipt"] = b.get(receipt_path)
    case_id = receipt_path.split("/")[3]
    for path in ("/web/mina-sidor", f"/web/mina-sidor/arenden/{case_id}", "/web/mina-sidor/uppgifter",
                 "/web/mina-sidor/meddelanden", "/web/mina-sidor/fora-talan", "/web/tillganglighet"):
        pages[path + " (inloggad)"] = b.get(path)
    again = b.post("/web/tjanster/support-application/starta", {})
    pages["discard a draft"] = b.get(f"/web/utkast/{inner(again.headers['location']).split('/')[3]}/ta-bort")
    pages["profile with errors"] = b.post("/web/mina-sidor/uppgifter", {"email": "inte en adress",
                                                                        "notify_email": "true"})
    return pages


@pytest.fixture(scope="module")
def pages(app_client, issuer):
    return citizen_pages(app_client("eservices"), issuer)


def test_every_thing_on_a_citizen_page_lies_inside_a_landmark(pages):
    """GIVEN the citizen pages, logged out and logged in WHEN read as a screen reader's landmark list
    THEN no text, link or control stands outside the banner, navigation, main or contentinfo."""
    for name, page in pages.items():
        status = 404 if "no-such-service" in name else 422 if "with errors" in name else 200
        assert page.status == status and page.headers["content-type"].startswith("text/html"), name
        assert read(page).found == [], name
    assert "Inloggad som Annika Test" in pages["/web/mina-sidor (inloggad)"].body.decode()


@pytest.mark.parametrize("name", ["step with errors", "profile with errors"])
def test_on_a_page_with_errors_the_h1_comes_before_the_error_summary(pages, name):
    """GIVEN a step (and the profile) posted with errors WHEN the page is read in order THEN its first
    heading is the <h1>, then the error summary's heading, and the summary still takes focus on load."""
    page = pages[name]
    assert page.status == 422
    headings = read(page).headings
    assert headings[0][0] == "h1", headings
    assert ("h2", "error-summary-title") in headings
    assert headings.index(("h2", "error-summary-title")) == 1, headings
    body = page.body.decode()
    summary = body[body.index('id="error-summary"') - 200:body.index('id="error-summary"') + 100]
    assert 'tabindex="-1"' in summary and "autofocus" in summary
