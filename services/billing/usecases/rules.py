"""The rules in force, per municipality: the shipped packs (files) and the versions finance stored,
each with its period, version, source and figures; a new version is checked before it is used — a
candidate validated by the ``RulePack`` model, previewed on the current month (each provider's basis
totals under the pack in force and under the candidate), and only then stored, from a month no
earlier than the first month still open (a month already locked keeps its pack)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from ...auth.policy import authorize
from ...auth.principal import Principal
from pydantic import ValidationError

from ...domain.calendar import is_month_open, stockholm_date
from ...domain.errors import FieldError, NotFound, ValidationFailed
from ..domain import basis as rules
from ..domain.approvals import StoredRulePack
from ..domain.model import profile_of
from ..domain.rules import HERE, RuleBook, RulePack
from ..ports import BillingDeps
from ..rule_book import combined, files_of


@dataclass(frozen=True)
class PackRow:
    pack: RulePack
    source: str  # the file it ships in, or who stored it and when
    stored: StoredRulePack | None
    in_force_from: date
    replaced_from: date | None  # a later pack begins then
    in_force_now: bool


def _shipped_files() -> dict[tuple[str, str], str]:
    found = {}
    for path in sorted(HERE.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[(data.get("municipality", ""), data.get("version", ""))] = f"domain/rules/{path.name}"
    return found


def first_open_month(deps: BillingDeps) -> tuple[int, int]:
    """The earliest month still open (its lock date not passed): the current month of billing, and
    the earliest a new rule version may apply from."""
    now = deps.clock()
    today = stockholm_date(now)
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return (year, month) if is_month_open(year, month, now) else (today.year, today.month)


def book(deps: BillingDeps, municipality: str, extra: list[RulePack] = ()) -> RuleBook:
    stored = [s.pack for s in deps.store.stored_rule_packs(municipality)]
    return combined(files_of(deps.rules), [*stored, *extra], municipality)


def rules_in_force(deps: BillingDeps, who: Principal) -> dict[str, list[PackRow]]:
    """Every municipality's packs, oldest first."""
    files = files_of(deps.rules)
    shipped = _shipped_files()
    year, month = first_open_month(deps)
    out: dict[str, list[PackRow]] = {}
    # billing's own municipality first, then the others (examples, neighbours) by name
    for municipality in sorted({*files.municipalities(), deps.municipality}, key=lambda m: (m != deps.municipality, m)):
        stored = {s.pack.version: s for s in deps.store.stored_rule_packs(municipality)}
        packs = book(deps, municipality).packs(municipality)
        try:
            now = book(deps, municipality).for_month(municipality, year, month)
        except NotFound:  # a municipality whose first pack begins later
            now = None
        rows = []
        for i, pack in enumerate(packs):
            s = stored.get(pack.version)
            source = (f"Sparad i Insats av {s.stored_by_name or s.stored_by}" if s else
                      f"Fil {shipped.get((pack.municipality, pack.version), '(okänd fil)')}")
            later = packs[i + 1].valid_from if i + 1 < len(packs) else None
            rows.append(PackRow(pack=pack, source=source, stored=s, in_force_from=pack.valid_from,
                                replaced_from=later, in_force_now=pack is now))
        out[municipality] = rows
    return out


# -- a new version --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """What finance entered, over the pack in force at its first month."""

    municipality: str
    version: str
    valid_from: date
    valid_to: date | None
    hourly_rate_ore: int
    rural_per_hour_ore: int
    payment_terms_days: int
    decision: str  # the decision it comes from (diarienummer, date)


def candidate_pack(deps: BillingDeps, c: Candidate) -> RulePack:
    """The candidate as a ``RulePack``: the pack in force at its first month with the figures
    entered. ``ValidationFailed`` (field by field) when the model or the rules below refuse it."""
    errors = []
    current = book(deps, c.municipality)
    if c.municipality not in current.municipalities():
        raise ValidationFailed.field("municipality", "no rule pack of this municipality to start from")
    known = {p.version for p in current.packs(c.municipality)}
    if c.version in known:
        errors.append(("version", "a pack of this municipality has this version already"))
    open_year, open_month = first_open_month(deps)
    if c.valid_from < date(open_year, open_month, 1):
        errors.append(("valid_from", f"a new version applies from {open_year:04d}-{open_month:02d} at the earliest"))
    if errors:
        raise ValidationFailed("; ".join(d for _, d in errors), errors=[FieldError(f, d) for f, d in errors])
    base = current.for_month(c.municipality, c.valid_from.year, c.valid_from.month)
    data = base.model_dump(mode="json")
    data.update(version=c.version, valid_from=c.valid_from.isoformat(),
                valid_to=c.valid_to.isoformat() if c.valid_to else None, hourly_rate_ore=c.hourly_rate_ore,
                payment_terms_days=c.payment_terms_days,
                sources={**base.sources, "decision": c.decision,
                         "based_on": f"{base.pack_id} {base.version}: other figures unchanged"})
    data["supplements"] = {**data["supplements"], "rural_per_hour_ore": c.rural_per_hour_ore}
    try:
        return RulePack.model_validate(data)
    except ValidationError as exc:
        found = [FieldError(".".join(str(x) for x in e["loc"]) or "pack", e["msg"]) for e in exc.errors()]
        raise ValidationFailed("; ".join(e.detail for e in found), errors=found) from None


@dataclass(frozen=True)
class ProviderDifference:
    provider_id: str
    provider_name: str | None
    before: rules.Totals
    after: rules.Totals


@dataclass(frozen=True)
class Preview:
    month: str
    in_force: RulePack
    candidate: RulePack
    providers: list[ProviderDifference]


def preview(deps: BillingDeps, who: Principal, candidate: RulePack) -> Preview:
    """Each provider's basis of the current month under the pack in force and under the candidate."""
    year, month = first_open_month(deps)
    in_force = book(deps, candidate.municipality).for_month(candidate.municipality, year, month)
    out = []
    if candidate.municipality == deps.municipality:  # billing's read model is its own municipality's
        for provider in deps.store.providers(year, month):
            months = deps.store.month(provider, year, month)
            records = deps.store.clients(cm.client for cm in months)
            grants = {c: r.grants for c, r in records.items()}
            profiles = {c: profile_of(r, year, month) for c, r in records.items()}
            before = rules.compute(provider, year, month, months, grants, profiles, in_force)
            after = rules.compute(provider, year, month, months, grants, profiles, candidate)
            out.append(ProviderDifference(provider, deps.store.provider_name(provider), before.totals, after.totals))
    return Preview(month=f"{year:04d}-{month:02d}", in_force=in_force, candidate=candidate, providers=out)


def store_version(deps: BillingDeps, who: Principal, candidate: RulePack) -> StoredRulePack:
    """Stores the checked candidate: once per version (``Conflict`` otherwise)."""
    authorize(who, "rules.manage")
    stored = StoredRulePack(pack=candidate, stored_at=deps.clock(), stored_by=who.user_id or who.subject,
                            stored_by_name=who.name or "")
    deps.store.add_rule_pack(stored)
    return stored


