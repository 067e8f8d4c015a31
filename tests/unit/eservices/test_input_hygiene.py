"""The form engine refuses what a hostile or broken client sends, naming the field, instead of
crashing or storing it: other scripts' digits, lone surrogates, control characters, absurd dates,
oversized choice lists; and the period rules with a known today."""
from datetime import date

import pytest

from services.eservices.domain.forms import get_form
from services.eservices.domain.forms.engine import RuleContext, validate
from tests.support.people import new_pnr


def draft_errors(form_id, answers):
    _, errors = validate(get_form(form_id), answers, complete=False)
    return {e.field: e.detail for e in errors}


@pytest.mark.parametrize("year", ["²", "２０２６", "٢٠٢٦", "2026²"])
def test_a_year_in_other_digits_is_refused_not_a_crash(year):
    assert set(draft_errors("contact-monthly-report", {"rapportering": {"year": year}})) == {
        "answers.rapportering.year"}


def test_a_year_in_ascii_digits_is_read():
    normalized, errors = validate(get_form("contact-monthly-report"), {"rapportering": {"year": " 2026 "}},
                                  complete=False)
    assert errors == [] and normalized["rapportering"]["year"] == 2026


@pytest.mark.parametrize("km", ["١٢", "１２", "1" * 40, {"x": 1}])
def test_a_decimal_in_other_digits_or_shapes_is_refused(km):
    answers = {"tidrapport": {"travel": [{"date": "2026-10-01", "from_place": "A", "to_place": "B", "km": km}]}}
    assert "answers.tidrapport.travel.0.km" in draft_errors("contact-time-report", answers)


@pytest.mark.parametrize("text", ["a\ud800b", "a\x00b", "a\x1bb", "a\u202eb"])
def test_control_characters_and_lone_surrogates_are_refused_in_text(text):
    errors = draft_errors("support-application", {"ansokan": {"need": text},
                                                  "om_dig": {"first_name": text}})
    assert set(errors) == {"answers.ansokan.need", "answers.om_dig.first_name"}


def test_a_line_break_is_fine_in_a_text_area_but_not_in_a_name():
    errors = draft_errors("support-application", {"ansokan": {"need": "rad 1\nrad 2"},
                                                  "om_dig": {"first_name": "Anna\nBerit"}})
    assert set(errors) == {"answers.om_dig.first_name"}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "２０２６-10-01"])
def test_absurd_or_foreign_dates_are_refused(day):
    answers = {"tidrapport": {"activities": [{"date": day, "activity": "Bad", "hours": 1}]}}
    assert set(draft_errors("contact-time-report", answers)) == {"answers.tidrapport.activities.0.date"}


def test_a_choice_list_longer_than_the_choices_is_refused_without_echoing_it():
    errors = draft_errors("support-application", {"ansokan": {"lss_insatser": ["kontaktperson"] * 200_000}})
    assert list(errors) == ["answers.ansokan.lss_insatser"]
    assert len(errors["answers.ansokan.lss_insatser"]) < 100


def test_a_key_that_is_not_a_plain_name_is_not_echoed():
    errors = draft_errors("support-application", {"ansokan": {"\ud800" * 50: 1}, "x" * 500: {}})
    assert set(errors) == {"answers.ansokan", "answers"}


class TestPeriodRulesWithAKnownToday:
    TODAY = date(2026, 11, 24)

    def report(self, pnr, year, month, *rows):
        return {"tidrapport": {"assignment_kind": "kontaktperson", "client_first_name": "Kim",
                               "client_last_name": "K", "year": year, "month": month,
                               "activities": [{"date": d, "activity": "Bad", "hours": 1} for d in rows]},
                "om_dig": {"personnummer": pnr, "first_name": "K", "last_name": "K", "confirm": True}}

    def errors(self, answers, pnr):
        _, errors = validate(get_form("contact-time-report"), answers, complete=True,
                             context=RuleContext(personnummer=pnr, today=self.TODAY))
        return {e.field for e in errors}

    def test_the_current_month_until_today_is_fine(self):
        pnr = new_pnr()
        assert self.errors(self.report(pnr, 2026, 11, "2026-11-01", "2026-11-24"), pnr) == set()

    def test_a_row_dated_after_today_is_refused(self):
        pnr = new_pnr()
        assert self.errors(self.report(pnr, 2026, 11, "2026-11-25"), pnr) == {"answers.tidrapport.activities.0.date"}

    def test_a_month_not_begun_is_refused(self):
        pnr = new_pnr()
        assert "answers.tidrapport.month" in self.errors(self.report(pnr, 2026, 12, "2026-12-01"), pnr)
        assert "answers.tidrapport.year" in self.errors(self.report(pnr, 2099, 1, "2099-01-01"), pnr)


def test_numbers_read_back_in_one_type_even_if_stored_as_strings():
    from services.eservices.domain.forms.engine import typed_answers, typed_computed

    form = get_form("contact-time-report")
    stored = {"tidrapport": {"year": "2026", "month": 10.0,
                             "travel": [{"date": "2026-10-01", "from_place": "A", "to_place": "B", "km": "10.0"}],
                             "activities": [{"date": "2026-10-01", "activity": "Bad", "hours": 2}]}}
    typed = typed_answers(form, stored)["tidrapport"]
    assert (typed["year"], typed["month"]) == (2026, 10) and type(typed["month"]) is int
    assert typed["travel"][0]["km"] == 10.0 and type(typed["travel"][0]["km"]) is float
    assert type(typed["activities"][0]["hours"]) is float
    assert typed_computed({"total_km": "10.0", "mileage_kronor": 25}) == {"total_km": 10.0, "mileage_kronor": 25.0}
