"""Att göra: what waits for a case worker, counted from case work's own data. Visit deviations
(time beyond the granted, manual receipts) are the visits service's and are not counted here."""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ....auth.principal import Principal
from ....domain.calendar import stockholm_date
from ..models.inbox import TodoCounts, TodoItem
from .inbox import forms_of

if TYPE_CHECKING:
    from ...bootstrap import EservicesDeps
    from ...domain.cases import Case

ENDING_WITHIN_DAYS = 30
# A case worker's clients are read from their open cases, at most this many (a page of the index each hundred).
MAX_CLIENT_CASES = 500


def my_open_cases(deps: EservicesDeps, who: Principal) -> list[Case]:
    """The cases taken in by ``who`` and not yet decided (Under utredning), newest first."""
    me = who.user_id or who.subject
    cases: list[Case] = []
    cursor: str | None = None
    while len(cases) < MAX_CLIENT_CASES:
        page, cursor = deps.casework.inbox.page(status="in_progress", category=None, after=None, before=None,
                                                limit=100, cursor=cursor, case_worker=me)
        cases += page
        if cursor is None:
            break
    return cases


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
        TodoItem(key="relatives_ending", label=f"Godkända närstående som upphör inom {ENDING_WITHIN_DAYS} dagar",
                 count=ending, hint="Gäller dina klienter med ärenden under utredning."),
        TodoItem(key="messaging_off", label="Ärenden där meddelandefunktionen inte är aktiverad",
                 count=without_messaging, hint="Aktivera den innan beslutet fattas."),
    ]
    return TodoCounts(items=items, not_here=[
        "Avvikelser i besök att besluta om (tid utöver beviljad, manuella kvitteringar) finns i besöksuppföljningen. "
        "Den här tjänsten kan inte läsa besöken, så de räknas inte här: följ länken."])
