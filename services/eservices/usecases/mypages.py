"""Mina sidor: a person's profile, drafts and cases with their status history, documents and
decisions. A relative with an approval in force sees what the citizen sees."""
from __future__ import annotations

from typing import Any

from ...auth.principal import Principal
from ...domain.errors import NotFound
from ...domain.files import StoredFile
from ..acting_for import Acting, audit_read
from ..ports import EservicesDeps
from ..casework.domain.laws import decision_citation
from ..domain.cases import STATUS_LABELS_SV, Case
from ..domain.forms import get_form
from ..domain.forms.engine import preview, typed_answers
from .notifications import delivery_status, profile_changed
from ..domain.people import Profile
from ..domain.citizen_problems import citizen_error, citizen_field
from ..schemas import (CaseDetail, CaseSummary, DecisionView, GrantedTimeView, DocumentLink, ProfileView, StatusStep,
                      UpdateProfile)


def get_profile(deps: EservicesDeps, who: Principal) -> ProfileView:
    me = who.personnummer  # a profile is one's own: not read through an approval
    person = deps.register.lookup(me)
    profile = deps.profiles.get(me)
    address = person.shareable_address() if person else None
    return ProfileView(personnummer=str(me), first_name=person.first_name if person else None,
                       last_name=person.last_name if person else None,
                       address=address.model_dump() if address else None,
                       protected_identity=bool(person and person.protected_identity),
                       notifications=delivery_status(deps.deliveries, me), **profile.model_dump(exclude={"updated_at"}))


def update_profile(deps: EservicesDeps, who: Principal, body: UpdateProfile) -> ProfileView:
    if body.notify_email and not body.email:
        raise citizen_field("email", "Ange e-postadress för notifiering via e-post")
    if body.notify_sms and not body.mobile:
        raise citizen_field("mobile", "Ange mobilnummer för notifiering via SMS")
    profile = Profile(**body.model_dump(), updated_at=deps.clock())
    uow = deps.unit_of_work()  # notify's copy of the choices changes with them
    deps.profiles.save(uow, who.personnummer, profile)
    profile_changed(uow, who.personnummer, profile, profile.updated_at)
    uow.commit()
    return get_profile(deps, who)


def _summary(case: Case) -> CaseSummary:
    return CaseSummary(case_id=case.case_id, case_number=case.case_number, title=case.title, category=case.category,
                       status=case.status, status_label=STATUS_LABELS_SV.get(case.status, case.status),
                       submitted_at=case.submitted_at)


def my_cases(deps: EservicesDeps, acting: Acting) -> list[CaseSummary]:
    subject = acting.subject
    cases = deps.cases.of_person(subject)
    audit_read(deps, acting, subject, "mypages.cases.list", "my/cases")
    return [_summary(c) for c in cases]


def my_case(deps: EservicesDeps, acting: Acting, case_id: str) -> CaseDetail:
    subject = acting.subject
    case = deps.cases.get_owned(case_id, subject)
    form = get_form(case.form_id)
    audit_read(deps, acting, subject, "mypages.case.read", f"case:{case_id}")
    return CaseDetail(
        **_summary(case).model_dump(),
        history=[StatusStep(status=h.status, label=STATUS_LABELS_SV.get(h.status, h.status), at=h.at)
                 for h in case.history],
        documents=[DocumentLink(document_id=d.document_id, kind=d.kind, filename=d.filename,
                                url=f"/eservices/cases/{case.case_id}/documents/{d.document_id}")
                   for d in case.documents],
        decisions=[decision_view(d if isinstance(d, dict) else d.model_dump(mode="json"), case.case_id)
                   for d in getattr(case, "decisions", None) or []],
        summary=preview(form, typed_answers(form, case.answers), []),
        returned_reason=case.returned.reason if case.returned else None,
        returned_at=case.returned.at if case.returned else None,
    )


OUTCOME_LABELS_SV = {"granted": "Beviljad", "partly_granted": "Delvis beviljad", "refused": "Avslag"}


def decision_view(decision: dict[str, Any], case_id: str) -> DecisionView:
    """What a citizen sees of a decision that case work recorded (``cases.Decision``)."""
    letter = decision.get("letter_document_id")
    outcome = str(decision.get("outcome", ""))
    return DecisionView(
        insats=decision.get("insats_label") or decision.get("insats", ""), law=decision.get("law", ""),
        outcome=outcome, outcome_label=OUTCOME_LABELS_SV.get(outcome, outcome),
        valid_from=decision.get("valid_from"), valid_to=decision.get("valid_to"),
        law_reference=decision_citation(decision),
        granted_minutes_per_month=decision.get("granted_minutes_per_month"),
        granted=[GrantedTimeView(insats=g["insats"], label=g.get("insats_label") or g["insats"],
                                 minutes_per_month=g["minutes_per_month"])
                 for g in decision.get("granted") or []],
        motivation=decision.get("motivation", ""), decided_at=decision.get("decided_at"),
        letter_url=f"/eservices/cases/{case_id}/documents/{letter}" if letter else None)


def document(deps: EservicesDeps, acting: Acting, case_id: str, document_id: str) -> StoredFile:
    """A document of one's own case, to download; someone else's answers 404."""
    subject = acting.subject
    case = deps.cases.get_owned(case_id, subject)
    doc = next((d for d in case.documents if d.document_id == document_id), None)
    if doc is None:
        raise citizen_error(NotFound, "Dokumentet finns inte")
    audit_read(deps, acting, subject, "mypages.document.read", f"case:{case_id}/document:{document_id}")
    return StoredFile(key=doc.key, filename=doc.filename, content_type=doc.content_type)
