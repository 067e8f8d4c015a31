"""Decisions (beslut) per insats: granted or refused, for home care the granted minutes per
month, valid from and to. Published to the citizen's Mina sidor with a decision letter PDF,
emitted as ``decision.published`` (visits, reports and billing take granted time from it) and
alerted once per letter through the messaging alert settings."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from ....auth.principal import Principal
from ....contracts.events import CaseStatusChanged, DecisionPublishedV2, GrantedTime
from ....domain.calendar import stockholm_date
from ....domain.errors import Conflict, FieldError, ValidationFailed
from ....domain.insatser import HOME_CARE_BREAKDOWN
from ....domain.periods import overlap
from ...domain.cases import Case, Decision, Document, GrantedTimeLine
from ...domain.forms import get_form
from ...domain.forms.support_application import LSS
from ...usecases.notifications import notify_person
from ..domain.catalog import label_of, law_of
from ..domain.laws import statute_in_force
from ..letters import decision_letter_pdf
from ..domain.periods import DECISION_DATES, dates_near_today, refuse
from ..models.decisions import DecisionRequest, InsatsDecision
from ..models.inbox import CaseView
from .audit import trail
from .inbox import staff_view

if TYPE_CHECKING:
    from ...bootstrap import EservicesDeps


def decide(deps: EservicesDeps, who: Principal, case_id: str, body: DecisionRequest) -> CaseView:
    case = deps.cases.get(case_id)
    if case.status not in ("in_progress", "decided"):
        raise Conflict("take the application in (aktualisering) before deciding")
    _only_what_was_applied_for(case, body)
    now = deps.clock()
    today = stockholm_date(now)
    refuse([e for i, d in enumerate(body.decisions)
            for e in dates_near_today(d.model_dump(), today, DECISION_DATES, prefix=f"decisions.{i}.")])
    _no_second_grant(case.decisions, body)
    letter_id = str(uuid.uuid4())
    decisions = [Decision(decision_id=str(uuid.uuid4()), insats=d.insats, insats_label=label_of(d.insats),
                          law=law_of(d.insats), law_sfs=statute_in_force(law_of(d.insats), today).sfs,
                          outcome=d.outcome, granted_minutes_per_month=d.granted_minutes_per_month,
                          granted=_breakdown(d),
                          valid_from=d.valid_from, valid_to=d.valid_to, motivation=d.motivation, decided_at=now,
                          decided_by=who.name or who.actor, letter_document_id=letter_id)
                 for d in body.decisions]
    letter = Document(document_id=letter_id, kind="decision_letter",
                      key=f"cases/{case_id}/decisions/{letter_id}.pdf", filename=f"Beslut {case.case_number}.pdf",
                      created_at=now)
    # The letter goes first, so a decision never points at a missing letter; if the transaction
    # below fails (someone changed the case meanwhile), the letter is removed again.
    deps.documents.put(letter.key, decision_letter_pdf(
        case_number=case.case_number, client=case.owner, client_name=case.applicant_name, decided_at=now,
        decided_by=who.name or who.actor, decisions=decisions, letter_text=body.letter_text), "application/pdf")
    moved = case.moved_to("decided", now, who.actor) if case.status == "in_progress" else case
    updated = moved.model_copy(update={"decisions": [*case.decisions, *decisions],
                                       "documents": [*case.documents, letter]})
    uow = deps.unit_of_work()
    saved = deps.cases.save_in(uow, updated, expected_version=case.version)
    trail(deps).add_to(uow, who, "decision.create", [case.owner], resource=f"case:{case_id}")
    for d, asked in zip(decisions, body.decisions):
        uow.emit(DecisionPublishedV2(decision_id=d.decision_id, case_id=case.case_id, case_number=case.case_number,
                                     client=case.owner, insats=d.insats, law=d.law, outcome=d.outcome,
                                     granted_minutes_per_month=d.granted_minutes_per_month, valid_from=d.valid_from,
                                     valid_to=d.valid_to, decided_at=now, granted=_granted(asked),
                                     provider_id=asked.provider_id, social_psychiatry=asked.social_psychiatry,
                                     case_worker_id=case.intake.case_worker_id if case.intake else None,
                                     law_sfs=d.law_sfs))
    if moved is not case:  # the citizen is alerted of the letter below, not of the status too
        uow.emit(CaseStatusChanged(case_id=case.case_id, case_number=case.case_number, owner=case.owner,
                                   status="decided", changed_at=now))
    notify_person(uow, "decision.published", case.owner, preferences="alerts")
    try:
        uow.commit("the case was changed by someone else; reload it")
    except Exception:
        deps.documents.delete(letter.key)
        raise
    return staff_view(deps, who, saved)


_HOME_CARE_LABELS = {i.value: i.label for i in HOME_CARE_BREAKDOWN}


def _breakdown(asked: InsatsDecision) -> list[GrantedTimeLine]:
    """What the citizen and the letter show per home-care insats: the case worker's breakdown."""
    if asked.outcome != "granted" or not asked.granted:
        return []
    return [GrantedTimeLine(insats=g.insats, insats_label=_HOME_CARE_LABELS[g.insats],
                            minutes_per_month=g.minutes_per_month) for g in asked.granted]


def _granted(asked: InsatsDecision) -> list[GrantedTime]:
    """The granted time per insats: the case worker's breakdown, else one line of the decided insats."""
    if asked.outcome != "granted" or not asked.granted_minutes_per_month:
        return []
    if asked.granted:
        return [GrantedTime(insats=g.insats, minutes_per_month=g.minutes_per_month) for g in asked.granted]
    return [GrantedTime(insats=asked.insats, minutes_per_month=asked.granted_minutes_per_month)]


def decidable(case: Case) -> frozenset[str]:
    """The insatser a decision on ``case`` may be about: for LSS those taken in at intake (the
    case worker may widen the request there), otherwise the one applied for."""
    form = get_form(case.form_id)
    if form.applied_for is None:
        return frozenset()
    area, applied = form.applied_for(case.answers)
    if area == LSS:
        return frozenset(case.intake.lss_insatser) if case.intake else frozenset()
    return applied


def _only_what_was_applied_for(case: Case, body: DecisionRequest) -> None:
    allowed = decidable(case)
    errors = [FieldError(f"decisions.{i}.insats",
                         f"{d.insats} was not applied for or taken in on this case "
                         f"(decidable: {', '.join(sorted(allowed)) or 'none'})")
              for i, d in enumerate(body.decisions) if d.insats not in allowed]
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)


def _no_second_grant(earlier: list[Decision], body: DecisionRequest) -> None:
    """A granted insats is granted once per period: consumers add up granted time, so a second
    grant for overlapping dates (a double click, a change meant as a new decision) would count twice."""
    for d in body.decisions:
        if d.outcome == "granted" and any(e.insats == d.insats and e.outcome == "granted"
                                          and overlap(e.valid_from, e.valid_to, d.valid_from, d.valid_to)
                                          for e in earlier):
            raise Conflict(f"{d.insats} is already granted in these dates on this case")
