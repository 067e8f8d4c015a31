"""The citizens' section as the request cycle serves it: the e-services' deps, the citizen pages,
whom a person acts for (themselves, or a citizen who approved them: ``eservices.acting_for``) and
the page for a session that ended while a step was being filled in."""
from __future__ import annotations

from pathlib import Path

from ....eservices.acting_for import resolve_acting
from ....eservices.bootstrap import deps
from ..http import Section
from .session import session_ended

CITIZEN = Section(service="eservices", deps=deps, templates=Path(__file__).resolve().parent / "templates",
                  acting=resolve_acting, session_ended=session_ended)
