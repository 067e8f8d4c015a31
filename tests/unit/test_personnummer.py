from datetime import date

import pytest

from services.domain.personnummer import InvalidPersonnummer, Personnummer, mask, mask_text


@pytest.mark.parametrize("raw", ["191212121212", "19121212-1212", "121212-1212", "1212121212", " 19121212-1212 "])
def test_accepted_forms_are_stored_as_12_digits(raw):
    assert Personnummer(raw, today=date(2026, 11, 24)) in ("191212121212", "201212121212")


def test_ten_digit_form_names_the_latest_century_under_100():
    assert Personnummer("121212-1212", today=date(2026, 11, 24)) == "201212121212"
    assert Personnummer("121212+1212", today=date(2026, 11, 24)) == "191212121212"


def test_plus_is_refused_with_twelve_digits():
    with pytest.raises(InvalidPersonnummer):
        Personnummer("19121212+1212")


@pytest.mark.parametrize("raw,why", [
    ("19121212-1213", "check digit"),
    ("19121312-1218", "date"),  # month 13
    ("19120230-1234", "date"),  # 30 February
    ("1912121212", "check digit"),
    ("abc", "12 digits"),
    ("19121212-121", "12 digits"),
])
def test_invalid_numbers_are_refused(raw, why):
    with pytest.raises(InvalidPersonnummer, match=why):
        Personnummer(raw, today=date(2026, 11, 24))


def test_samordningsnummer_has_day_plus_60():
    # 1912-12-72: day 12 + 60; the check digit is computed over the 10-digit form
    from tests.support.people import luhn_digit

    nine = "121272121"
    number = Personnummer(f"19{nine}{luhn_digit(nine)}")
    assert number.is_coordination_number
    assert number.birth_date == date(1912, 12, 12)


def test_masking_hides_the_last_four_digits():
    p = Personnummer("19121212-1212")
    assert p.masked == "19121212-****" == mask(p)
    assert mask_text("x 191212121212 y 121212-1212 z") == "x 19121212-**** y 121212-**** z"
    assert "1212" not in mask_text("pnr=19121212-1212").split("-")[-1]


def test_age_on_a_day():
    assert Personnummer("19121212-1212").age_on(date(2026, 12, 11)) == 113
    assert Personnummer("19121212-1212").age_on(date(2026, 12, 12)) == 114
