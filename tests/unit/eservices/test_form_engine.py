"""The form engine on its own: validation, conditions, computed values, schema, preview."""
from services.eservices.domain.forms import get_form, registry
from services.eservices.domain.forms.engine import (Field, FormDefinition, Step, When, computed_values, json_schema,
                                             preview, validate)

FORM = FormDefinition(id="t", title="T", description="", category="c", steps=(
    Step("s", "S", (
        Field("answer", "Svar", kind="choice", required=True, choices=()),
        Field("why", "Varför", required_when=When("answer", ("no",))),
        Field("unless", "Om inte", required_when=When("answer", ("yes",), negate=True)),
        Field("ok", "OK", kind="boolean", must_be_true=True),
    )),
))


def test_a_draft_checks_only_what_is_filled_in():
    _, errors = validate(FORM, {"s": {}}, complete=False)
    assert errors == []


def test_conditions_make_fields_required():
    _, errors = validate(get_form("contact-monthly-report"),
                         {"rapportering": {"performed_all": "nej"}}, complete=True)
    names = {e.field for e in errors}
    assert "answers.rapportering.reason" in names and "answers.rapportering.activities" not in names


def test_unknown_steps_and_fields_are_named():
    _, errors = validate(FORM, {"x": {}, "s": {"zzz": 1}}, complete=False)
    assert {e.field for e in errors} == {"answers.x", "answers.s.zzz"}


def test_computed_values_come_from_the_answers():
    form = get_form("contact-time-report")
    answers = {"tidrapport": {"activities": [{"hours": 1.25}], "travel": [{"km": 1.5}, {"km": 2}]}}
    assert computed_values(form, answers) == {"total_hours": 1.25, "total_km": 3.5, "mileage_kronor": 8.75}


def test_the_schema_carries_required_and_conditional_rules():
    schema = json_schema(get_form("contact-monthly-report"))
    step = schema["properties"]["rapportering"]
    assert "performed_all" in step["required"]
    conditions = step["allOf"]
    assert any(c["then"] == {"required": ["reason"]} for c in conditions)
    assert schema["properties"]["om_dig"]["properties"]["confirm"]["const"] is True


def test_preview_shows_labels_and_display_values():
    form = get_form("contact-monthly-report")
    steps = preview(form, {"rapportering": {"performed_all": "ja_alla", "month": 3}}, [])
    values = {f["name"]: f["value"] for f in steps[0]["fields"]}
    assert values["performed_all"] == "Ja, alla" and values["month"] == "Mars"


def test_every_registered_form_has_a_valid_declaration():
    for form in registry().values():
        assert form.steps and json_schema(form)["required"] == [s.id for s in form.steps]
        for step in form.steps:
            for f in step.fields:
                if f.required_when:
                    assert f.required_when.field in {x.name for x in step.fields}, (form.id, f.name)
