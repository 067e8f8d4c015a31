"""The e-services' pure rules, without AWS: each form's own rules, prefill, who may fill in what,
the retention rule and mileage."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from services.domain.errors import Forbidden
from services.eservices.domain.drafts import Draft
from services.eservices.domain.forms import get_form, registry
from services.eservices.domain.forms.common import channels_have_addresses, person_is_the_caller
from services.eservices.domain.forms.engine import computed_values, validate
from services.eservices.domain.forms.support_application import LSS_INSATSER, SOL_INSATSER, category_of
from services.eservices.domain.people import Address, Profile, RegisteredPerson, prefill_values
from services.eservices.usecases.retention import due
from services.eservices.usecases.submissions import _check_access
from services.settings import settings
from tests.support.people import new_pnr

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=timezone.utc)


def errors_of(form_id, answers, context=None):
    _, errors = validate(get_form(form_id), answers, complete=True, context=context)
    return {e.field for e in errors}


def application(pnr, **ansokan):
    step = {"area": "sol_aldre", "sol_insats": "hemtjanst", "need": "Hjälp med städning"}
    step.update(ansokan)
    return {"ansokan": {k: v for k, v in step.items() if v is not None},
            "om_dig": {"personnummer": pnr, "first_name": "A", "last_name": "B", "confirm": True}}


class TestSupportApplication:
    def test_the_lss_insatser_are_the_ten_of_9_paragraph_in_order(self):
        assert len(LSS_INSATSER) == 10
        assert [c.label.rsplit("(9 § ", 1)[1] for c in LSS_INSATSER] == [f"{n})" for n in range(1, 11)]
        assert LSS_INSATSER[3].label.startswith("Biträde av kontaktperson")

    def test_sol_elderly_care_offers_home_care_safety_alarm_and_special_housing(self):
        assert [c.value for c in SOL_INSATSER] == ["hemtjanst", "trygghetslarm", "sarskilt_boende"]

    def test_a_complete_application_has_no_errors(self):
        pnr = new_pnr()
        assert errors_of("support-application", application(pnr), SimpleNamespace(personnummer=pnr)) == set()

    def test_the_need_is_required(self):
        assert errors_of("support-application", application(new_pnr(), need="  ")) == {"answers.ansokan.need"}

    @pytest.mark.parametrize("area,missing", [("sol_aldre", "answers.ansokan.sol_insats"),
                                              ("lss", "answers.ansokan.lss_insatser")])
    def test_the_chosen_law_needs_its_insats(self, area, missing):
        assert errors_of("support-application", application(new_pnr(), area=area, sol_insats=None)) == {missing}

    def test_an_insats_of_another_law_is_refused(self):
        answers = application(new_pnr(), area="forsorjningsstod", lss_insatser=["ledsagarservice"])
        assert errors_of("support-application", answers) == {"answers.ansokan.sol_insats",
                                                              "answers.ansokan.lss_insatser"}

    def test_an_unknown_insats_is_refused_even_in_a_draft(self):
        form = get_form("support-application")
        _, errors = validate(form, {"ansokan": {"lss_insatser": ["bogus"]}}, complete=False)
        assert [e.field for e in errors] == ["answers.ansokan.lss_insatser"]

    @pytest.mark.parametrize("ansokan,category", [
        ({"area": "sol_aldre", "sol_insats": "sarskilt_boende"}, "Ansökan om särskilt boende"),
        ({"area": "sol_aldre", "sol_insats": "hemtjanst"}, "Hemtjänst insatser"),
        ({"area": "lss", "lss_insatser": ["kontaktperson"]}, "LSS: Biträde av kontaktperson"),
        ({"area": "forsorjningsstod"}, "Försörjningsstöd"),
    ])
    def test_the_inbox_category_comes_from_the_chosen_insats(self, ansokan, category):
        assert category_of({"ansokan": ansokan}) == category

    def test_it_is_filed_on_ones_own_behalf_only(self):
        form = get_form("support-application")
        me, someone = new_pnr(), new_pnr()
        call = SimpleNamespace(who=SimpleNamespace(role="relative", personnummer=me))
        _check_access(form, call, me)  # for oneself: fine
        with pytest.raises(Forbidden):
            _check_access(form, call, someone)  # acting for someone else: never


class TestSharedRules:
    def test_the_reporter_must_be_the_person_logged_in(self):
        me, other = new_pnr(), new_pnr()
        answers = {"om_dig": {"personnummer": other}}
        assert [e.field for e in person_is_the_caller(answers, SimpleNamespace(personnummer=me))] == \
            ["answers.om_dig.personnummer"]
        assert person_is_the_caller({"om_dig": {"personnummer": me}}, SimpleNamespace(personnummer=me)) == []

    def test_each_chosen_channel_needs_its_address(self):
        both = {"om_dig": {"notify_email": True, "notify_sms": True}}
        assert {e.field for e in channels_have_addresses(both, None)} == {"answers.om_dig.email",
                                                                          "answers.om_dig.mobile"}
        filled = {"om_dig": {"notify_email": True, "email": "a@b.se", "notify_sms": True, "mobile": "+46701234567"}}
        assert channels_have_addresses(filled, None) == []

    @pytest.mark.parametrize("role", ["citizen", "relative", "contact_person"])
    def test_the_contact_persons_reports_follow_from_an_assignment_never_the_role(self, role):
        """GIVEN a person logged in with any person's role WHEN they use a contact person's report
        THEN without an assignment it is refused in Swedish, with one it is open; an application
        is open to them either way."""
        pnr = new_pnr()
        call = SimpleNamespace(who=SimpleNamespace(role=role, personnummer=pnr))
        for form_id in ("contact-time-report", "contact-monthly-report"):
            with pytest.raises(Forbidden, match="uppdrag som kontaktperson"):
                _check_access(get_form(form_id), call, pnr)
            _check_access(get_form(form_id), call, pnr, contact_person=True)
        _check_access(get_form("support-application"), call, pnr)

    def test_the_catalogue_is_the_modules_that_declare_a_form(self):
        assert set(registry()) == {"contact-time-report", "contact-monthly-report", "support-application"}


class TestPrefill:
    PERSON = dict(first_name="Sam", last_name="Skyddad",
                  address=Address(street="Gatan 1", postal_code="12345", city="Orten"))

    def test_name_and_address_come_from_the_register_and_contact_details_from_the_profile(self):
        pnr = new_pnr()
        values = prefill_values(RegisteredPerson(personnummer=pnr, **self.PERSON),
                                Profile(email="a@b.se", notify_email=True), pnr)
        assert values["first_name"] == "Sam" and values["street"] == "Gatan 1"
        assert values["email"] == "a@b.se" and values["notify_email"] is True and "mobile" not in values

    def test_a_protected_identity_has_no_address_to_prefill(self):
        pnr = new_pnr()
        values = prefill_values(RegisteredPerson(personnummer=pnr, protected_identity=True, **self.PERSON),
                                Profile(), pnr)
        assert values["first_name"] == "Sam"
        assert not {"street", "postal_code", "city"} & set(values)
        assert "Gatan" not in repr(values)

    def test_someone_outside_the_register_gets_only_their_personnummer(self):
        pnr = new_pnr()
        assert prefill_values(None, Profile(), pnr) == {"personnummer": pnr, "notify_email": False,
                                                        "notify_sms": False}


class TestTimeReport:
    def report(self, pnr, *, activities, travel=()):
        return {"tidrapport": {"assignment_kind": "kontaktperson", "client_first_name": "Kim",
                               "client_last_name": "K", "year": 2026, "month": 10,
                               "activities": list(activities), "travel": list(travel)},
                "om_dig": {"personnummer": pnr, "first_name": "K", "last_name": "K", "confirm": True}}

    def test_at_least_one_activity_row(self):
        assert errors_of("contact-time-report", self.report(new_pnr(), activities=[])) == \
            {"answers.tidrapport.activities"}

    def test_every_row_lies_in_the_reported_month(self):
        answers = self.report(new_pnr(), activities=[{"date": "2026-10-31", "activity": "Bad", "hours": 2}],
                              travel=[{"date": "2026-09-30", "from_place": "A", "to_place": "B", "km": 3}])
        assert errors_of("contact-time-report", answers) == {"answers.tidrapport.travel.0.date"}

    def test_an_unknown_assignment_kind_is_refused(self):
        answers = self.report(new_pnr(), activities=[{"date": "2026-10-01", "activity": "Bad", "hours": 1}])
        answers["tidrapport"]["assignment_kind"] = "granne"
        assert errors_of("contact-time-report", answers) == {"answers.tidrapport.assignment_kind"}

    def test_mileage_follows_the_configured_rate_to_the_ore(self, monkeypatch):
        form = get_form("contact-time-report")
        answers = {"tidrapport": {"travel": [{"km": 12.3}]}}
        monkeypatch.setenv("MILEAGE_RATE_ORE_PER_KM", "185")
        settings.cache_clear()
        try:
            assert computed_values(form, answers)["mileage_kronor"] == 22.76  # 2275.5 öre, rounded half up
        finally:
            monkeypatch.undo()
            settings.cache_clear()
        assert computed_values(form, answers)["mileage_kronor"] == 30.75  # the default 250 öre/km

    def test_sums_do_not_drift(self):
        answers = {"tidrapport": {"activities": [{"hours": 0.1}] * 3, "travel": [{"km": 0.1}] * 3}}
        values = computed_values(get_form("contact-time-report"), answers)
        assert (values["total_hours"], values["total_km"]) == (0.3, 0.3)


class TestRetentionRule:
    def draft(self, expires_in, **kw):
        pnr = new_pnr()
        return Draft(form_id="support-application", owner=pnr, started_by=pnr, created_at=NOW, updated_at=NOW,
                     expires_at=NOW + expires_in, **kw)

    def test_an_expired_draft_is_deleted(self):
        assert due(self.draft(timedelta(seconds=0)), NOW, 3) == "delete"

    def test_a_reminder_within_the_days_before_and_only_once(self):
        assert due(self.draft(timedelta(days=3)), NOW, 3) == "remind"
        assert due(self.draft(timedelta(days=2), reminded=True), NOW, 3) is None

    def test_nothing_before_the_reminder_window(self):
        assert due(self.draft(timedelta(days=3, seconds=1)), NOW, 3) is None

    def test_a_submitted_draft_is_never_swept(self):
        assert due(self.draft(timedelta(days=-1), status="submitted", case_id="c"), NOW, 3) is None


class TestJsonSchemaForClients:
    """The schema client apps get agrees with the server's validation (jsonschema comes with cfn-lint)."""

    def answers(self, pnr, **rapportering):
        return {"rapportering": {"client_first_name": "Kim", "client_last_name": "K", "year": 2026, "month": 10,
                                 "performed_all": "ja_alla", "activities": "Bio", **rapportering},
                "om_dig": {"personnummer": pnr, "first_name": "K", "last_name": "K", "confirm": True}}

    def test_a_complete_report_is_valid_and_a_missing_conditional_field_is_not(self):
        from jsonschema import Draft202012Validator

        from services.eservices.domain.forms.engine import json_schema

        form = get_form("contact-monthly-report")
        validator = Draft202012Validator(json_schema(form))
        Draft202012Validator.check_schema(json_schema(form))
        good = self.answers(new_pnr())
        assert errors_of("contact-monthly-report", good) == set() and validator.is_valid(good)
        bad = self.answers(new_pnr(), performed_all="nej_nagra")  # a reason is required
        assert errors_of("contact-monthly-report", bad) == {"answers.rapportering.reason"}
        assert not validator.is_valid(bad)

    def test_every_form_schema_is_a_valid_schema(self):
        from jsonschema import Draft202012Validator

        from services.eservices.domain.forms.engine import json_schema

        for form in registry().values():
            Draft202012Validator.check_schema(json_schema(form))


