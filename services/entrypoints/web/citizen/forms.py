"""Filling in an e-service as pages: the start page, each step (rows, conditional questions and
errors without JavaScript), the preview, signing, submitting and the receipt, a draft discarded.
Each view calls the e-services' use cases; no rule of an e-service is decided here."""
from __future__ import annotations

import urllib.parse
from typing import Any

from ....domain.errors import FieldError, NotFound, ValidationFailed
from ....eservices.usecases import submissions
from ....eservices.acting_for import Acting
from ....eservices.domain.forms import get_form
from ....eservices.domain.forms.engine import FormDefinition, Step, validate_step
from .. import formview as fv
from ..http import Context, Form, Page, Redirect
from .common import register_values, registered_person, title


def start_page(ctx: Context, form_id: str) -> Page:
    form = get_form(form_id)
    user = ctx.user
    # Who may use it comes from Insats' data (an assignment as contact person), not the login's role.
    allowed = user is not None and user.principal is not None and submissions.may_use(ctx.deps, form, user.principal)
    for_someone_else = bool(user and user.acting_for and form.own_behalf_only)
    allowed = allowed and not for_someone_else
    drafts = []
    if user is not None and allowed:
        drafts = [d for d in submissions.list_drafts(ctx.deps, ctx.require_user("drafts.read")) if d.form_id == form.id]
    return Page("start.html", {"title": title(form.title), "form": form, "allowed": allowed, "drafts": drafts,
                               "for_someone_else": for_someone_else,
                               "login_url": ctx.url("/web/logga-in") + "?" + urllib.parse.urlencode(
                                   {"next": ctx.url(f"/web/tjanster/{form.id}")})}, personal=False)


def start_draft(ctx: Context, form_id: str) -> Redirect:
    acting = ctx.require_user("drafts.create")
    draft = submissions.start_draft(ctx.deps, acting, form_id, {})
    form = get_form(form_id)
    return Redirect(ctx.url(f"/web/utkast/{draft.draft_id}/steg/{form.steps[0].id}"))


def _progress(form: FormDefinition, current: str) -> list[dict[str, Any]]:
    names = [(s.id, s.title) for s in form.steps] + [("granska", "Förhandsgranska"), ("skicka", "Skicka in")]
    at = next(i for i, (sid, _) in enumerate(names) if sid == current)
    return [{"number": i + 1, "title": title, "state": "done" if i < at else "current" if i == at else "todo"}
            for i, (_, title) in enumerate(names)]


def _step_page(ctx: Context, form: FormDefinition, step: Step, draft: Any, values: dict[str, Any],
               errors: dict[str, str], acting: Acting, *, from_preview: bool, extra_rows: dict[str, int] | None = None,
               focus_row: tuple[str, int] | None = None, status: int = 200, notice: str | None = None) -> Page:
    person = registered_person(ctx, acting)
    views = fv.step_view(form, step, values, errors, person=person, register_values=register_values(ctx, acting),
                         extra_rows=extra_rows, focus_row=focus_row)
    number = [s.id for s in form.steps].index(step.id) + 1
    links = fv.error_links(views, errors)
    return Page("step.html", {
        "title": title(step.title, form.title, error=bool(links)), "form": form, "step": step, "draft": draft,
        "fields": views, "errors": links, "number": number, "total": len(form.steps) + 2,
        "progress": _progress(form, step.id), "from_preview": from_preview,
        "protected": person is not None and person.protected_identity, "computed": draft.computed,
        "computed_labels": {c.name: c.label for c in form.computed}, "months": fv.month_choices(),
        "previous": form.steps[number - 2].id if number > 1 else None, "notice": notice,
        "shown": [v.name for v in views if v.visible],
        # A computed "total_<column>" of a row field is summed live on the page as well.
        "row_sums": {f.name: [(c.name, c.name.removeprefix("total_")) for c in form.computed
                              if c.name.removeprefix("total_") in {col.name for col in f.columns}]
                     for f in current_rows(step)},
    }, status=status)


def current_rows(step: Step) -> list[Any]:
    return [f for f in step.fields if f.kind == "rows"]


def step(ctx: Context, draft_id: str, step_id: str) -> Page | Redirect:
    acting = ctx.require_user("drafts.read" if ctx.method == "GET" else "drafts.update")
    draft = submissions.get_draft(ctx.deps, acting, draft_id)
    form = get_form(draft.form_id)
    current = form.step(step_id)
    if current is None:
        raise NotFound("no such step")
    from_preview = ctx.query.get("fran") == "granska" or ctx.form.get("fran") == "granska"
    if ctx.method == "GET":
        errors: dict[str, str] = {}
        if ctx.query.get("fel"):  # from the preview's error summary: show this step's problems
            preview = submissions.preview_draft(ctx.deps, acting, draft_id)
            problems = [FieldError(e.field, e.detail) for s in preview.steps for e in s.errors]
            errors = fv.error_map(current, problems)
        return _step_page(ctx, form, current, draft, draft.answers.get(step_id) or {}, errors, acting,
                          from_preview=from_preview)
    return _post_step(ctx, acting, form, current, draft, from_preview)


