"""The rules in force: the packs shipped as files (``domain/rules/*.json``) and the versions finance
stored since (``RulePackStore``), read from the store on each use, so a version stored in one Lambda
is in force in every other at once. A stored version begins at a month's first day and is in force
until a later pack replaces it; it never changes a shipped file, nor a month billed before it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .domain.rules import PreliminaryAmount, RuleBook, RulePack

if TYPE_CHECKING:
    from .ports import RulePackStore


def combined(files: RuleBook, stored: list[RulePack], municipality: str) -> RuleBook:
    """One municipality's shipped packs and ``stored`` after them (a later begin replaces)."""
    return RuleBook([*files.packs(municipality), *stored], files.figures, later_replaces=True)


class RulesInForce:
    """``RuleBook``'s reading side, over the files and the store."""

    def __init__(self, files: RuleBook, store: RulePackStore) -> None:
        self.files, self.store = files, store

    @property
    def figures(self):  # noqa: ANN201 - the files' YearlyFigures
        return self.files.figures

    def book(self, municipality: str) -> RuleBook:
        return combined(self.files, [s.pack for s in self.store.stored_rule_packs(municipality)], municipality)

    def municipalities(self) -> list[str]:
        return self.files.municipalities()

    def packs(self, municipality: str) -> list[RulePack]:
        return self.book(municipality).packs(municipality)

    def for_month(self, municipality: str, year: int, month: int) -> RulePack:
        return self.book(municipality).for_month(municipality, year, month)

    @staticmethod
    def preliminary(pack: RulePack, year: int, month: int) -> list[PreliminaryAmount]:
        return RuleBook.preliminary(pack, year, month)


def files_of(rules: RuleBook | RulesInForce) -> RuleBook:
    """The shipped packs, whichever the deps carry."""
    return rules.files if isinstance(rules, RulesInForce) else rules
