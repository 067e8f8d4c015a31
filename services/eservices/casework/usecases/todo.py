"""Att göra: what waits for a case worker, counted from case work's own data. Visit deviations
(time beyond the granted, manual receipts) are the visits service's: they are counted from case
work's projection of its ``visit.changed`` events (``visit_deviations.py``), and decided there."""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ....auth.principal import Principal
from ....domain.calendar import stockholm_date
from ..models.inbox import TodoCounts, TodoItem
from .inbox import forms_of
from .visit_deviations import pending_deviations

if TYPE_CHECKING:
    from ...bootstrap import EservicesDeps
    from ...domain.cases import Case

ENDING_WITHIN_DAYS = 30
# A case worker's clients are read from their cases, at most this many of each status read (a page
# of the index each hundred).
MAX_CLIENT_CASES = 500


def my_cases(deps: EservicesDeps, who: Principal, status: str) -> list[Case]:
    """The cases taken in by ``who`` of one status, newest first, at most ``MAX_CLIENT_CASES``."""
    me = who.user_id or who.subject
    cases: list[Case] = []
    cursor: str | None = None
    while len(cases) < MAX_CLIENT_CASES:
        page, cursor = deps.casework.inbox.page(status=status, category=None, after=None, before=None,
                                                limit=100, cursor=cursor, case_worker=me)
        cases += page
        if cursor is None:
            break
    return cases[:MAX_CLIENT_CASES]


def my_open_cases(deps: EservicesDeps, who: Principal) -> list[Case]:
    """The cases taken in by ``who`` and not yet decided (Under utredning), newest first."""
    return my_cases(deps, who, "in_progress")


def my_clients(deps: EservicesDeps, who: Principal, open_cases: list[Case] | None = None) -> list[str]:
    """Whose visits ``who`` follows: the owners of their cases under investigation and of their
    decided ones (a decision's visits are followed up; the newest ``MAX_CLIENT_CASES`` decided).
    A closed case's client is no longer theirs."""
    cases = (my_open_cases(deps, who) if open_cases is None else open_cases) + my_cases(deps, who, "decided")
    return sorted({str(c.owner) for c in cases})


def todo_counts(deps: EservicesDeps, who: Principal) -> TodoCounts:
    inbox = deps.casework.inbox
    reports = forms_of("reports") or frozenset()
    mine = my_open_cases(deps, who)
    clients = sorted({str(c.owner) for c in mine})
    today = stockholm_date(deps.clock())
    horizon = today + timedelta(days=ENDING_WITHIN_DAYS)
    ending = 0
    for client in clients:
        ending += sum(1 for a in deps.approvals.of_citizen(client)
                      if a.active_on(today) and a.valid_to is not None and a.valid_to <= horizon)
    off = {client for client in clients
           if (settings := deps.casework.messaging.find(client)) is None or not settings.enabled}
    without_messaging = sum(1 for c in mine if str(c.owner) in off)
    me = who.user_id or who.subject
    unread = sum(1 for t in deps.casework.threads.of_case_worker(me) if t.unread_case_worker)
    deviations = pending_deviations(deps.casework.visit_deviations, my_clients(deps, who, mine), deps.clock())
    items = [
        TodoItem(key="new_applications", label="Nya e-ansökningar att koppla",
                 count=inbox.count(status="submitted", forms=forms_of("applications")),
                 filter={"status": "new", "kind": "applications"}),
        TodoItem(key="my_cases", label="Mina ärenden under utredning", count=len(mine),
                 filter={"mine": "1", "status": "in_progress"}),
        TodoItem(key="reports", label="Rapporter från kontaktpersoner att godkänna",
                 count=inbox.count(status="submitted", forms=reports) + inbox.count(status="received", forms=reports),
                 filter={"kind": "reports"}),
        TodoItem(key="unread_messages", label="Olästa meddelanden", count=unread),
        TodoItem(key="visit_deviations", label="Avvikelser i besök att besluta om", count=deviations,
                 hint="Tid utöver beviljad tid och manuella kvitteringar i besök hos dina klienter (ärenden under "
                      "utredning eller beslutade). Du beslutar om dem i besöksuppföljningen."),
        TodoItem(key="relatives_ending", label=f"Godkända närstående som upphör inom {ENDING_WITHIN_DAYS} dagar",
                 count=ending, hint="Gäller dina klienter med ärenden under utredning."),
        TodoItem(key="messaging_off", label="Ärenden där meddelandefunktionen inte är aktiverad",
                 count=without_messaging, hint="Aktivera den innan beslutet fattas."),
    ]
    return TodoCounts(items=items)