def _post_step(ctx: Context, acting: Acting, form: FormDefinition, current: Step, draft: Any,
               from_preview: bool) -> Page | Redirect:
    action = ctx.form.get("action", "next")
    person = registered_person(ctx, acting)
    posted = fv.from_form(current, ctx.form, person)
    _, bad = validate_step(form, current.id, posted.answers, complete=False)
    saved = submissions.save_draft(ctx.deps, acting, draft.draft_id, {current.id: fv.without_bad(current, posted, bad)},
                                   draft.version)
    raw = posted.raw
    if action.startswith("add:") or action.startswith("remove:"):
        name, _, which = action.partition(":")[2].partition(":")
        rows = raw.get(name)
        if not isinstance(rows, list):
            raise NotFound("no such row field")
        if action.startswith("remove:") and which.isdigit() and int(which) < len(rows):
            rows.pop(int(which))
            posted = fv.from_form(current, _as_form(current, raw), person)
            _, bad = validate_step(form, current.id, posted.answers, complete=False)
            saved = submissions.save_draft(ctx.deps, acting, draft.draft_id,
                                           {current.id: fv.without_bad(current, posted, bad)}, saved.version)
            return _step_page(ctx, form, current, saved, raw, fv.error_map(current, bad, posted.row_index), acting,
                              from_preview=from_preview, notice=f"Rad {int(which) + 1} är borttagen.")
        field = next(f for f in current.fields if f.name == name)
        if len(rows) >= field.max_rows:
            too_many = {fv.field_id(current.id, name): f"Högst {field.max_rows} rader"}
            return _step_page(ctx, form, current, saved, raw, too_many, acting, from_preview=from_preview, status=422)
        return _step_page(ctx, form, current, saved, raw, fv.error_map(current, bad, posted.row_index), acting,
                          from_preview=from_preview, extra_rows={name: 1}, focus_row=(name, len(rows)))
    if bad:
        return _step_page(ctx, form, current, saved, raw, fv.error_map(current, bad, posted.row_index), acting,
                          from_preview=from_preview, status=422)
    if action == "save":
        ctx.notice("Dina svar är sparade. Du hittar utkastet under Mina sidor.")
        back_to_preview = "?fran=granska" if from_preview else ""
        return Redirect(ctx.url(f"/web/utkast/{saved.draft_id}/steg/{current.id}") + back_to_preview)
    if action == "back":
        index = [s.id for s in form.steps].index(current.id)
        target = form.steps[index - 1].id if index > 0 else None
        return Redirect(ctx.url(f"/web/utkast/{saved.draft_id}/steg/{target}") if target
                        else ctx.url(f"/web/tjanster/{form.id}"))
    shown = set(ctx.form.getlist("shown"))
    revealed = [f for f in current.fields if f.required_when is not None and fv.visible(f, posted.answers)
                and f.name not in shown]
    if revealed:  # without JavaScript, new questions appear after "Nästa"
        return _step_page(ctx, form, current, saved, raw, {}, acting, from_preview=from_preview,
                          notice=f"Svara också på {'frågorna' if len(revealed) > 1 else 'frågan'} som nu visas.")
    _, missing = validate_step(form, current.id, posted.answers, complete=True)
    if missing:
        return _step_page(ctx, form, current, saved, raw, fv.error_map(current, missing, posted.row_index), acting,
                          from_preview=from_preview, status=422)
    index = [s.id for s in form.steps].index(current.id)
    if from_preview or index + 1 == len(form.steps):
        return Redirect(ctx.url(f"/web/utkast/{saved.draft_id}/granska"))
    return Redirect(ctx.url(f"/web/utkast/{saved.draft_id}/steg/{form.steps[index + 1].id}"))


def _as_form(step: Step, raw: dict[str, Any]) -> Form:
    """What was typed, as a posted form again (after a row was removed)."""
    pairs: list[tuple[str, str]] = []
    for f in step.fields:
        value = raw.get(f.name)
        if f.kind == "rows":
            rows = value or []
            pairs.append((f"{f.name}.count", str(len(rows))))
            for i, row in enumerate(rows):
                pairs += [(f"{f.name}.{i}.{k}", v) for k, v in row.items()]
        elif f.kind == "boolean":
            if value:
                pairs.append((f.name, "true"))
        elif isinstance(value, list):
            pairs += [(f.name, v) for v in value]
        elif value is not None:
            pairs.append((f.name, str(value)))
    return Form(pairs)


