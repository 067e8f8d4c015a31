"""What case workers choose from: intake types, insatser with their law, who an application came
from. Codes are stable identifiers (events and other services use them); labels are Swedish."""
from __future__ import annotations

from typing import Literal, get_args

from ....domain.insatser import FB, LSS, LSS_INSATSER, SOL, SOL_INSATSER

Law = Literal["SoL", "LSS", "FB"]

INTAKE_TYPES: dict[str, str] = {
    "ansokan_sol": "Ansökan SoL",
    "begaran_lss": "Begäran LSS",
    "forenklad_handlaggning": "Förenklad handläggning",
}
IntakeType = Literal["ansokan_sol", "begaran_lss", "forenklad_handlaggning"]
# Which intake fits which area of an application: LSS is requested (begäran), SoL applied for;
# simplified handling (förenklad handläggning) is a form of elderly care's.
INTAKE_TYPES_BY_AREA: dict[str, frozenset[str]] = {
    SOL: frozenset({"ansokan_sol", "forenklad_handlaggning"}),
    LSS: frozenset({"begaran_lss"}),
    FB: frozenset({"ansokan_sol"}),
}

# "Från vem" and "Aktualiseringssätt" of an intake (seed 002 shows "Den enskilde" and "E-ansökan";
# the rest are the other ways a matter reaches social services). Each Literal below is its dict's
# keys, checked at import, so a code is added in one place with its Swedish label.
FROM_WHOM: dict[str, str] = {
    "den_enskilde": "Den enskilde",
    "narstaende": "Anhörig / närstående",
    "god_man": "God man / förvaltare",
    "myndighet": "Myndighet",
    "vard": "Vårdgivare (hälso- och sjukvård)",
    "annan": "Annan",
}
FromWhom = Literal["den_enskilde", "narstaende", "god_man", "myndighet", "vard", "annan"]

E_APPLICATION = "e_ansokan"
CHANNELS: dict[str, str] = {
    E_APPLICATION: "E-ansökan",
    "telefon": "Telefon",
    "brev": "Brev",
    "besok": "Besök",
    "anmalan": "Anmälan (t.ex. orosanmälan)",
}
Channel = Literal["e_ansokan", "telefon", "brev", "besok", "anmalan"]
assert set(get_args(FromWhom)) == set(FROM_WHOM) and set(get_args(Channel)) == set(CHANNELS)

# Every insats a decision can be about, with its law. ``hemtjanst`` is the one with granted
# time per month (the source of granted time for visits and billing).
INSATSER: dict[str, tuple[Law, str]] = {
    **{c.value: ("SoL", c.label) for c in SOL_INSATSER},
    **{c.value: ("LSS", c.label) for c in LSS_INSATSER},
    "forsorjningsstod": ("FB", "Försörjningsstöd"),
}
LSS_CODES: frozenset[str] = frozenset(c.value for c in LSS_INSATSER)
HOME_CARE = "hemtjanst"
MAX_MINUTES_PER_MONTH = 31 * 24 * 60


def law_of(insats: str) -> Law:
    return INSATSER[insats][0]


def label_of(insats: str) -> str:
    return INSATSER[insats][1]
