"""The shared input bounds: dates in a sane window, text without control characters."""
from datetime import date, datetime, timezone

import pytest
from pydantic import BaseModel, ValidationError

from services.domain.bounds import CleanLine, CleanText, SaneDate, SaneDatetime, ascii_digits


class Probe(BaseModel):
    day: SaneDate | None = None
    at: SaneDatetime | None = None
    text: CleanText | None = None
    line: CleanLine | None = None


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31), date(1899, 12, 31), date(2101, 1, 1)])
def test_dates_outside_the_window_are_refused(day):
    with pytest.raises(ValidationError) as exc:
        Probe(day=day)
    assert exc.value.errors()[0]["loc"] == ("day",)


def test_dates_inside_the_window_pass():
    assert Probe(day=date(2026, 10, 1)).day == date(2026, 10, 1)


@pytest.mark.parametrize("raw", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_datetimes_at_the_ends_of_the_calendar_are_refused(raw):
    with pytest.raises(ValidationError):
        Probe(at=raw)


def test_a_datetime_without_a_time_zone_is_refused():
    with pytest.raises(ValidationError):
        Probe(at="2026-10-01T08:00:00")
    assert Probe(at=datetime(2026, 10, 1, 8, tzinfo=timezone.utc)).at.year == 2026


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "a\u202eb", "a\ud800b"])
def test_control_characters_and_lone_surrogates_are_refused(bad):
    with pytest.raises(ValidationError):
        Probe(text=bad)


def test_multiline_text_keeps_line_breaks_but_a_line_does_not():
    assert Probe(text="rad 1\nrad 2\ttab").text == "rad 1\nrad 2\ttab"
    with pytest.raises(ValidationError):
        Probe(line="rad 1\nrad 2")


def test_only_ascii_digits_are_digits():
    assert ascii_digits("2026")
    assert not ascii_digits("²")
    assert not ascii_digits("١٩٦٠")
    assert not ascii_digits("２０２６")
