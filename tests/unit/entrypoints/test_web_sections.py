"""The web toolkit serves any section, not only the citizens': a section brings its deps, its
templates and whom a person acts for, and gets the request cycle (session, CSRF, security headers,
error pages), the shared layout and the components (error summary, table, timeline, identity bar)."""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

from services.auth.principal import Principal, Role
from services.entrypoints.web.config import web_config
from services.entrypoints.web.http import Page, Section, serve
from services.entrypoints.web.sessions import start
from tests.support.fakes.eservices import eservices_deps

STAFF_PAGE = """{% extends "base.html" %}
{% block brand %}<a class="logo" href="/personal">Handläggning</a>{% endblock %}
{% block content %}
<h1>{{ heading }}</h1>
{{ ui.error_summary(errors) }}
{{ ui.table("Ärenden", ["Nummer", "Status"], rows) }}
{{ ui.timeline(history) }}
{% endblock %}
"""


def staff_section(tmp_path, deps):
    (tmp_path / "inbox.html").write_text(STAFF_PAGE, encoding="utf-8")
    return Section(service="casework", deps=lambda: deps, templates=tmp_path,
                   acting=lambda deps, who, acting_for: who, session_ended=lambda ctx, ended, path: None)


def request(path, cookie=None, method="GET"):
    headers = {"cookie": f"{web_config().cookie_name}={cookie}"} if cookie else {}
    return SimpleNamespace(method=method, context={"resourcePath": path}, query_params={}, headers=headers,
                           raw_body=b"")


def inbox(ctx):
    who = ctx.require_user()
    return Page("inbox.html", {"title": "Inkorg", "heading": f"Inkorg för {who.name}",
                               "errors": [SimpleNamespace(href="#status", text="Välj en status")],
                               "rows": [["2026-000001", "Mottaget"]],
                               "history": [SimpleNamespace(label="Inskickat",
                                                           at=datetime(2026, 11, 24, 8, tzinfo=timezone.utc))]})


def test_a_second_section_renders_its_own_page_on_the_shared_layout_and_components(tmp_path):
    # GIVEN a staff section with one page of its own, and a case worker logged in
    deps = eservices_deps()
    section = staff_section(tmp_path, deps)
    session = start("user", deps.clock(), 1800, 3600,
                    principal=Principal(subject="cw-1", role=Role.CASE_WORKER, user_id="cw-1", name="Cilla H"))
    deps.sessions.put(session)
    # WHEN the page is served through the toolkit
    response = serve(section, request("/personal/inkorg", session.session_id), inbox)
    # THEN it is the section's page inside the shared layout, with the shared components and the
    # request cycle's headers
    html = response.body
    assert response.status_code == 200
    assert '<a class="logo" href="/personal">Handläggning</a>' in html and "Inkorg för Cilla H" in html
    assert 'class="error-summary"' in html and '<a href="#status">Välj en status</a>' in html
    assert "<caption>Ärenden</caption>" in html and "<td>2026-000001</td>" in html
    assert '<ol class="timeline">' in html and "Inskickat" in html
    assert "Inloggad som Cilla H" in html  # the identity bar
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_second_section_sends_a_person_without_a_session_to_the_login(tmp_path):
    deps = eservices_deps()
    response = serve(staff_section(tmp_path, deps), request("/personal/inkorg"), inbox)
    assert response.status_code == 303 and "/web/logga-in?next=" in response.headers["Location"]
