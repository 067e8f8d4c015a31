"""The citizen web's translation between HTML forms and answers, and its login helpers."""
from services.eservices.domain.forms import get_form
from services.eservices.domain.forms.engine import validate_step
from services.entrypoints.web import formview as fv
from services.entrypoints.web.config import web_config
from services.entrypoints.web.http import Form, parse_cookies, safe_next
from services.entrypoints.web.oidc import challenge_of


def test_pkce_challenge_is_rfc_7636_s256():
    """GIVEN the RFC 7636 appendix B verifier THEN its S256 challenge is the RFC's."""
    assert challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_rows_empty_rows_are_shown_but_not_saved():
    step = get_form("contact-time-report").step("tidrapport")
    form = Form([("travel.count", "3"), ("travel.0.date", "2026-10-01"), ("travel.0.km", "12,5"),
                 ("travel.2.date", "2026-10-02"), ("travel.2.from_place", "A"), ("travel.2.to_place", "B"),
                 ("travel.2.km", "3"), ("activities.count", "0")])
    posted = fv.from_form(step, form)
    assert len(posted.raw["travel"]) == 3  # the empty middle row stays on the page
    assert [r.get("date") for r in posted.answers["travel"]] == ["2026-10-01", "2026-10-02"]
    assert posted.row_index["travel"] == [0, 2]


def test_a_bad_row_is_not_saved_and_its_error_points_at_its_row_on_the_page():
    form_def = get_form("contact-time-report")
    step = form_def.step("tidrapport")
    posted = fv.from_form(step, Form([("travel.count", "3"), ("travel.0.date", "2026-10-01"),
                                      ("travel.0.from_place", "A"), ("travel.0.to_place", "B"), ("travel.0.km", "1"),
                                      ("travel.2.date", "inte ett datum"), ("travel.2.from_place", "A"),
                                      ("travel.2.to_place", "B"), ("travel.2.km", "2")]))
    _, errors = validate_step(form_def, step.id, posted.answers, complete=False)
    kept = fv.without_bad(step, posted, errors)
    assert len(kept["travel"]) == 1
    assert fv.error_map(step, errors, posted.row_index) == {"f-tidrapport-travel-2-date": "Ange ett datum (ÅÅÅÅ-MM-DD) mellan år 1900 och 2100"}


def test_answers_to_questions_not_asked_are_dropped():
    """GIVEN "Ja, alla" WHEN the reason (asked only otherwise) was posted THEN it is not kept."""
    step = get_form("contact-monthly-report").step("rapportering")
    posted = fv.from_form(step, Form([("performed_all", "ja_alla"), ("activities", "Bio"), ("reason", "Sjuk")]))
    assert posted.answers == {"performed_all": "ja_alla", "activities": "Bio"}
    nothing_chosen = fv.from_form(step, Form([("reason", "Sjuk")]))
    assert "reason" not in nothing_chosen.answers


def test_protected_identity_hides_the_address_fields():
    class Person:
        protected_identity = True

    step = get_form("support-application").step("om_dig")
    names = [f.name for f in fv.shown_fields(step, Person())]
    assert "street" not in names and "city" not in names and "first_name" in names
    posted = fv.from_form(step, Form([("street", "Hemlig 1"), ("first_name", "Sam")]), Person())
    assert "street" not in posted.answers


def test_after_login_only_our_own_pages():
    config = web_config()
    for bad in ("https://evil.example/", "//evil.example/eservices/web", "/eservices/webb", "/other",
                "/eservices/web\\@evil", None, ""):
        assert safe_next(config, bad) == "/eservices/web", bad
    assert safe_next(config, "/eservices/web/mina-sidor?x=1") == "/eservices/web/mina-sidor?x=1"


def test_cookies_parse_first_value_wins():
    assert parse_cookies("a=1; insats_session=abc; insats_session=evil") == {"a": "1", "insats_session": "abc"}


def test_the_app_imports_no_jinja2():
    """GIVEN a cold start WHEN the e-services app is imported THEN Jinja2 is not (pages load it when rendered)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[4]
    code = ("import sys; sys.path.insert(0, '.'); from infra.apps import load_app; load_app('eservices'); "
            "print(any(m.split('.')[0] == 'jinja2' for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
