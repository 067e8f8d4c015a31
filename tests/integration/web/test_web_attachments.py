"""Attachments without JavaScript: the message page's "Bifoga fil" form posts one file straight to
S3 (the moto server over HTTP) with a presigned policy whose ``success_action_redirect`` brings the
browser back; the page keeps the file as pending for that message and "Skicka" sends it along."""
from __future__ import annotations

import base64
import html
import json
import re
import urllib.parse

import pytest
import requests

from services.adapters.aws import client
from services.eservices.bootstrap import deps
from tests.integration.web.helpers import inner, login, text


@pytest.fixture
def es(app_client):
    return app_client("eservices")


@pytest.fixture
def writing(es, issuer, token):
    """A citizen logged in on the page of a case a case worker has taken in, messaging on."""
    from tests.integration.casework.helpers import INTAKE, case_worker, enable_messaging
    from tests.integration.eservices.helpers import application_answers, submitted_case

    b, pnr, _ = login(es, issuer, role="citizen")
    receipt = submitted_case(es, token("citizen", personnummer=pnr), "support-application", application_answers(pnr))
    _, cw = case_worker(token)
    assert es.post(f"/cases/{receipt['case_id']}/intake", INTAKE, token=cw).status == 200
    enable_messaging(es, cw, pnr)
    return b, f"/web/mina-sidor/arenden/{receipt['case_id']}", cw


def s3_form(page) -> tuple[str, list[tuple[str, str]]]:
    """The upload form's action and hidden fields, as a browser would post them."""
    body = page.body.decode()
    form = re.search(r'<form method="post" action="([^"]+)" enctype="multipart/form-data"[^>]*>(.*?)</form>',
                     body, re.S)
    assert form, "no upload form"
    fields = [(html.unescape(n), html.unescape(v))
              for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))]
    return html.unescape(form.group(1)), fields


def post_to_s3(page, filename: str, content: bytes) -> requests.Response:
    url, fields = s3_form(page)
    return requests.post(url, data=fields, files={"file": (filename, content, "application/octet-stream")},
                         allow_redirects=False, timeout=30)


def back_from_s3(b, r: requests.Response):
    """S3's 303 back to our page, followed in the same browser (the session cookie)."""
    assert r.status_code == 303, r.text
    location = urllib.parse.urlsplit(r.headers["Location"])
    return b.get(inner(location.path) + "?" + location.query)


def test_a_file_goes_to_s3_comes_back_pending_and_is_sent_with_the_message(writing):
    """GIVEN the case page WHEN a file is posted to S3 with the page's form and S3 sends the browser
    back THEN the file is listed as pending, and "Skicka" sends the message with it attached."""
    b, case, cw = writing
    page = b.get(case)
    url, fields = s3_form(page)
    policy = json.loads(base64.b64decode(dict(fields)["policy"]))
    assert ["content-length-range", 1, 16 * 1024 * 1024] in policy["conditions"]
    assert {"success_action_redirect": dict(fields)["success_action_redirect"]} in policy["conditions"]
    assert dict(fields)["success_action_redirect"].endswith(case.removeprefix("/web") + "/bilaga")
    assert f"form-action 'self' {urllib.parse.urlsplit(url).scheme}://" in page.headers["content-security-policy"]

    back = back_from_s3(b, post_to_s3(page, "läkarintyg.pdf", b"%PDF-1.4 intyg"))
    assert back.status == 303 and inner(back.headers["location"]).startswith(case)
    shown = b.get(case)
    assert "läkarintyg.pdf" in text(shown) and "Ta bort" in text(shown) and "är bifogad" in text(shown)

    r = b.post(case + "/meddelande", {"subject": "Intyg", "body": "Här är intyget"})
    assert r.status == 303, text(r)
    thread_id = inner(r.headers["location"]).rsplit("/", 1)[1]
    view = b.es.get(f"/messages/threads/{thread_id}", token=cw).json
    [attachment] = view["messages"][0]["attachments"]
    assert attachment["filename"] == "läkarintyg.pdf" and attachment["size"] == len(b"%PDF-1.4 intyg")
    assert "läkarintyg.pdf" not in text(b.get(case)).split("Skriv till din handläggare")[1], "no longer pending"


