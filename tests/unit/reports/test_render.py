"""CSV cells never run as formulas; the chart's axis has round ticks and names every value."""
import pytest

from services.reports.domain.render import _nice_step, safe_cell, to_svg


@pytest.mark.parametrize("text", ["=1+1", "+46701234567", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_given_text_a_spreadsheet_would_run_when_written_then_it_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value,expected", [(0.9671, "0,9671"), (1.0, "1"), (12, "12"), (True, "Ja"), (None, ""),
                                            ("prov-a", "prov-a")])
def test_given_numbers_and_flags_when_written_then_swedish_forms(value, expected):
    assert safe_cell(value) == expected


def test_given_providers_when_charted_then_round_ticks_and_a_text_alternative_with_every_value():
    report = {"month": "2026-10", "providers": [
        {"provider_id": "a", "performed_minutes": 552 * 60, "granted_minutes": 535 * 60, "share_performed": 1.03},
        {"provider_id": "b", "performed_minutes": 0, "granted_minutes": 0, "share_performed": None}]}
    svg = to_svg(report)
    assert _nice_step(552) == 200 and ">600</text>" in svg and ">200</text>" in svg
    assert "a: utförd 552 timmar av beviljad 535 timmar (103 %); b: utförd 0 timmar av beviljad 0 timmar" in svg
