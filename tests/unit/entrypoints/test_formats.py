"""One way to write an amount and a personnummer on every staff page (web/filters: kr, personnummer_shown)."""
from __future__ import annotations

import pytest

from services.entrypoints.web.filters import kr

NBSP, MINUS = "\u00a0", "\u2212"


@pytest.mark.parametrize("ore, shown", [
    (0, f"0,00{NBSP}kr"),
    (5, f"0,05{NBSP}kr"),
    (123456, f"1{NBSP}234,56{NBSP}kr"),
    (123456789, f"1{NBSP}234{NBSP}567,89{NBSP}kr"),
    (-150, f"{MINUS}1,50{NBSP}kr"),  # not -2,50: the sign is taken before the division
    (-123456, f"{MINUS}1{NBSP}234,56{NBSP}kr"),
])
def test_an_amount_in_ore_is_written_in_kronor_the_swedish_way(ore, shown):
    assert kr(ore) == shown


def test_a_personnummer_is_written_with_its_hyphen_and_anything_else_as_it_is():
    from services.entrypoints.web.filters import personnummer_shown

    assert personnummer_shown("191212121212") == "19121212-1212"
    assert personnummer_shown("kund-7") == "kund-7"
