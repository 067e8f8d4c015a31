"""Rule packs are data: versioned per municipality and period, validated when loaded."""
import json
from datetime import date

import pytest
from pydantic import ValidationError

from services.billing.domain.rules import HERE, RuleBook, RulePack, load, rule_book


def _pack(**over):
    raw = json.loads((HERE / "haninge-2025.json").read_text())
    raw.update(over)
    return RulePack.model_validate(raw)


def test_march_keeps_its_rate_when_april_changes_it():
    """GIVEN Haninge's packs WHEN March and April 2026 are billed THEN each month has its own pack."""
    march, april = rule_book().for_month("haninge", 2026, 3), rule_book().for_month("haninge", 2026, 4)
    assert march.version == "2026.1" and april.version == "2026.2"
    assert march.hourly_rate_ore != april.hourly_rate_ore


def test_the_seed_rules_are_what_haninge_ships():
    pack = rule_book().for_month("haninge", 2026, 5)
    assert [str(s) for s in pack.absence.day_shares] == ["1", "1"]
    assert pack.absence.none_if_announced_hours_before == 48
    assert len(pack.termination.day_shares) == 5 and pack.termination.none_if_provider_mismanaged
    assert str(pack.granted.day_divisor) == "30.4"
    codes = pack.reference_codes
    assert (codes.at_or_over_age_limit, codes.under_age_limit, codes.under_age_limit_social_psychiatry) == \
        ("780201", "350101", "333601")
    assert pack.payment_terms_days == 30


def test_the_second_municipality_carries_another_absence_rule():
    pack = rule_book().for_month("exempel", 2026, 5)
    assert [str(s) for s in pack.absence.day_shares] == ["0.75", "0.25", "0.25", "0.25", "0.25"]


@pytest.mark.parametrize("year,pbb", [(2025, 5_880_000), (2026, 5_920_000)])
def test_contact_person_figures_per_year(year, pbb):
    # the yearly figures are one table with their year (issue 20 item 2), no longer a copy in each pack
    figures = rule_book().figures
    assert (figures.prisbasbelopp(year).value, figures.prisbasbelopp(year).figure_year) == (pbb, year)
    assert figures.mileage(year).value == 250


def test_overlapping_periods_of_one_municipality_are_refused():
    with pytest.raises(ValueError, match="overlap"):
        RuleBook([_pack(), _pack(version="x", valid_from="2025-06-01", valid_to=None)])


@pytest.mark.parametrize("over", [{"valid_from": "2025-01-02"}, {"valid_to": "2025-12-30"},
                                  {"hourly_rate_ore": 0}, {"absence": {"kinds": ["hospital"], "day_shares": ["1.5"]}},
                                  {"unknown": 1}])
def test_a_pack_that_does_not_make_sense_does_not_load(over):
    with pytest.raises(ValidationError):
        _pack(**over)


def test_no_pack_no_basis():
    from services.domain.errors import NotFound

    with pytest.raises(NotFound):
        rule_book().for_month("haninge", 2019, 1)


def test_every_shipped_file_loads_and_names_its_sources():
    book = load()
    for municipality in book.municipalities():
        for pack in book.packs(municipality):
            assert {"compensation", "hourly_rate_ore", "prisbasbelopp_ore", "mileage_ore_per_km"} <= pack.sources.keys()
            assert pack.valid_from >= date(2025, 1, 1)