def preview(ctx: Context, draft_id: str) -> Page:
    acting = ctx.require_user("drafts.read")
    draft = submissions.get_draft(ctx.deps, acting, draft_id)
    form = get_form(draft.form_id)
    checked = submissions.preview_draft(ctx.deps, acting, draft_id)
    links = []
    for s in checked.steps:
        step_def = form.step(s.step)
        for e in s.errors:
            key = fv.error_map(step_def, [FieldError(e.field, e.detail)]) if step_def else {}
            anchor = next(iter(key), "main")
            label = _label_of(step_def, e.field) if step_def else ""
            href = ctx.url(f"/web/utkast/{draft_id}/steg/{s.step}") + f"?fran=granska&fel=1#{anchor}"
            links.append(fv.ErrorLink(href, f"{s.title}: {label}{': ' if label else ''}{e.detail}"))
    return Page("preview.html", {
        "title": title("Förhandsgranska", form.title, error=bool(links)), "form": form, "draft": draft,
        "summary": fv.summary_rows(form, draft.answers, registered_person(ctx, acting)), "errors": links,
        "ready": checked.ready_to_sign, "computed": checked.computed,
        "computed_labels": {c.name: c.label for c in form.computed}, "progress": _progress(form, "granska"),
        "number": len(form.steps) + 1, "total": len(form.steps) + 2,
    })


def _label_of(step: Step, path: str) -> str:
    name = path.split(".")[2] if path.count(".") >= 2 else ""
    return next((f.label for f in step.fields if f.name == name), "")


def sign_and_submit(ctx: Context, draft_id: str) -> Page | Redirect:
    acting = ctx.require_user("drafts.sign")
    try:
        signature = submissions.sign_draft(ctx.deps, acting, draft_id)
    except ValidationFailed:
        return Redirect(ctx.url(f"/web/utkast/{draft_id}/granska"))
    if signature.status == "pending":
        return Redirect(ctx.url(f"/web/utkast/{draft_id}/signering"))
    if signature.status != "complete":
        return _signing_failed(ctx, draft_id)
    return _submit(ctx, draft_id)


def signing(ctx: Context, draft_id: str) -> Page | Redirect:
    """A signing in progress at the e-ID provider (BankID on another device): collect it."""
    acting = ctx.require_user("drafts.sign")
    status = submissions.collect_signature(ctx.deps, acting, draft_id)
    if status.status == "complete":
        return _submit(ctx, draft_id) if ctx.method == "POST" else Page("signing.html", {
            "title": title("Signera"), "draft_id": draft_id, "done": True})
    if status.status == "failed":
        return _signing_failed(ctx, draft_id)
    return Page("signing.html", {"title": title("Signera"), "draft_id": draft_id, "done": False})


def _signing_failed(ctx: Context, draft_id: str) -> Page:
    return Page("error.html", {"title": title("Signeringen misslyckades"), "heading": "Signeringen misslyckades",
                               "text": "Ditt ärende är inte inskickat. Dina svar är sparade; försök igen.",
                               "back": ctx.url(f"/web/utkast/{draft_id}/granska")}, status=409)


def _submit(ctx: Context, draft_id: str) -> Redirect:
    acting = ctx.require_user("drafts.submit")
    # One key per draft: a double click or a retry gets the same receipt, never a second case.
    receipt = submissions.submit_draft(ctx.deps, acting, draft_id, f"web:{draft_id}")
    return Redirect(ctx.url(f"/web/arenden/{receipt.case_id}/kvittens"))


def receipt(ctx: Context, case_id: str) -> Page:
    acting = ctx.require_user("cases.read_own")
    case = ctx.deps.cases.get_owned(case_id, str(acting.subject))
    got = submissions.receipt(ctx.deps, case)
    form = get_form(case.form_id)
    return Page("receipt.html", {
        "title": title("Ditt ärende är nu inskickat", form.title), "receipt": got, "form": form,
        "pdf_url": ctx.url(f"/web/arenden/{case_id}/dokument/{got.document_url.rsplit('/', 1)[1]}"),
        "summary": fv.summary_rows(form, case.answers, registered_person(ctx, acting)),
        "computed_labels": {c.name: c.label for c in form.computed},
        "report_another": any(f.kind == "report_another" for f in got.follow_ups),
    })


def report_another(ctx: Context, case_id: str) -> Redirect:
    acting = ctx.require_user("drafts.create")
    draft = submissions.report_another(ctx.deps, acting, case_id)
    form = get_form(draft.form_id)
    return Redirect(ctx.url(f"/web/utkast/{draft.draft_id}/steg/{form.steps[0].id}"))


def discard(ctx: Context, draft_id: str) -> Page | Redirect:
    acting = ctx.require_user("drafts.delete")
    draft = submissions.get_draft(ctx.deps, acting, draft_id)
    if ctx.method == "POST":
        submissions.discard_draft(ctx.deps, acting, draft_id)
        ctx.notice(f"Utkastet ”{draft.title}” är borttaget.")
        return Redirect(ctx.url("/web/mina-sidor"))
    return Page("discard.html", {"title": title("Ta bort utkast"), "draft": draft})
