"""A browser for the login walks over real HTTP (tests/integration/*/test_*login_walk.py and the
certified provider's walk): keeps cookies, shows every redirect; the demo people they log in as; a staff
account put straight into the directory; the login refusals the identity trail recorded."""
from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta, timezone

from services.auth.dev_broker import LOA3
from services.auth.principal import Role

ANNIKA = "196004042047"  # a citizen, no staff account
MARITA = "197205142388"  # case worker at Biståndsenheten
BO = "199011022572"  # home-care staff at Omsorg AB
VERA = "196901172863"  # the provider's manager at Omsorg AB


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


class Browser:
    """Keeps cookies, follows redirects itself (so a test sees every hop)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.hops: list[str] = []

    def open(self, url: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        url = url if url.startswith("http") else self.base + url
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=data), timeout=20) as resp:
                return resp.status, dict(resp.headers), resp.read().decode()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, dict(exc.headers), exc.read().decode()

    def follow(self, url: str, form: dict[str, str] | None = None, limit: int = 12) -> tuple[int, str, str]:
        """Opens ``url`` and follows redirects until a page: (status, its URL, its HTML)."""
        status, headers, body = self.open(url, form)
        while status in (301, 302, 303) and limit:
            url = urllib.parse.urljoin(url if url.startswith("http") else self.base + url, headers["Location"])
            self.hops.append(url)
            status, headers, body = self.open(url)
            limit -= 1
        return status, url, body

    def pick(self, page_url: str, html: str, person: str, acr: str = LOA3) -> tuple[int, str, str]:
        """On the development broker's page: choose the person and the level, log in."""
        action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
        request_id = re.search(r'name="request" value="([^"]+)"', html).group(1)
        return self.follow(urllib.parse.urljoin(page_url, action),
                           {"request": request_id, "person": person, "acr": acr, "action": "login"})

    def callback_of(self, page_url: str, html: str, person: str, acr: str = LOA3) -> str:
        """Picks on the broker's page and returns the broker's redirect back (not followed)."""
        action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
        request_id = re.search(r'name="request" value="([^"]+)"', html).group(1)
        status, headers, _ = self.open(urllib.parse.urljoin(page_url, action),
                                       {"request": request_id, "person": person, "acr": acr, "action": "login"})
        assert status == 302
        return headers["Location"]


def account(pnr: str, account_id: str, organisation: str, *roles: Role, valid_from=date(2026, 1, 1),
            valid_to=date(2099, 2, 15), ended: bool = False) -> None:
    from services.identity.bootstrap import deps
    from services.identity.domain.model import Organisation, StaffAccount

    identity = deps()
    kind = "provider" if organisation.startswith("prov-") else "municipal_unit"
    identity.organisations.put_organisation(Organisation(organisation_id=organisation, kind=kind,
                                                         name={"enhet-bistand": "Biståndsenheten"}.get(organisation,
                                                                                                      "Omsorg AB")))
    now = datetime.now(timezone.utc)
    identity.accounts.put_account(StaffAccount(
        account_id=account_id, user_id=account_id, personnummer=pnr, name=f"Test {account_id}", email=None,
        organisation_id=organisation, organisation_kind=kind, roles=list(roles), valid_from=valid_from,
        valid_to=valid_to, ended_at=now - timedelta(hours=1) if ended else None, created_at=now, changed_at=now,
        changed_by="test"))


def audited_since(since: datetime, action: str) -> list:
    """The identity trail's entries of ``action`` from ``since`` on."""
    from services.identity.bootstrap import deps

    entries = deps().audit.entries(since.date(), date.today() + timedelta(days=1))
    return [e for e in entries if e.action == action and e.at >= since]


def refusals_since(since: datetime) -> list[str]:
    return [e.reason for e in audited_since(since, "login_refused")]


def staff_login(b: Browser, person: str, acr: str = LOA3) -> tuple[int, str, str]:
    status, url, html = b.follow("/personal/logga-in")
    assert status == 200 and "/dev/oidc/" in url, url
    return b.pick(url, html, person, acr)
