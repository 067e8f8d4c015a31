"""GIVEN JavaScript off WHEN a citizen attaches a file to a message on the case page (an ordinary
form straight to S3, which sends the browser back) and sends the message THEN the case worker sees
the attachment; a file type not allowed is refused in Swedish."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import api, dev_token
from tests.browser.test_mina_sidor import apply_for_home_care

pytestmark = pytest.mark.browser


def test_attach_a_file_and_send_the_message_without_javascript(walk, web, tmp_path):
    applying = walk(width=320)
    applying.login("Annika Test", "/eservices/web/tjanster/support-application")
    case_id = apply_for_home_care(applying, "Hjälp med inköp")
    cw = dev_token(web, role="case_worker", user_id="hl-bilaga", name="Marita Aronsson")
    intake = {"intake_type": "ansokan_sol", "organisation": "Äldreomsorg", "from_whom": "den_enskilde",
              "channel": "e_ansokan", "note": "Via webben"}
    assert api(web, "POST", f"/eservices/cases/{case_id}/intake", intake, cw)[0] == 200
    settings = {"citizen": "196004042047", "first_name": "Annika", "last_name": "Test", "enabled": True}
    assert api(web, "PUT", "/eservices/messaging/settings", settings, cw)[0] == 200

    w = walk(width=320, javascript=False)
    page = w.page
    w.login("Annika Test", f"/eservices/web/mina-sidor/arenden/{case_id}")
    w.check("arende-utan-js")
    assert "JavaScript" not in page.locator("main").inner_text()
    upload = page.get_by_label("Välj en fil")
    assert "högst 16 MB" in page.locator("#n-file-hint").inner_text()

    exe = tmp_path / "program.exe"
    exe.write_bytes(b"MZ")
    upload.set_input_files(str(exe))
    page.get_by_role("button", name="Bifoga fil").click()
    w.check("bilaga-fel-typ")
    assert "Den filtypen kan inte skickas" in page.locator(".error-summary").inner_text()

    intyg = tmp_path / "intyg.pdf"
    intyg.write_bytes(b"%PDF-1.4 intyg utan js")
    page.get_by_label("Välj en fil").set_input_files(str(intyg))
    page.get_by_role("button", name="Bifoga fil").click()
    w.check("bilaga-vantar")
    assert page.url.startswith(w.base + f"/eservices/web/mina-sidor/arenden/{case_id}")
    assert "intyg.pdf" in page.locator(".pending-files").inner_text()
    assert page.get_by_role("button", name="Ta bort intyg.pdf").is_visible()

    page.get_by_label(re.compile("^Rubrik")).fill("Intyg")
    page.get_by_label(re.compile("^Meddelande")).fill("Här är intyget")
    page.get_by_role("button", name="Skicka meddelande").click()
    w.check("meddelande-med-bilaga")
    link = page.get_by_role("link", name="Bilaga: intyg.pdf")
    assert link.is_visible()
    thread_id = re.search(r"/meddelanden/([^/?#]+)", page.url).group(1)
    status, staff_view = api(web, "GET", f"/eservices/messages/threads/{thread_id}", None, cw)
    assert status == 200, staff_view
    assert [a["filename"] for a in staff_view["messages"][-1]["attachments"]] == ["intyg.pdf"]
    got = page.request.get(w.base + link.get_attribute("href"))
    assert got.ok and got.body() == b"%PDF-1.4 intyg utan js"
    w.assert_headers()
