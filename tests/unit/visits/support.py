"""Fictional people for the visits tests, from tests/fixtures/visits/people.json."""
import json
from pathlib import Path

PEOPLE = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "visits" / "people.json").read_text())
