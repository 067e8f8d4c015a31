"""Mina sidor: drafts to resume, ongoing and finished cases, one case with its history,
decisions, documents and messages, and one's own contact details."""
from __future__ import annotations

from typing import Any

from ....domain.errors import ValidationFailed
from ....eservices.usecases import mypages, submissions
from ....eservices.domain.forms import get_form
from .. import formview as fv
from ..http import Context, Page, Redirect
from .common import acting_choices, message_threads, registered_person, title, upload_context, validated


FINISHED = ("decided", "closed")


def my_pages(ctx: Context) -> Page:
    acting = ctx.require_user("cases.read_own")
    drafts = submissions.list_drafts(ctx.deps, acting)
    cases = mypages.my_cases(ctx.deps, acting)
    threads = message_threads(ctx, acting)
    return Page("mypages.html", {
        "title": title("Mina sidor"), "drafts": drafts, "resume": {d.draft_id: _resume_url(ctx, d) for d in drafts},
        "ongoing": [c for c in cases if c.status not in FINISHED],
        "finished": [c for c in cases if c.status in FINISHED],
        "unread": sum(t.unread for t in threads), "acting_choices": len(acting_choices(ctx, acting.who)) > 1,
        "contact_services": _contact_services(ctx, acting),
    })


def _contact_services(ctx: Context, acting: Any) -> list[Any]:
    """The contact person's reports, for a person with an assignment as contact person acting for
    themselves (Insats' data decides, not the login's role)."""
    from ....eservices.domain.forms import registry

    if acting.for_another or not submissions.is_contact_person(ctx.deps, acting.who):
        return []
    return sorted((f for f in registry().values() if f.for_contact_persons_only), key=lambda f: f.title)


def _resume_url(ctx: Context, draft: Any) -> str:
    """The first step with something missing, or the preview when nothing is."""
    form = get_form(draft.form_id)
    for s in form.steps:
        if any(p.field.startswith(f"answers.{s.id}.") or p.field == f"answers.{s.id}" for p in draft.missing):
            return ctx.url(f"/web/utkast/{draft.draft_id}/steg/{s.id}")
    return ctx.url(f"/web/utkast/{draft.draft_id}/granska")


def my_case(ctx: Context, case_id: str) -> Page:
    acting = ctx.require_user("cases.read_own")
    case = mypages.my_case(ctx.deps, acting, case_id)
    stored = ctx.deps.cases.get_owned(case_id, str(acting.subject))
    form = get_form(stored.form_id)
    threads = [t for t in message_threads(ctx, acting) if t.case_id == case_id]
    return Page("case.html", {
        "title": title(f"Ärende {case.case_number}"), "case": case, "threads": threads,
        "summary": fv.summary_rows(form, stored.answers, registered_person(ctx, acting)),
        "documents": [{"filename": d.filename, "url": ctx.url(f"/web/arenden/{case_id}/dokument/{d.document_id}"),
                       "kind": d.kind} for d in case.documents],
        "letter_urls": {d.letter_url: ctx.url(f"/web/arenden/{case_id}/dokument/{d.letter_url.rsplit('/', 1)[1]}")
                        for d in case.decisions if d.letter_url},
        "can_write": stored.intake is not None, "errors": [], "values": {},
    } | upload_context(ctx, f"case:{case_id}", f"/web/mina-sidor/arenden/{case_id}", stored.intake is not None))


def document(ctx: Context, case_id: str, document_id: str) -> Redirect:
    acting = ctx.require_user("documents.read_own")
    file = mypages.document(ctx.deps, acting, case_id, document_id)  # a browser gets a short-lived address
    return Redirect(ctx.deps.documents.presigned_get(file.key, filename=file.filename), status=303)


PROFILE_ERRORS = {"email": "Ange en giltig e-postadress", "mobile": "Ange ett giltigt mobilnummer"}


def profile(ctx: Context) -> Page | Redirect:
    from ....eservices.schemas import UpdateProfile

    acting = ctx.require_user("profile.read")
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if ctx.method == "POST":
        values = {"email": ctx.form.get("email").strip() or None, "mobile": ctx.form.get("mobile").strip() or None,
                  "notify_email": ctx.form.get("notify_email") == "true",
                  "notify_sms": ctx.form.get("notify_sms") == "true"}
        try:
            mypages.update_profile(ctx.deps, ctx.require_user("profile.update").who, validated(UpdateProfile, values))
            ctx.notice("Dina uppgifter är sparade.")
            return Redirect(ctx.url("/web/mina-sidor/uppgifter"))
        except ValidationFailed as exc:
            for e in exc.errors:
                name = e.field.split(".")[0]
                errors[name] = PROFILE_ERRORS.get(name, "Kontrollera uppgiften")
            if values["notify_email"] and not values["email"]:
                errors["email"] = "Ange e-postadress för notifiering via e-post"
            if values["notify_sms"] and not values["mobile"]:
                errors["mobile"] = "Ange mobilnummer för notifiering via SMS"
    me = mypages.get_profile(ctx.deps, acting.who)
    return Page("profile.html", {"title": title("Mina uppgifter", error=bool(errors)), "me": me,
                                 "values": values or me.model_dump(), "field_errors": errors,
                                 "errors": [fv.ErrorLink(f"#p-{k}", v) for k, v in errors.items()]},
                status=422 if errors else 200)
