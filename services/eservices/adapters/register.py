"""The population register's adapters. Locally the register is a fixture file of fictional
people (``POPULATION_REGISTER_FILE``); in production an adapter for Skatteverket's register goes
behind the same port (``ports.PopulationRegister``)."""
from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.people import RegisteredPerson

if TYPE_CHECKING:
    from ..ports import PopulationRegister


class FixtureRegister:
    def __init__(self, path: Path) -> None:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        self._people = {p["personnummer"]: RegisteredPerson.model_validate(p) for p in data["population_register"]}

    def lookup(self, personnummer: str) -> RegisteredPerson | None:
        return self._people.get(str(personnummer))


class NoRegister:
    """No register configured: nothing is prefilled, the person types it in."""

    def lookup(self, personnummer: str) -> RegisteredPerson | None:
        return None


@cache
def configured_register() -> PopulationRegister:
    path = os.environ.get("POPULATION_REGISTER_FILE")
    return FixtureRegister(Path(path)) if path else NoRegister()