def test_adding_an_e_service_is_adding_one_module(tmp_path, monkeypatch):
    import sys

    import services.eservices.domain.forms as forms
    from services.eservices.domain.forms.engine import describe

    # GIVEN one new module in the forms package that declares FORM
    (tmp_path / "zz_example_service.py").write_text(
        "from services.eservices.domain.forms.engine import Field, FormDefinition, Step\n"
        "FORM = FormDefinition(id='example', title='Exempel', description='', category='Exempel',\n"
        "                      steps=(Step('s', 'Steg', (Field('a', 'A', required=True),)),))\n")
    monkeypatch.setattr(forms, "__path__", [*forms.__path__, str(tmp_path)])
    forms.registry.cache_clear()
    try:
        # WHEN the registry is asked THEN the e-service is there, with its schema
        assert forms.get_form("example").title == "Exempel"
        assert describe(forms.get_form("example"))["schema"]["properties"]["s"]["required"] == ["a"]
    finally:
        monkeypatch.undo()
        forms.registry.cache_clear()
        sys.modules.pop("services.eservices.domain.forms.zz_example_service", None)
    assert "example" not in forms.registry()


def test_a_decision_reads_in_swedish_and_names_no_case_worker():
    from services.eservices.usecases.mypages import decision_view

    view = decision_view({"decision_id": "d1", "insats": "hemtjanst", "insats_label": "Hemtjänst", "law": "SoL",
                          "outcome": "granted", "granted_minutes_per_month": 600, "valid_from": "2026-11-01",
                          "valid_to": None, "motivation": "Behov finns", "decided_at": "2026-10-20T10:00:00+00:00",
                          "decided_by": "case_worker:hl-marita", "letter_document_id": "L1"}, "c1")
    assert (view.insats, view.outcome_label, view.granted_minutes_per_month) == ("Hemtjänst", "Beviljad", 600)
    assert view.letter_url == "/eservices/cases/c1/documents/L1"
    assert "hl-marita" not in view.model_dump_json()
    assert decision_view({"insats": "trygghetslarm", "outcome": "refused"}, "c1").outcome_label == "Avslag"
