"""The laws a decision is made under, as data: each act in its SFS version with the days it was in
force. A decision cites the version in force on its decision date (Stockholm), so a decision of
2025-06-30 cites SoL (2001:453) and one of 2025-07-01 the new SoL (2025:400); a later law is one
more row here, never a code change. Dates are inclusive; ``None`` is open-ended."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from ....domain.calendar import stockholm_date
from ....domain.periods import in_force

Act = Literal["SoL", "LSS"]


@dataclass(frozen=True)
class Statute:
    act: Act
    sfs: str
    name: str  # as a letter cites it: "socialtjänstlagen (2001:453)"
    # the provision that gives the right to the insats; None where not verified for this version
    provision: str | None
    valid_from: date
    valid_to: date | None


STATUTES: tuple[Statute, ...] = (
    Statute("SoL", "2001:453", "socialtjänstlagen (2001:453)", "4 kap. 1 §", date(2002, 1, 1), date(2025, 6, 30)),
    Statute("SoL", "2025:400", "socialtjänstlagen (2025:400)", None, date(2025, 7, 1), None),
    Statute("LSS", "1993:387", "lagen (1993:387) om stöd och service till vissa funktionshindrade", "9 §",
            date(1994, 1, 1), None),
)

# A decision's law code (``catalog.Law``) and the act it is made under: income support
# (försörjningsstöd, "FB") is bistånd under the Social Services Act.
ACT_OF: dict[str, Act] = {"SoL": "SoL", "LSS": "LSS", "FB": "SoL"}


class NoLawInForce(LookupError):
    pass


def statute_in_force(law: str, day: date) -> Statute:
    act = ACT_OF[law]
    for statute in STATUTES:
        if statute.act == act and in_force(statute.valid_from, statute.valid_to, day):
            return statute
    raise NoLawInForce(f"no {act} in force on {day.isoformat()}")


def statute_by_sfs(sfs: str) -> Statute:
    return next(s for s in STATUTES if s.sfs == sfs)


def citation(law: str, sfs: str) -> str:
    """How a letter and the decision view cite it: "socialtjänstlagen (2001:453) 4 kap. 1 §"."""
    statute = statute_by_sfs(sfs)
    text = f"{statute.name} {statute.provision}" if statute.provision else statute.name
    return f"{text} (försörjningsstöd)" if law == "FB" else text


def cited_sfs(law: str, law_sfs: str | None, decided_at: datetime) -> str:
    """The version a decision cites: the one it stored, else (made before it was stored) the one
    in force on its decision date."""
    return law_sfs or statute_in_force(law, stockholm_date(decided_at)).sfs


def decision_citation(decision: object) -> str:
    """The citation of a stored decision (``cases.Decision`` or its JSON dict)."""
    get = decision.get if isinstance(decision, dict) else lambda k, d=None: getattr(decision, k, d)
    decided_at = get("decided_at")
    if isinstance(decided_at, str):
        decided_at = datetime.fromisoformat(decided_at)
    law = str(get("law") or "")
    if law not in ACT_OF or decided_at is None:
        return ""
    return citation(law, cited_sfs(law, get("law_sfs"), decided_at))
