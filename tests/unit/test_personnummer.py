from datetime import date

import pytest

from services.domain.personnummer import InvalidPersonnummer, Personnummer, mask, mask_text


@pytest.mark.parametrize("raw", ["191212121212", "19121212-1212", "121212-1212", "1212121212", " 19121212-1212 "])
def test_accepted_forms_are_stored_as_12_digits(raw):
    assert Personnummer(raw, today=date(2026, 11, 24)) in ("191212121212", "201212121212")


def test_ten_digit_form_names_the_latest_century_under_100():
    assert Personnummer("121212-1212", today=date(2026, 11, 24)) == "201212121212"
    assert Personnummer("121212+1212", today=date(2026, 11, 24)) == "191212121212"


def test_plus_with_twelve_digits_marks_a_centenarian_and_the_century_is_the_one_given():
    assert Personnummer("19121212+1212", today=date(2026, 11, 24)) == "191212121212"
    with pytest.raises(InvalidPersonnummer, match="100"):  # born 2012: not 100 years old
        Personnummer("20121212+1212", today=date(2026, 11, 24))


# The shared test vectors of the ``personnummer`` libraries (their meta repository's list):
# each number in its four written forms, and whether it is valid.
VECTORS = [
    # long, short, separated, separated long, valid
    ("201509160006", "1509160006", "150916-0006", "20150916-0006", False),  # serial 000
    ("190905271474", "0905271474", "090527+1474", "19090527+1474", True),
    ("198707049996", "8707049996", "870704-9996", "19870704-9996", False),
    ("198211059954", "8211059954", "821105-9954", "19821105-9954", True),
    ("193901829913", "3901829913", "390182-9913", "19390182-9913", False),  # samordningsnummer
    ("195705749959", "5705749959", "570574-9959", "19570574-9959", True),   # samordningsnummer
    ("201211209941", "1211209941", "121120-9941", "20121120-9941", False),
    ("199012119948", "9012119948", "901211-9948", "19901211-9948", True),
    ("201210759984", "1210759984", "121075-9984", "20121075-9984", False),  # samordningsnummer
    ("197306749982", "7306749982", "730674-9982", "19730674-9982", True),   # samordningsnummer
    ("187912219990", "7912219990", "791221+9990", "18791221+9990", True),
    ("200012099891", "0012099891", "001209-9891", "20001209-9891", True),
    ("19090527 1474", "090527 1474", "090527 1474", "19090527 1474", False),  # a space is not a separator
]


def _valid(raw: str) -> bool:
    try:
        Personnummer(raw, today=date(2026, 11, 24))
    except InvalidPersonnummer:
        return False
    return True


@pytest.mark.parametrize("forms", VECTORS, ids=[v[0] for v in VECTORS])
def test_the_shared_vectors_in_every_written_form(forms):
    *written, valid = forms
    assert {raw: _valid(raw) for raw in written} == {raw: valid for raw in written}


@pytest.mark.parametrize("long,separated", [(v[0], v[3]) for v in VECTORS if v[4]])
def test_the_forms_that_name_the_century_store_that_century(long, separated):
    assert Personnummer(separated, today=date(2026, 11, 24)) == long
    assert Personnummer(long, today=date(2026, 11, 24)) == long


def test_the_plus_form_of_a_centenarian_gives_the_right_century():
    assert Personnummer("090527+1474", today=date(2026, 11, 24)) == "190905271474"
    assert Personnummer("791221+9990", today=date(2026, 11, 24)) == "187912219990"


@pytest.mark.parametrize("raw", [
    "\u0661\u0669\u0666\u0660\u0660\u0664\u0660\u0664\u0662\u0660\u0664\u0667",  # Arabic-Indic 196004042047
    "\uff11\uff19\uff16\uff10\uff10\uff14\uff10\uff14\uff12\uff10\uff14\uff17",  # full-width
    "19600404204\u0667",  # one foreign digit at the end
    "1960\u00b2404-2047",   # a superscript two
    "19600404\n2047",      # a line break inside
    "1960 0404 2047", "19600404 2047", "19600404--2047", "19600404-+2047",
])
def test_only_ascii_digits_and_one_separator_make_a_personnummer(raw):
    assert Personnummer("196004042047") == "196004042047"  # the ASCII form is valid
    with pytest.raises(InvalidPersonnummer):
        Personnummer(raw)


def test_the_json_schema_pattern_is_the_one_pattern_and_ascii_only():
    import re

    from pydantic import BaseModel

    from services.domain.personnummer import JSON_SCHEMA_PATTERN, PersonnummerField

    class M(BaseModel):
        pnr: PersonnummerField

    pattern = M.model_json_schema()["properties"]["pnr"]["pattern"]
    assert pattern == JSON_SCHEMA_PATTERN and "\\d" not in pattern
    assert re.fullmatch(pattern, "19090527+1474") and re.fullmatch(pattern, "9012119948")
    assert not re.fullmatch(pattern, "\u0661" * 12) and not re.fullmatch(pattern, "19090527 1474")


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


def test_the_tests_numbers_never_repeat_in_a_worker():
    """GIVEN one worker's tests sharing one moto server, asking for far more than one birth date's
    999 serials WHEN each asks for a new number THEN none is handed out twice (a repeated number
    meant another test's profile, idempotency key or case), and each is a valid personnummer."""
    from tests.support.people import new_pnr

    numbers = [new_pnr() for _ in range(5000)] + [new_pnr(1990) for _ in range(1500)]
    assert len(set(numbers)) == len(numbers)
    assert all(Personnummer(n).birth_date.year in (1950, 1990) for n in numbers)
    # AND a birth date named is kept (a test of an exact age)
    assert Personnummer(new_pnr(1961, 3, 1)).birth_date == date(1961, 3, 1)
