"""Use cases of a citizen filling in an e-service: draft → preview → sign → submit → receipt."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from ...contracts.events import SubmissionReceived
from ...domain.calendar import local_minute, stockholm_date
from ...domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...domain.personnummer import Personnummer
from ..acting_for import Acting, audit_change_in, audit_read
from ..ports import EservicesDeps
from ..domain.cases import Case, Document, StatusChange
from ..domain.drafts import Draft
from ..domain.forms import get_form
from ..domain.forms.engine import (FormDefinition, RuleContext, computed_values, is_empty, preview, typed_answers,
                                   typed_computed, validate, value_at)
from .notifications import notify_person, profile_changed
from ..domain.people import Profile, prefill_values
from .submission_pdf import submission_pdf
from ..schemas import DraftView, FieldProblem, FollowUp, Preview, SubmissionReceipt, SignatureView
from ..domain.signing import digest_of
from ..domain.citizen_problems import citizen_error, citizen_field


def is_contact_person(deps: EservicesDeps, who: Any) -> bool:
    """Has ``who`` an assignment as contact person in case work's register? Who someone is comes
    from Insats' data, never from the login's role. Any assignment counts, an ended one too: the
    report of an assignment's last month comes after it ended, and the case worker's approval
    checks that the assignment was in force in the report's month."""
    pnr = getattr(who, "personnummer", None)
    if pnr is None or deps.casework is None:
        return False
    return bool(deps.casework.assignments.of_contact_person(str(pnr)))


def may_use(deps: EservicesDeps, form: FormDefinition, who: Any) -> bool:
    """May the logged-in person ``who`` use ``form`` (any citizen; the reports: a contact person)?"""
    return form.open_to(contact_person=form.for_contact_persons_only and is_contact_person(deps, who))


NOT_A_CONTACT_PERSON = ("E-tjänsten {title} är till för dig som har ett uppdrag som kontaktperson, och vi hittar "
                        "inget uppdrag för dig. Kontakta din handläggare om du har fått ett uppdrag.")


def _check_access(form: FormDefinition, acting: Acting, subject: Personnummer, *, contact_person: bool = False) -> None:
    """May the caller fill in, change, sign or submit ``form`` for ``subject``? ``contact_person``:
    the caller has an assignment as contact person (``is_contact_person``). Reading a draft needs
    only the subject (a relative inside an approval sees what the citizen sees)."""
    if not form.open_to(contact_person=contact_person):
        raise citizen_error(Forbidden, NOT_A_CONTACT_PERSON.format(title=form.title) if form.for_contact_persons_only
                            else f"E-tjänsten {form.title} är inte till för dig")
    if form.own_behalf_only and subject != acting.who.personnummer:
        raise citizen_error(Forbidden, "Bara den som ska få stödet kan skicka in en ansökan, inte någon annan för hen")


def _checked_access(deps: EservicesDeps, form: FormDefinition, acting: Acting, subject: Personnummer) -> None:
    """``_check_access`` with the caller's assignments looked up when the form is for contact persons."""
    _check_access(form, acting, subject,
                  contact_person=form.for_contact_persons_only and is_contact_person(deps, acting.who))


def _writable_draft(deps: EservicesDeps, acting: Acting, draft_id: str) -> tuple[Draft, FormDefinition]:
    """An open draft of the subject that the caller may change (see ``_check_access``)."""
    draft = _open_draft(deps, acting, draft_id)
    form = get_form(draft.form_id)
    _checked_access(deps, form, acting, draft.owner)
    return draft, form


def prefill(deps: EservicesDeps, form: FormDefinition, subject: Personnummer) -> dict[str, dict[str, Any]]:
    """Answers from the population register and the person's profile, by the fields' prefill keys."""
    values = prefill_values(deps.register.lookup(subject), deps.profiles.get(subject), subject)
    out: dict[str, dict[str, Any]] = {}
    for step in form.steps:
        filled = {f.name: values[f.prefill] for f in step.fields if f.prefill and f.prefill in values}
        if filled:
            out[step.id] = filled
    return out


