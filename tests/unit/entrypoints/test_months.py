"""The month a staff page is asked for (``?manad=ÅÅÅÅ-MM``): one pattern and one error for every section."""
from __future__ import annotations

import types
from datetime import date

import pytest

from services.entrypoints.web.months import MONTH_ERROR, asked_month, month_before, month_of


def asked(value: str | None, default: str = "2026-12") -> tuple[str, dict[str, str]]:
    return asked_month(types.SimpleNamespace(query={} if value is None else {"manad": value}), default)


def test_no_month_asked_is_the_pages_default():
    assert asked(None) == ("2026-12", {}) and asked("  ") == ("2026-12", {})


@pytest.mark.parametrize("value", ["2026-13", "2026-1", "26-11", "1999-11", "2026-11-01", "nov"])
def test_a_month_that_is_none_is_named_with_the_error_and_kept_as_written(value):
    assert asked(value) == (value, {"manad": MONTH_ERROR})


def test_a_month_is_taken_as_asked():
    assert asked(" 2025-01 ") == ("2025-01", {})


def test_the_month_of_a_day_and_the_month_before_it_across_a_new_year():
    assert month_of(date(2026, 3, 31)) == "2026-03"
    assert month_before(date(2026, 3, 31)) == "2026-02" and month_before(date(2026, 1, 1)) == "2025-12"
