"""The kinds of a client's absence from home care, one list for visits (which registers them),
the event that carries them, reports (which count them) and billing (whose rule packs compensate
some of them)."""
from __future__ import annotations

from typing import Literal, get_args

# hospital: in hospital; short_term_stay: korttidsvistelse; terminated: the insats ended.
AbsenceKind = Literal["hospital", "short_term_stay", "other", "terminated"]
ABSENCE_KINDS: tuple[str, ...] = get_args(AbsenceKind)