def _merge(base: dict[str, dict[str, Any]], given: dict[str, dict[str, Any]],
           sent: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """``base`` with the fields of ``given`` (validated) laid over it, field by field: a step
    sent in part keeps its other fields. A field ``sent`` empty (``null``, ``""``, ``[]``) is
    cleared; a field not sent is kept. A rows field is one value: sending it replaces all rows."""
    merged = {step: dict(values) for step, values in base.items()}
    for step, values in given.items():
        merged.setdefault(step, {}).update(values)
    for step, values in (sent or {}).items():
        if not isinstance(values, dict) or step not in merged:
            continue
        for name, value in values.items():
            if is_empty(value):
                merged[step].pop(name, None)
        if not merged[step]:
            del merged[step]
    return merged


def _context(deps: EservicesDeps, acting: Acting) -> RuleContext:
    return RuleContext(personnummer=str(acting.who.personnummer) if acting.who.personnummer else None,
                       today=stockholm_date(deps.clock()))


def _view(deps: EservicesDeps, acting: Acting, form: FormDefinition, draft: Draft) -> DraftView:
    normalized, errors = validate(form, draft.answers, complete=True, context=_context(deps, acting))
    return DraftView(draft_id=draft.draft_id, form_id=draft.form_id, title=form.title,
                     answers=typed_answers(form, draft.answers), computed=typed_computed(computed_values(form, normalized)), version=draft.version,
                     created_at=draft.created_at, updated_at=draft.updated_at, expires_at=draft.expires_at,
                     signed=_signed(draft),
                     missing=[FieldProblem(field=e.field, detail=e.detail) for e in errors])


def _signed(draft: Draft) -> bool:
    return (draft.signature is not None and draft.signature.status == "complete"
            and draft.signature.digest == digest_of(draft.form_id, draft.answers))


def _validated_partial(form: FormDefinition, answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    normalized, errors = validate(form, answers, complete=False)
    if errors:
        raise citizen_error(ValidationFailed, "; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
    return {k: v for k, v in normalized.items() if v or k in answers}


# -- drafts -----------------------------------------------------------------------------

def start_draft(deps: EservicesDeps, acting: Acting, form_id: str, answers: dict[str, Any],
                carried_over: dict[str, dict[str, Any]] | None = None) -> DraftView:
    form = get_form(form_id)
    owner = acting.subject
    _checked_access(deps, form, acting, owner)
    given = _validated_partial(form, answers)
    merged = _merge(_merge(prefill(deps, form, owner), carried_over or {}), given, answers)
    draft = Draft.start(form.id, owner, acting.who.personnummer, deps.clock(), deps.settings.draft_retention_days,
                        merged)
    deps.drafts.add_now(draft)
    return _view(deps, acting, form, draft)


def get_draft(deps: EservicesDeps, acting: Acting, draft_id: str) -> DraftView:
    draft = _open_draft(deps, acting, draft_id)
    audit_read(deps, acting, draft.owner, "drafts.read", f"draft:{draft_id}")
    return _view(deps, acting, get_form(draft.form_id), draft)


def list_drafts(deps: EservicesDeps, acting: Acting) -> list[DraftView]:
    owner = acting.subject
    drafts = deps.drafts.list_open(owner)
    audit_read(deps, acting, owner, "drafts.list", "drafts")
    return [_view(deps, acting, get_form(d.form_id), d) for d in drafts]


def save_draft(deps: EservicesDeps, acting: Acting, draft_id: str, answers: dict[str, Any], version: int) -> DraftView:
    draft, form = _writable_draft(deps, acting, draft_id)
    given = _validated_partial(form, answers)
    if draft.version != version:
        raise citizen_error(Conflict, "Utkastet har ändrats någon annanstans. Hämta det igen.")
    now = deps.clock()
    updated = draft.model_copy(update={
        "answers": _merge(draft.answers, given, answers), "updated_at": now, "reminded": False,
        # Retention counts from the last save: a draft in use is not deleted.
        "expires_at": now + timedelta(days=deps.settings.draft_retention_days),
    })
    if updated.answers != draft.answers:
        updated = updated.model_copy(update={"signature": None})  # a change voids the signature
    return _view(deps, acting, form, deps.drafts.save(updated, version))


def discard_draft(deps: EservicesDeps, acting: Acting, draft_id: str) -> None:
    deps.drafts.delete(_writable_draft(deps, acting, draft_id)[0])


def _open_draft(deps: EservicesDeps, acting: Acting, draft_id: str) -> Draft:
    draft = deps.drafts.get(acting.subject, draft_id)
    if draft.status != "draft":
        raise citizen_error(NotFound, "Utkastet finns inte")
    return draft


# -- preview and sign -------------------------------------------------------------------

def preview_draft(deps: EservicesDeps, acting: Acting, draft_id: str) -> Preview:
    draft = _open_draft(deps, acting, draft_id)
    form = get_form(draft.form_id)
    normalized, errors = validate(form, draft.answers, complete=True, context=_context(deps, acting))
    audit_read(deps, acting, draft.owner, "drafts.read", f"draft:{draft_id}")
    return Preview(draft_id=draft.draft_id, form_id=form.id, title=form.title, version=draft.version,
                   steps=preview(form, draft.answers, errors),
                   computed=typed_computed(computed_values(form, normalized)),
                   ready_to_sign=not errors, signed=_signed(draft))


def sign_draft(deps: EservicesDeps, acting: Acting, draft_id: str) -> SignatureView:
    draft, form = _writable_draft(deps, acting, draft_id)
    _complete_or_raise(deps, form, draft, acting)
    digest = digest_of(draft.form_id, draft.answers)
    text = f"Jag skriver under {form.title}."
    signature = deps.signer.start(str(acting.who.personnummer), text, digest, deps.clock())
    deps.drafts.save(draft.model_copy(update={"signature": signature}), draft.version)
    return SignatureView(order_ref=signature.order_ref, status=signature.status, signed_at=signature.signed_at)


def collect_signature(deps: EservicesDeps, acting: Acting, draft_id: str) -> SignatureView:
    draft, _ = _writable_draft(deps, acting, draft_id)
    if draft.signature is None:
        raise citizen_error(NotFound, "Ingen underskrift har påbörjats")
    signature = deps.signer.collect(draft.signature, deps.clock())
    if signature != draft.signature:
        deps.drafts.save(draft.model_copy(update={"signature": signature}), draft.version)
    return SignatureView(order_ref=signature.order_ref, status=signature.status, signed_at=signature.signed_at)


def _complete_or_raise(deps: EservicesDeps, form: FormDefinition, draft: Draft,
                       acting: Acting) -> dict[str, dict[str, Any]]:
    normalized, errors = validate(form, draft.answers, complete=True, context=_context(deps, acting))
    if errors:
        raise citizen_error(ValidationFailed, "; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
    return normalized


# -- submit -----------------------------------------------------------------------------

def submit_draft(deps: EservicesDeps, acting: Acting, draft_id: str, key: str | None) -> SubmissionReceipt:
    """Makes a case of a signed draft, once: a replay (double click, retry) with the same
    idempotency ``key`` gets the same receipt."""
    if not key or len(key) > 200:
        raise citizen_field("Idempotency-Key", "Skicka en unik Idempotency-Key (högst 200 tecken)")
    owner = acting.subject
    draft = deps.drafts.get(owner, draft_id)
    if draft.status == "submitted" and draft.case_id:
        return receipt(deps, deps.cases.get(draft.case_id))
    form = get_form(draft.form_id)
    _checked_access(deps, form, acting, owner)
    normalized = _complete_or_raise(deps, form, draft, acting)
    if not _signed(draft):
        raise citizen_error(Conflict, "Skriv under utkastet innan du skickar in det")
    _key_unused_or_raise(deps, owner, draft_id, key)  # refused before anything (PDF, number) is stored
    now = deps.clock()
    case_id = str(uuid.uuid4())
    case_number = deps.case_numbers.next(now.year)
    computed = computed_values(form, normalized)
    document = Document(document_id=str(uuid.uuid4()), kind="submission_pdf",
                        key=f"cases/{case_id}/submission.pdf", filename=f"{case_number}.pdf", created_at=now)
    case_owner = Personnummer(value_at(normalized, form.owner_field)) if form.owner_field else owner
    registered = deps.register.lookup(case_owner)
    case = Case(case_id=case_id, case_number=case_number, form_id=form.id, title=form.title,
                category=form.category_for(normalized), owner=case_owner, submitted_by=acting.who.personnummer,
                submitted_at=now, history=[StatusChange(status="submitted", at=now, by=str(acting.who.role))],
                answers=normalized, computed=computed, documents=[document], draft_id=draft.draft_id,
                signature_digest=draft.signature.digest if draft.signature else None,
                protected_identity=bool(registered and registered.protected_identity))
    # The PDF goes first, so a case never points at a missing document; if the transaction below
    # loses (a double click, a race), the PDF is removed again.
    deps.documents.put(document.key, submission_pdf(
        form, case_number=case_number, submitted_at=local_minute(now), answers=normalized, computed=computed,
        computed_labels={c.name: c.label for c in form.computed}), "application/pdf")
    uow = deps.unit_of_work()
    deps.drafts.submit(uow, draft, case_id)
    deps.cases.add(uow, case)
    deps.submit_keys.add(uow, owner, key, draft.draft_id, case_id, now)
    audit_change_in(deps, uow, acting, owner, "drafts.submit", f"case:{case_id}")
    contact_as_of = None
    if owner == acting.who.personnummer and form.notify_fields:
        profile = _profile(normalized, form, now)
        deps.profiles.save(uow, owner, profile)  # kept for next time
        contact_as_of = profile_changed(uow, owner, profile, now)
    uow.emit(SubmissionReceived(case_id=case_id, case_number=case_number, eservice=form.id, owner=case_owner,
                                submitted_at=now))
    notify_person(uow, "submission.received", acting.who.personnummer, contact_as_of=contact_as_of)
    try:
        uow.commit()
    except Exception as exc:
        deps.documents.delete(document.key)
        if isinstance(exc, Conflict):
            return _replayed(deps, owner, draft_id, key)
        raise
    return receipt(deps, case)


def _key_unused_or_raise(deps: EservicesDeps, owner: str, draft_id: str, key: str) -> None:
    used_for = deps.submit_keys.draft_of(owner, key)
    if used_for is not None and used_for != draft_id:
        raise citizen_error(Conflict, "Den här Idempotency-Key har redan använts för en annan inskickning")


def _replayed(deps: EservicesDeps, owner: str, draft_id: str, key: str) -> SubmissionReceipt:
    again = deps.drafts.get(owner, draft_id)
    if again.status == "submitted" and again.case_id:
        return receipt(deps, deps.cases.get(again.case_id))
    _key_unused_or_raise(deps, owner, draft_id, key)
    raise citizen_error(Conflict, "Utkastet ändrades medan det skickades in. Granska det och skicka in igen.")


def _profile(answers: dict[str, dict[str, Any]], form: FormDefinition, now: datetime) -> Profile:
    email_path, phone_path, wants_email, wants_sms = form.notify_fields  # type: ignore[misc]
    return Profile(email=value_at(answers, email_path), mobile=value_at(answers, phone_path),
                   notify_email=bool(value_at(answers, wants_email)), notify_sms=bool(value_at(answers, wants_sms)),
                   updated_at=now)


def report_another(deps: EservicesDeps, acting: Acting, case_id: str) -> DraftView:
    """After a contact-person report: a new draft of the same e-service, the reporter's details kept."""
    case = deps.cases.get_owned(case_id, acting.subject)
    form = get_form(case.form_id)
    if "report_another" not in form.after_submit:
        raise citizen_error(NotFound, "E-tjänsten har ingen rapport för en annan person")
    about_me = {k: v for k, v in (case.answers.get("om_dig") or {}).items() if k != "confirm"}
    return start_draft(deps, acting, form.id, {}, carried_over={"om_dig": about_me})


def receipt(deps: EservicesDeps, case: Case) -> SubmissionReceipt:
    form = get_form(case.form_id)
    document = next(d for d in case.documents if d.kind == "submission_pdf")
    follow_ups = []
    if "report_another" in form.after_submit:
        follow_ups.append(FollowUp(kind="report_another", label="Rapportera för en till person", method="POST",
                                   href=f"/eservices/cases/{case.case_id}/report-another"))
    return SubmissionReceipt(case_id=case.case_id, case_number=case.case_number, submitted_at=case.submitted_at,
                   title=case.title, summary=preview(form, typed_answers(form, case.answers), []),
                   computed=typed_computed(case.computed),
                   document_url=f"/eservices/cases/{case.case_id}/documents/{document.document_id}",
                   follow_ups=follow_ups)
