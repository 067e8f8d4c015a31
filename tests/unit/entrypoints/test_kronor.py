"""One way to write an amount on every staff page (web/filters.kr)."""
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
