"""Browser tests: Playwright driving Debian's Chromium against the local stack as ``make run``
starts it (moto server, gateway, development e-ID issuer), over real HTTP.

Chromium must be on the machine: ``make test`` installs it with apt-get when it runs as root; as
anyone else these tests fail (never skip) and say what to install.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.support.local_stack import LocalStack, call
from tests.support.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions"]

pytestmark = pytest.mark.browser
STACKS: dict[str, LocalStack] = {}  # by base URL: a test that must reach the stack's moto (its moto_port)


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("Chromium is not installed, so the browser tests cannot run. Install it as root with "
                "`apt-get install -y chromium` (Debian/Ubuntu), or run `make test` as root, which installs it; "
                "set CHROMIUM=/path/to/chromium to use another build.", pytrace=False)


@pytest.fixture(scope="session")
def web(tmp_path_factory):
    """The local stack in a subprocess; yields its base URL."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    log = SHOTS / f"stack-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
    port = free_port()  # the pages link to themselves: the stack must know its public address
    stack = LocalStack(tmp_path_factory.mktemp("web-state"), port=port, log=log,
                       env={"PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"})
    STACKS[stack.base] = stack
    yield stack.base
    stack.stop(check=False)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


def api(base: str, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    """The stack's JSON API (what a case worker's system does between the citizen's steps)."""
    status, found = call(base, method, path, body, token, timeout=15)
    return status, found if found is not None else {}


def dev_token(base: str, **claims: str) -> str:
    status, body = api(base, "POST", "/dev/token", claims)
    assert status == 200, body
    return body["access_token"]


class Walk:
    """Drives one browser context and checks every page it lands on: axe-core at WCAG 2.1 AA,
    no horizontal scrolling, language sv, a title, security headers; keeps a screenshot."""

    def __init__(self, browser, base: str, name: str, *, javascript: bool = True, width: int = 320,
                 axe: bool = True) -> None:
        self.base, self.name, self.javascript, self.axe_on = base, name, javascript, axe
        self.context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=javascript,
                                           locale="sv-SE")
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.documents: list = []
        self.visited: list[str] = []
        self.csp_errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("response", lambda r: self.documents.append(r) if r.request.resource_type == "document" else None)
        self.page.on("console", lambda m: self.csp_errors.append(m.text)
                     if "Content Security Policy" in m.text else None)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.count = 0
        self.folder = SHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.axe_results: dict[str, int] = {}

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def press_and_wait(self, key: str) -> None:
        """Presses a key that follows a link or submits a form, and waits for the page it leads to,
        so the next check never reads the page being left."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def check(self, label: str) -> None:
        """The page now shown passes every check."""
        page = self.page
        page.wait_for_load_state("load")
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{label}.png"), full_page=True)
        assert page.evaluate("document.documentElement.lang") == "sv", label
        assert page.title().strip(), label
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{label}: {overflow}px horizontal scroll at {page.viewport_size['width']}px"
        if self.axe_on and self.javascript:
            from axe_playwright_python.sync_playwright import Axe

            result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
            violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                          for v in result.response["violations"]]
            self.axe_results[label] = len(violations)
            assert violations == [], f"{label}: {violations}"
        assert page.locator("script:not([src])").count() == 0, f"{label}: inline script"
        if page.url.startswith(self.base + "/eservices/web"):
            self.visited.append(page.url)

    def login(self, who: str, next_path: str = "/eservices/web/mina-sidor") -> None:
        """Logs in through the development issuer's page, picking the person by name."""
        self.goto("/eservices/web/logga-in?next=" + next_path)
        self.check("e-legitimation")
        self.page.get_by_label(re.compile(who)).check()
        self.page.get_by_role("button", name="Logga in").click()

    def assert_headers(self) -> None:
        """Every page answered with the security headers; pages for a logged-in person are never cached."""
        assert self.documents
        for r in self.documents:
            if r.status in (301, 302, 303) or "/dev/oidc/" in r.url:
                continue
            h = r.headers
            policy = h.get("content-security-policy", "")
            assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, r.url
            assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, r.url
            assert h.get("x-content-type-options") == "nosniff", r.url
            if "/eservices/web/tjanster" not in r.url and r.url.rstrip("/") != self.base + "/eservices/web":
                assert h.get("cache-control") == "no-store", (r.url, h.get("cache-control"))
        assert self.csp_errors == []

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def walk(browser, web, request):
    walks: list[Walk] = []

    def make(**kw) -> Walk:
        w = Walk(browser, web, f"{request.node.name}{'-' + str(len(walks)) if walks else ''}", **kw)
        walks.append(w)
        return w

    yield make
    for w in walks:
        w.close()
