"""Where the citizen web sends a browser: only its own pages, and always as an address a
``Location`` header can carry (ASCII)."""
from __future__ import annotations

import pytest

from services.entrypoints.web.config import WebConfig
from services.entrypoints.web.http import header_location, safe_next

CONFIG = WebConfig(base_path="/web", app_prefix="/eservices", public_base_url="http://localhost:8000",
                   secure_cookies=False, idle_seconds=1800, absolute_seconds=43200, warn_seconds=300,
                   authorize_url="http://localhost:8000/dev/oidc/authorize",
                   token_url="http://localhost:8000/dev/oidc/token", client_id="insats", client_secret="")
HOME = "/eservices/web"


@pytest.mark.parametrize("given,expected", [
    ("/eservices/web/mina-sidor", "/eservices/web/mina-sidor"),
    ("/eservices/web/tjanster/support-application?steg=om_dig&x=1", "/eservices/web/tjanster/support-application?steg=om_dig&x=1"),
    ("/eservices/web/sök?q=åäö", "/eservices/web/s%C3%B6k?q=%C3%A5%C3%A4%C3%B6"),
    ("/eservices/web/s%C3%B6k", "/eservices/web/s%C3%B6k"),  # already encoded: not encoded twice
    ("/eservices/web/a b", "/eservices/web/a%20b"),
])
def test_a_page_of_ours_comes_back_as_ascii(given, expected):
    assert safe_next(CONFIG, given) == expected


@pytest.mark.parametrize("given", [
    None, "", "https://evil.example/x", "//evil.example/eservices/web", "/eservices/webb", "/billing/x",
    "/eservices/web/\\evil", "/eservices/web/x\r\nSet-Cookie: a=b", "/eservices/web/x\t", "/eservices/web/\x85",
    "/eservices/web/\x7f", "/eservices/web/\u202eabc", "/eservices/web/\u200b", "/eservices/web/\u2028",
    "/eservices/web/../../billing", "/eservices/web/./x", "/eservices/web/x/..",
])
def test_anything_else_goes_home(given):
    assert safe_next(CONFIG, given) == HOME


def test_a_location_outside_ascii_is_percent_encoded_once():
    assert header_location("/eservices/web/mina-sidor") == "/eservices/web/mina-sidor"
    assert header_location("https://s3.example/b?X-Amz-Signature=a%2Fb") == "https://s3.example/b?X-Amz-Signature=a%2Fb"
    assert header_location("/eservices/web/utkast/ä/steg/ö") == "/eservices/web/utkast/%C3%A4/steg/%C3%B6"
    assert header_location("/x\u0085y").isascii()
