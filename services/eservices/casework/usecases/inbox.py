"""The inbox of e-applications and a case as case workers see it. All case workers see all
cases; every page and every case read leaves an audit record per person shown."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ....auth.principal import Principal
from ....domain.calendar import STOCKHOLM
from ....domain.errors import Forbidden, NotFound
from ....domain.files import StoredFile
from ....domain.personnummer import mask
from ....domain.personnummer import parse as parse_pnr
from ...domain.cases import NEXT_STATUSES, STATUS_LABELS_SV, Case, staff_status, stored_status
from ...domain.forms import get_form
from ...domain.forms.engine import typed_answers, typed_computed
from ..domain.identity import PROTECTED_NAME, is_protected
from ..domain.laws import decision_citation
from ..models.inbox import (CaseView, InboxPage, InboxQuery, InboxRow, StaffDocument, StaffInboxQuery,
                            StatusStepView)
from .audit import trail

if TYPE_CHECKING:
    from ...bootstrap import EservicesDeps


def _utc_midnight(day: Any) -> str:
    return datetime.combine(day, time(), STOCKHOLM).astimezone(timezone.utc).isoformat()


def protected(deps: EservicesDeps, case: Case) -> bool:
    """Protected identity, as stored at submit or as the register says now (it may be added later)."""
    return case.protected_identity or is_protected(deps.register, case.owner)


def shown_to(deps: EservicesDeps, case: Case, who: Principal) -> bool:
    """May ``who`` see the name and personal answers of ``case``? Anyone, unless the owner has
    protected identity: then only the case worker assigned at intake."""
    if not protected(deps, case):
        return True
    return case.intake is not None and case.intake.case_worker_id == (who.user_id or who.subject)


def row(case: Case, *, is_protected: bool = False) -> InboxRow:
    code, label = staff_status(case.status)
    return InboxRow(case_id=case.case_id, case_number=case.case_number, personnummer=mask(case.owner),
                    name=PROTECTED_NAME if is_protected else case.applicant_name, protected_identity=is_protected,
                    category=case.category, status=code, status_label=label, submitted_at=case.submitted_at,
                    submitted_on=case.submitted_at.astimezone(STOCKHOLM).date())


def list_inbox(deps: EservicesDeps, who: Principal, query: InboxQuery) -> InboxPage:
    """Every e-application, newest first; the dates are Stockholm days, both inclusive."""
    cases, cursor = deps.casework.inbox.page(
        status=stored_status(query.status) if query.status else None, category=query.category,
        after=_utc_midnight(query.from_) if query.from_ else None,
        before=_utc_midnight(query.to + timedelta(days=1)) if query.to else None,
        limit=query.limit, cursor=query.cursor)
    trail(deps).read(who, "inbox.list", [c.owner for c in cases], resource="inbox")
    return InboxPage(items=[row(c, is_protected=protected(deps, c)) for c in cases], next_cursor=cursor)


def view(case: Case, *, reveal: bool = True, is_protected: bool = False) -> CaseView:
    """The case for staff; unless ``reveal``, without the name and the "about you" answers."""
    answers = typed_answers(get_form(case.form_id), case.answers)
    if not reveal:
        answers = {k: v for k, v in answers.items() if k != "om_dig"}
    code, label = staff_status(case.status)
    return CaseView(
        case_id=case.case_id, case_number=case.case_number, form_id=case.form_id, title=case.title,
        category=case.category, status=code, status_label=label,
        personnummer=str(case.owner), name=case.applicant_name if reveal else PROTECTED_NAME,
        protected_identity=is_protected, submitted_at=case.submitted_at,
        history=[StatusStepView(status=h.status, label=STATUS_LABELS_SV.get(h.status, h.status), at=h.at, by=h.by)
                 for h in case.history],
        answers=answers, computed=typed_computed(case.computed),
        documents=[StaffDocument(document_id=d.document_id, kind=d.kind, filename=d.filename,
                                 created_at=d.created_at,
                                 url=f"/eservices/cases/{case.case_id}/files/{d.document_id}")
                   for d in case.documents],
        intake=case.intake.model_dump(mode="json") if case.intake else None,
        decisions=[{**d.model_dump(mode="json"), "law_reference": decision_citation(d)} for d in case.decisions],
        version=case.version)


def staff_view(deps: EservicesDeps, who: Principal, case: Case) -> CaseView:
    return view(case, reveal=shown_to(deps, case, who), is_protected=protected(deps, case))


def get_case(deps: EservicesDeps, who: Principal, case_id: str) -> CaseView:
    case = deps.cases.get(case_id)
    trail(deps).read(who, "case.read", [case.owner], resource=f"case:{case_id}")
    return staff_view(deps, who, case)


def case_file(deps: EservicesDeps, who: Principal, case_id: str, document_id: str) -> StoredFile:
    """A document of the case (the application's PDF, decision letters) for the case worker."""
    case = deps.cases.get(case_id)
    doc = next((d for d in case.documents if d.document_id == document_id), None)
    if doc is None:
        raise NotFound("no such document")
    if not shown_to(deps, case, who):
        raise Forbidden("protected identity: only the case worker assigned at intake reads this case's documents")
    trail(deps).read(who, "case.document.read", [case.owner], resource=f"case:{case_id}/document:{document_id}")
    return StoredFile(key=doc.key, filename=doc.filename, content_type=doc.content_type)


CASE_NUMBER = re.compile(r"\d{4}-\d{6}")
# A person's own cases are few: a search by personnummer reads them all through the person's
# index (gsi1) and shows at most this many.
PERSON_CASES = 100


def search_inbox(deps: EservicesDeps, who: Principal, query: StaffInboxQuery) -> InboxPage:
    """The inbox for the case workers' pages: the API's filters (``list_inbox``), and a case
    worker's cases, the order, and a search by personnummer (the person's own index), case number
    (its lookup item, read by key) or name (a filter over the inbox's index: it reads on until a
    page is full). A name search
    never finds a person with protected identity."""
    case_worker = (who.user_id or who.subject) if query.mine else query.case_worker
    status = stored_status(query.status) if query.status else None
    after = _utc_midnight(query.from_) if query.from_ else None
    before = _utc_midnight(query.to + timedelta(days=1)) if query.to else None
    text = query.q.strip()
    pnr = _personnummer(text)
    cursor: str | None = None
    if pnr is not None:
        def fits(c: Case) -> bool:
            sk = f"{c.submitted_at.isoformat()}#{c.case_id}"
            return ((status is None or c.status == status) and (not query.category or query.category in c.category)
                    and (after is None or sk >= after) and (before is None or sk < before)
                    and (case_worker is None or (c.intake is not None and c.intake.case_worker_id == case_worker))
                    and (query.kind is None or c.form_id in forms_of(query.kind)))
        cases = sorted((c for c in deps.cases.of_person(pnr) if fits(c)), key=lambda c: c.submitted_at,
                       reverse=query.order != "oldest")
        if query.order in ("status", "status_desc"):
            order = list(NEXT_STATUSES) if query.order == "status" else list(reversed(NEXT_STATUSES))
            cases.sort(key=lambda c: order.index(c.status))
        cases = cases[:PERSON_CASES]
    else:
        number = text if CASE_NUMBER.fullmatch(text) else None
        name = text if text and number is None else None
        cases, cursor = deps.casework.inbox.page(
            status=status, category=query.category, after=after, before=before, limit=query.limit,
            cursor=query.cursor, case_worker=case_worker, oldest_first=query.order == "oldest", case_number=number,
            name=name, forms=forms_of(query.kind),
            by_status={"status": "asc", "status_desc": "desc"}.get(query.order))  # type: ignore[arg-type]
        if name:  # protected since submit is filtered in the index; protected later, here
            cases = [c for c in cases if not protected(deps, c)]
    trail(deps).read(who, "inbox.list", [c.owner for c in cases], resource="inbox")
    return InboxPage(items=[row(c, is_protected=protected(deps, c)) for c in cases], next_cursor=cursor)


def forms_of(kind: str | None) -> frozenset[str] | None:
    """The e-services whose cases are applications, or contact persons' reports."""
    from ...domain.forms import registry

    if kind is None:
        return None
    return frozenset(f.id for f in registry().values() if f.is_application == (kind == "applications"))


def _personnummer(text: str) -> str | None:
    digits = text.replace("-", "").replace("+", "").replace(" ", "")
    if not digits.isdigit() or len(digits) not in (10, 12):
        return None
    try:
        return str(parse_pnr(text.replace(" ", "")))
    except ValueError:
        return None