def test_remove_takes_a_pending_file_off_the_message(writing):
    b, case, cw = writing
    back_from_s3(b, post_to_s3(b.get(case), "a.pdf", b"%PDF a"))
    back_from_s3(b, post_to_s3(b.get(case), "b.txt", b"text b"))
    page = b.get(case)
    ids = re.findall(r'name="remove" value="([^"]+)"', page.body.decode())
    assert len(ids) == 2
    assert b.post(case + "/bilaga/ta-bort", {"remove": ids[0]}).status == 303
    r = b.post(case + "/meddelande", {"subject": "Två", "body": "En fil kvar"})
    thread_id = inner(r.headers["location"]).rsplit("/", 1)[1]
    view = b.es.get(f"/messages/threads/{thread_id}", token=cw).json
    assert [a["filename"] for a in view["messages"][0]["attachments"]] == ["b.txt"]


def test_a_type_not_allowed_is_refused_in_swedish_and_removed(writing):
    b, case, _ = writing
    r = back_from_s3(b, post_to_s3(b.get(case), "program.exe", b"MZ"))
    assert r.status == 303 and "bilagefel=typ" in r.headers["location"]
    page = b.get(inner(r.headers["location"]).split("#")[0])
    assert "Den filtypen kan inte skickas" in text(page)
    assert 'href="#n-file"' in page.body.decode()  # in the error summary
    assert "program.exe" not in text(page).split("Bifoga fil")[1].split("Rubrik")[0]
    listed = client("s3").list_objects_v2(Bucket=deps().documents.bucket, Prefix="uploads/web/").get("Contents", [])
    assert not [o for o in listed if o["Key"].endswith("program.exe")]


def test_at_most_five_files_wait_for_one_message(writing):
    b, case, _ = writing
    for i in range(5):
        back_from_s3(b, post_to_s3(b.get(case), f"{i}.pdf", b"%PDF"))
    page = b.get(case)
    assert "Du har bifogat 5 filer" in text(page)
    assert 'enctype="multipart/form-data"' not in page.body.decode()  # no sixth


def test_someone_elses_upload_cannot_be_attached_through_the_redirect(writing, es, issuer):
    """GIVEN a third party's file in S3 (their own upload, by the script's ticket or under another
    session's prefix) WHEN the person's browser is sent to the redirect address naming it THEN it
    is not found, nothing waits and the message goes without it."""
    b, case, cw = writing
    b.get(case)
    other, _, _ = login(es, issuer, role="citizen")
    other.get("/web/mina-sidor")
    ticket = json.loads(other.post("/web/mina-sidor/bilagor", {"filename": "x.pdf",
                                                             "content_type": "application/pdf"}).body)
    bucket = deps().documents.bucket
    s3 = client("s3")
    for key in (ticket["fields"]["key"], "uploads/web/someone-elses-nonce/x.pdf"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"%PDF theirs")
        r = b.get(case + "/bilaga?" + urllib.parse.urlencode({"bucket": bucket, "key": key, "etag": '"x"'}))
        assert r.status == 404, key
    page = b.get(case)
    assert "Ta bort" not in text(page)
    r = b.post(case + "/meddelande", {"subject": "Utan", "body": "Ingen bilaga"})
    thread_id = inner(r.headers["location"]).rsplit("/", 1)[1]
    assert b.es.get(f"/messages/threads/{thread_id}", token=cw).json["messages"][0]["attachments"] == []


def test_the_redirect_and_remove_need_a_login_and_remove_needs_the_csrf_token(writing, es):
    b, case, _ = writing
    back_from_s3(b, post_to_s3(b.get(case), "a.pdf", b"%PDF a"))
    [upload_id] = re.findall(r'name="remove" value="([^"]+)"', b.get(case).body.decode())
    assert b.post(case + "/bilaga/ta-bort", {"remove": upload_id}, csrf=False).status == 400
    assert "a.pdf" in text(b.get(case))
    anonymous = es.request("GET", case + "/bilaga?key=uploads/web/x/a.pdf")
    assert anonymous.status == 303 and "/logga-in" in anonymous.headers["location"]
