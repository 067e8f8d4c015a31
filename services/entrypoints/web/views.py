"""The pages. Each view reads the request context, calls the e-services' use cases, and returns
a ``Page`` or a ``Redirect``; no rule of an e-service is decided here."""
from __future__ import annotations

import dataclasses
import urllib.parse
from typing import Any

from ...domain.calendar import stockholm_date
from ...domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from ...eservices import mypages, submissions
from ...eservices.forms import get_form, registry
from ...eservices.forms.engine import FormDefinition, Step, validate_step
from ...eservices.people import prefill_values
from . import attach
from . import formview as fv
from .attach import case_upload_done, case_upload_remove, thread_upload_done, thread_upload_remove  # noqa: F401
from .http import Context, Form, Json, Page, Redirect, safe_next
from .oidc import authorize_url, finish_login, new_login
from ...eservices.web.sessions import Stash, WebSession

SITE = "Kommunens e-tjänster"
FINISHED = ("decided", "closed")


def _title(*parts: str, error: bool = False) -> str:
    return ("Fel: " if error else "") + " – ".join([*parts, SITE])


# -- public pages -------------------------------------------------------------------------

def catalogue(ctx: Context) -> Page:
    forms = sorted(registry().values(), key=lambda f: f.title)
    logged_out = "utloggad" in ctx.query
    return Page("catalogue.html", {"title": _title("Stöd och omsorg"), "forms": forms,
                                   "notice": "Du är nu utloggad." if logged_out else None}, personal=False)


def start_page(ctx: Context, form_id: str) -> Page:
    form = get_form(form_id)
    user = ctx.user
    allowed = user is not None and user.principal is not None and str(user.principal.role) in form.roles
    for_someone_else = bool(user and user.acting_for and form.own_behalf_only)
    allowed = allowed and not for_someone_else
    drafts = []
    if user is not None and allowed:
        drafts = [d for d in submissions.list_drafts(ctx.deps, ctx.require_user("drafts.read")) if d.form_id == form.id]
    return Page("start.html", {"title": _title(form.title), "form": form, "allowed": allowed, "drafts": drafts,
                               "for_someone_else": for_someone_else,
                               "login_url": ctx.url("/web/logga-in") + "?" + urllib.parse.urlencode(
                                   {"next": ctx.url(f"/web/tjanster/{form.id}")})}, personal=False)


def accessibility(ctx: Context) -> Page:
    return Page("accessibility.html", {"title": _title("Tillgänglighetsredogörelse")}, personal=False)


def staff_entry(ctx: Context) -> Page:
    """Where the e-mails to case workers and providers point until the staff web (issues 22/23)
    is built: a page that says where the work is done today, so no link in an e-mail is a 404."""
    return Page("staff_entry.html", {"title": _title("Inloggning för personal")}, personal=False)


# -- login and session --------------------------------------------------------------------

def login(ctx: Context) -> Redirect:
    pending = new_login(safe_next(ctx.config, ctx.query.get("next")))
    if ctx.user is not None:
        # A logged-in person stays logged in until a new login completes: a link from another
        # site to this page (SameSite=Lax lets a top-level GET carry the cookie) logs nobody out.
        ctx.user.login = pending
        ctx.save_session()
        return Redirect(authorize_url(ctx.config, pending), status=302)
    # Answers kept when a session ended travel on to the new login (see session_ended).
    stash = next((s.stash for s in (ctx.session, ctx.ended_session) if s is not None and s.stash), None)
    ctx.begin("login", login=pending, stash=stash)
    return Redirect(authorize_url(ctx.config, pending), status=302)


def login_done(ctx: Context) -> Page | Redirect:
    session = ctx.session
    if session is None or session.login is None:
        return Redirect(ctx.url("/web/logga-in"), status=303)
    if ctx.query.get("error"):
        if session.kind == "user":  # the person stays logged in as before
            session.login = None
            ctx.save_session()
        return Page("error.html", {"title": _title("Inloggningen avbröts"), "heading": "Inloggningen avbröts",
                                   "text": "Du loggades inte in. Försök igen."}, status=401)
    principal = finish_login(ctx.config, session.login, ctx.query.get("code", ""), ctx.query.get("state", ""),
                             **_token_endpoint(ctx))
    next_path, stash = session.login.next, session.stash
    ctx.begin("user", principal=principal)  # a new id: the login's id is never reused
    if stash is not None and stash.personnummer == str(principal.personnummer):
        return _resume_stash(ctx, stash)
    return Redirect(next_path)


def _token_endpoint(ctx: Context) -> dict[str, Any]:
    endpoint = ctx.deps.extras.get("oidc_token_endpoint")
    return {"token_endpoint": endpoint} if endpoint else {}


def logout(ctx: Context) -> Redirect:
    ctx.end()
    return Redirect(ctx.url("/web") + "?utloggad=1")


def keep_alive(ctx: Context) -> Redirect:
    """'Fortsätt vara inloggad': the request itself moved the session's end."""
    ctx.require_user()
    return Redirect(safe_next(ctx.config, ctx.form.get("next")))


def session_ended(ctx: Context, ended: WebSession, next_path: str) -> Page | Redirect:
    """The session ended while the person was filling in a step: what they posted is kept and
    saved into the draft once the same person has logged in again."""
    stash = None
    parts = ctx.raw_path.strip("/").split("/")
    if (ctx.method == "POST" and ended.principal is not None and ended.csrf_ok(ctx.form.get("csrf"))
            and len(parts) == 5 and parts[:2] == ["web", "utkast"] and parts[3] == "steg"):
        stash = Stash(personnummer=str(ended.principal.personnummer), draft_id=parts[2], step_id=parts[4],
                      pairs=[(k, v) for k, v in ctx.form.pairs if k not in ("csrf",)])
    ctx.sessions.delete(ended.session_id)
    ctx.ended_session = None
    ctx.begin("login", login=new_login(safe_next(ctx.config, next_path)), stash=stash)
    return Page("session_ended.html", {"title": _title("Du har loggats ut"), "kept": stash is not None,
                                       "login_url": ctx.url("/web/logga-in") + "?" + urllib.parse.urlencode(
                                           {"next": safe_next(ctx.config, next_path)})})


def _resume_stash(ctx: Context, stash: Stash) -> Redirect:
    call = ctx.require_user("drafts.update")
    try:
        draft = submissions.get_draft(ctx.deps, call, stash.draft_id)
        form = get_form(draft.form_id)
        step = form.step(stash.step_id)
        if step is not None:
            posted = fv.from_form(step, Form(list(map(tuple, stash.pairs))), _person(ctx, call))
            _, errors = validate_step(form, step.id, posted.answers, complete=False)
            submissions.save_draft(ctx.deps, call, draft.draft_id, {step.id: fv.without_bad(step, posted, errors)},
                                   draft.version)
            ctx.notice("Du loggades ut efter en stund utan aktivitet. Dina svar är sparade.")
            return Redirect(ctx.url(f"/web/utkast/{draft.draft_id}/steg/{step.id}"))
    except (NotFound, Conflict, ValidationFailed):
        pass
    return Redirect(ctx.url("/web/mina-sidor"))


# -- filling in ---------------------------------------------------------------------------

def start_draft(ctx: Context, form_id: str) -> Redirect:
    call = ctx.require_user("drafts.create")
    draft = submissions.start_draft(ctx.deps, call, form_id, {})
    form = get_form(form_id)
    return Redirect(ctx.url(f"/web/utkast/{draft.draft_id}/steg/{form.steps[0].id}"))


def _subject(ctx: Context, call: Any) -> str:
    return str(call.subject)


def _person(ctx: Context, call: Any) -> Any:
    return ctx.deps.register.lookup(_subject(ctx, call))


def _register_values(ctx: Context, call: Any) -> dict[str, Any]:
    person = _person(ctx, call)
    if person is None:
        return {}
    values = prefill_values(person, ctx.deps.profiles.get(_subject(ctx, call)), _subject(ctx, call))
    return {k: v for k, v in values.items() if k in fv.REGISTER_KEYS}


def _progress(form: FormDefinition, current: str) -> list[dict[str, Any]]:
    names = [(s.id, s.title) for s in form.steps] + [("granska", "Förhandsgranska"), ("skicka", "Skicka in")]
    at = next(i for i, (sid, _) in enumerate(names) if sid == current)
    return [{"number": i + 1, "title": title, "state": "done" if i < at else "current" if i == at else "todo"}
            for i, (_, title) in enumerate(names)]


def _step_page(ctx: Context, form: FormDefinition, step: Step, draft: Any, values: dict[str, Any],
               errors: dict[str, str], call: Any, *, from_preview: bool, extra_rows: dict[str, int] | None = None,
               focus_row: tuple[str, int] | None = None, status: int = 200, notice: str | None = None) -> Page:
    person = _person(ctx, call)
    views = fv.step_view(form, step, values, errors, person=person, register_values=_register_values(ctx, call),
                         extra_rows=extra_rows, focus_row=focus_row)
    number = [s.id for s in form.steps].index(step.id) + 1
    links = fv.error_links(views, errors)
    return Page("step.html", {
        "title": _title(step.title, form.title, error=bool(links)), "form": form, "step": step, "draft": draft,
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
    call = ctx.require_user("drafts.read" if ctx.method == "GET" else "drafts.update")
    draft = submissions.get_draft(ctx.deps, call, draft_id)
    form = get_form(draft.form_id)
    current = form.step(step_id)
    if current is None:
        raise NotFound("no such step")
    from_preview = ctx.query.get("fran") == "granska" or ctx.form.get("fran") == "granska"
    if ctx.method == "GET":
        errors: dict[str, str] = {}
        if ctx.query.get("fel"):  # from the preview's error summary: show this step's problems
            preview = submissions.preview_draft(ctx.deps, call, draft_id)
            problems = [FieldError(e.field, e.detail) for s in preview.steps for e in s.errors]
            errors = fv.error_map(current, problems)
        return _step_page(ctx, form, current, draft, draft.answers.get(step_id) or {}, errors, call,
                          from_preview=from_preview)
    return _post_step(ctx, call, form, current, draft, from_preview)


def _post_step(ctx: Context, call: Any, form: FormDefinition, current: Step, draft: Any,
               from_preview: bool) -> Page | Redirect:
    action = ctx.form.get("action", "next")
    person = _person(ctx, call)
    posted = fv.from_form(current, ctx.form, person)
    _, bad = validate_step(form, current.id, posted.answers, complete=False)
    saved = submissions.save_draft(ctx.deps, call, draft.draft_id, {current.id: fv.without_bad(current, posted, bad)},
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
            saved = submissions.save_draft(ctx.deps, call, draft.draft_id,
                                           {current.id: fv.without_bad(current, posted, bad)}, saved.version)
            return _step_page(ctx, form, current, saved, raw, fv.error_map(current, bad, posted.row_index), call,
                              from_preview=from_preview, notice=f"Rad {int(which) + 1} är borttagen.")
        field = next(f for f in current.fields if f.name == name)
        if len(rows) >= field.max_rows:
            return _step_page(ctx, form, current, saved, raw, {fv.field_id(current.id, name): f"Högst {field.max_rows} rader"},
                              call, from_preview=from_preview, status=422)
        return _step_page(ctx, form, current, saved, raw, fv.error_map(current, bad, posted.row_index), call,
                          from_preview=from_preview, extra_rows={name: 1}, focus_row=(name, len(rows)))
    if bad:
        return _step_page(ctx, form, current, saved, raw, fv.error_map(current, bad, posted.row_index), call,
                          from_preview=from_preview, status=422)
    if action == "save":
        ctx.notice("Dina svar är sparade. Du hittar utkastet under Mina sidor.")
        return Redirect(ctx.url(f"/web/utkast/{saved.draft_id}/steg/{current.id}") + ("?fran=granska" if from_preview else ""))
    if action == "back":
        index = [s.id for s in form.steps].index(current.id)
        target = form.steps[index - 1].id if index > 0 else None
        return Redirect(ctx.url(f"/web/utkast/{saved.draft_id}/steg/{target}") if target
                        else ctx.url(f"/web/tjanster/{form.id}"))
    shown = set(ctx.form.getlist("shown"))
    revealed = [f for f in current.fields if f.required_when is not None and fv.visible(f, posted.answers)
                and f.name not in shown]
    if revealed:  # without JavaScript, new questions appear after "Nästa"
        return _step_page(ctx, form, current, saved, raw, {}, call, from_preview=from_preview,
                          notice="Svara också på " + ("frågorna" if len(revealed) > 1 else "frågan") + " som nu visas.")
    _, missing = validate_step(form, current.id, posted.answers, complete=True)
    if missing:
        return _step_page(ctx, form, current, saved, raw, fv.error_map(current, missing, posted.row_index), call,
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


# -- preview, sign, submit, receipt -------------------------------------------------------

def preview(ctx: Context, draft_id: str) -> Page:
    call = ctx.require_user("drafts.read")
    draft = submissions.get_draft(ctx.deps, call, draft_id)
    form = get_form(draft.form_id)
    checked = submissions.preview_draft(ctx.deps, call, draft_id)
    links = []
    for s in checked.steps:
        step_def = form.step(s.step)
        for e in s.errors:
            key = fv.error_map(step_def, [FieldError(e.field, e.detail)]) if step_def else {}
            anchor = next(iter(key), "main")
            label = _label_of(step_def, e.field) if step_def else ""
            links.append(fv.ErrorLink(ctx.url(f"/web/utkast/{draft_id}/steg/{s.step}") + f"?fran=granska&fel=1#{anchor}",
                                      f"{s.title}: {label}{': ' if label else ''}{e.detail}"))
    return Page("preview.html", {
        "title": _title("Förhandsgranska", form.title, error=bool(links)), "form": form, "draft": draft,
        "summary": fv.summary_rows(form, draft.answers, _person(ctx, call)), "errors": links,
        "ready": checked.ready_to_sign, "computed": checked.computed,
        "computed_labels": {c.name: c.label for c in form.computed}, "progress": _progress(form, "granska"),
        "number": len(form.steps) + 1, "total": len(form.steps) + 2,
    })


def _label_of(step: Step, path: str) -> str:
    name = path.split(".")[2] if path.count(".") >= 2 else ""
    return next((f.label for f in step.fields if f.name == name), "")


def sign_and_submit(ctx: Context, draft_id: str) -> Page | Redirect:
    call = ctx.require_user("drafts.sign")
    try:
        signature = submissions.sign_draft(ctx.deps, call, draft_id)
    except ValidationFailed:
        return Redirect(ctx.url(f"/web/utkast/{draft_id}/granska"))
    if signature.status == "pending":
        return Redirect(ctx.url(f"/web/utkast/{draft_id}/signering"))
    if signature.status != "complete":
        return _signing_failed(ctx, draft_id)
    return _submit(ctx, draft_id)


def signing(ctx: Context, draft_id: str) -> Page | Redirect:
    """A signing in progress at the e-ID provider (BankID on another device): collect it."""
    call = ctx.require_user("drafts.sign")
    status = submissions.collect_signature(ctx.deps, call, draft_id)
    if status.status == "complete":
        return _submit(ctx, draft_id) if ctx.method == "POST" else Page("signing.html", {
            "title": _title("Signera"), "draft_id": draft_id, "done": True})
    if status.status == "failed":
        return _signing_failed(ctx, draft_id)
    return Page("signing.html", {"title": _title("Signera"), "draft_id": draft_id, "done": False})


def _signing_failed(ctx: Context, draft_id: str) -> Page:
    return Page("error.html", {"title": _title("Signeringen misslyckades"), "heading": "Signeringen misslyckades",
                               "text": "Ditt ärende är inte inskickat. Dina svar är sparade; försök igen.",
                               "back": ctx.url(f"/web/utkast/{draft_id}/granska")}, status=409)


def _submit(ctx: Context, draft_id: str) -> Redirect:
    call = ctx.require_user("drafts.submit")
    # One key per draft: a double click or a retry gets the same receipt, never a second case.
    call = dataclasses.replace(call, idempotency_key=f"web:{draft_id}")
    receipt = submissions.submit_draft(ctx.deps, call, draft_id)
    return Redirect(ctx.url(f"/web/arenden/{receipt.case_id}/kvittens"))


def receipt(ctx: Context, case_id: str) -> Page:
    call = ctx.require_user("cases.read_own")
    case = ctx.deps.cases.get_owned(case_id, _subject(ctx, call))
    got = submissions.receipt(ctx.deps, case)
    form = get_form(case.form_id)
    return Page("receipt.html", {
        "title": _title("Ditt ärende är nu inskickat", form.title), "receipt": got, "form": form,
        "pdf_url": ctx.url(f"/web/arenden/{case_id}/dokument/{got.document_url.rsplit('/', 1)[1]}"),
        "summary": fv.summary_rows(form, case.answers, _person(ctx, call)),
        "computed_labels": {c.name: c.label for c in form.computed},
        "report_another": any(f.kind == "report_another" for f in got.follow_ups),
    })


def document(ctx: Context, case_id: str, document_id: str) -> Redirect:
    call = ctx.require_user("documents.read_own")
    file = mypages.document(ctx.deps, call, case_id, document_id)  # a browser gets a short-lived address
    return Redirect(ctx.deps.documents.presigned_get(file.key, filename=file.filename), status=303)


def report_another(ctx: Context, case_id: str) -> Redirect:
    call = ctx.require_user("drafts.create")
    draft = submissions.report_another(ctx.deps, call, case_id)
    form = get_form(draft.form_id)
    return Redirect(ctx.url(f"/web/utkast/{draft.draft_id}/steg/{form.steps[0].id}"))


def discard(ctx: Context, draft_id: str) -> Page | Redirect:
    call = ctx.require_user("drafts.delete")
    draft = submissions.get_draft(ctx.deps, call, draft_id)
    if ctx.method == "POST":
        submissions.discard_draft(ctx.deps, call, draft_id)
        ctx.notice(f"Utkastet ”{draft.title}” är borttaget.")
        return Redirect(ctx.url("/web/mina-sidor"))
    return Page("discard.html", {"title": _title("Ta bort utkast"), "draft": draft})


# -- Mina sidor ---------------------------------------------------------------------------

def my_pages(ctx: Context) -> Page:
    call = ctx.require_user("cases.read_own")
    drafts = submissions.list_drafts(ctx.deps, call)
    cases = mypages.my_cases(ctx.deps, call)
    threads = _threads(ctx, call)
    return Page("mypages.html", {
        "title": _title("Mina sidor"), "drafts": drafts, "resume": {d.draft_id: _resume_url(ctx, d) for d in drafts},
        "ongoing": [c for c in cases if c.status not in FINISHED],
        "finished": [c for c in cases if c.status in FINISHED],
        "unread": sum(t.unread for t in threads), "acting_choices": len(_acting_choices(ctx, call)) > 1,
    })


def _resume_url(ctx: Context, draft: Any) -> str:
    """The first step with something missing, or the preview when nothing is."""
    form = get_form(draft.form_id)
    for s in form.steps:
        if any(p.field.startswith(f"answers.{s.id}.") or p.field == f"answers.{s.id}" for p in draft.missing):
            return ctx.url(f"/web/utkast/{draft.draft_id}/steg/{s.id}")
    return ctx.url(f"/web/utkast/{draft.draft_id}/granska")


def my_case(ctx: Context, case_id: str) -> Page:
    call = ctx.require_user("cases.read_own")
    case = mypages.my_case(ctx.deps, call, case_id)
    stored = ctx.deps.cases.get_owned(case_id, _subject(ctx, call))
    form = get_form(stored.form_id)
    threads = [t for t in _threads(ctx, call) if t.case_id == case_id]
    return Page("case.html", {
        "title": _title(f"Ärende {case.case_number}"), "case": case, "threads": threads,
        "summary": fv.summary_rows(form, stored.answers, _person(ctx, call)),
        "documents": [{"filename": d.filename, "url": ctx.url(f"/web/arenden/{case_id}/dokument/{d.document_id}"),
                       "kind": d.kind} for d in case.documents],
        "letter_urls": {d.letter_url: ctx.url(f"/web/arenden/{case_id}/dokument/{d.letter_url.rsplit('/', 1)[1]}")
                        for d in case.decisions if d.letter_url},
        "can_write": stored.intake is not None, "errors": [], "values": {},
    } | _upload_context(ctx, f"case:{case_id}", f"/web/mina-sidor/arenden/{case_id}", stored.intake is not None))


def _upload_context(ctx: Context, target: str, page_path: str, can_write: bool = True) -> dict[str, Any]:
    """"Bifoga fil" without JavaScript; a refused file is named in the error summary."""
    from .attach import upload_form

    if not can_write:
        return {"upload": None}
    upload = upload_form(ctx, target, page_path)
    errors = [fv.ErrorLink("#n-file", upload["error"])] if upload["error"] else []
    return {"upload": upload, "errors": errors}


def _threads(ctx: Context, call: Any) -> list[Any]:
    from ...eservices.casework.usecases import messages as msg

    try:
        return msg.list_threads(ctx.deps, call.who, msg.person_sender(ctx.deps, call.who, call.acting_for))
    except NotFound:
        return []


def messages(ctx: Context) -> Page:
    call = ctx.require_user("messages.citizen")
    return Page("messages.html", {"title": _title("Meddelanden"), "threads": _threads(ctx, call)})


MESSAGE_ERRORS = {"body": "Skriv ett meddelande", "subject": "Skriv en rubrik",
                  "attachments": "En bifogad fil kunde inte tas emot. Du kan bifoga högst 5 filer på högst 16 MB."}


def _message_errors(exc: ValidationFailed) -> dict[str, str]:
    out = {}
    for e in exc.errors:
        name = e.field.split(".")[0]
        out["files" if name == "attachments" else name] = MESSAGE_ERRORS.get(name, "Kontrollera uppgiften")
    return out or {"body": "Meddelandet kunde inte skickas"}


def thread(ctx: Context, thread_id: str) -> Page | Redirect:
    from ...eservices.casework.usecases import messages as msg
    from ...eservices.casework.schemas import Reply

    call = ctx.require_user("messages.citizen")
    sender = msg.person_sender(ctx.deps, call.who, call.acting_for)
    errors: dict[str, str] = {}
    target = f"thread:{thread_id}"
    if ctx.method == "POST":
        try:
            body = _parse(Reply, {"body": ctx.form.get("body"), "read_receipt": ctx.form.get("read_receipt") == "true",
                                  "attachments": attach.pending_ids(ctx, target, ctx.form.getlist("attachments"))})
            msg.reply(ctx.deps, call.who, sender, thread_id, body)
            attach.sent(ctx, target)
            ctx.notice("Ditt meddelande är skickat.")
            return Redirect(ctx.url(f"/web/mina-sidor/meddelanden/{thread_id}"))
        except ValidationFailed as exc:
            errors = _message_errors(exc)
        except Conflict:
            errors = {"body": "Meddelanden är avstängda för dig just nu. Kontakta kommunen."}
    view = msg.read_thread(ctx.deps, call.who, sender, thread_id)
    upload = _upload_context(ctx, target, f"/web/mina-sidor/meddelanden/{thread_id}")
    links = [fv.ErrorLink(f"#m-{k}", v) for k, v in errors.items()] + upload.pop("errors")
    return Page("thread.html", {"title": _title(view.subject, "Meddelanden", error=bool(links)), "thread": view,
                                "errors": links, "field_errors": errors, "values": {"body": ctx.form.get("body")},
                                **upload},
                status=422 if errors else 200)


def new_message(ctx: Context, case_id: str) -> Page | Redirect:
    from ...eservices.casework.usecases import messages as msg
    from ...eservices.casework.schemas import CitizenNewMessage

    call = ctx.require_user("messages.citizen")
    errors: dict[str, str] = {}
    try:
        body = _parse(CitizenNewMessage, {"case_id": case_id, "subject": ctx.form.get("subject"),
                                          "body": ctx.form.get("body"),
                                          "read_receipt": ctx.form.get("read_receipt") == "true",
                                          "attachments": attach.pending_ids(ctx, f"case:{case_id}",
                                                                            ctx.form.getlist("attachments"))})
        sender = msg.person_sender(ctx.deps, call.who, call.acting_for)
        view = msg.citizen_new_thread(ctx.deps, call.who, sender, body)
        attach.sent(ctx, f"case:{case_id}")
        ctx.notice("Ditt meddelande är skickat.")
        return Redirect(ctx.url(f"/web/mina-sidor/meddelanden/{view.thread_id}"))
    except ValidationFailed as exc:
        errors = _message_errors(exc)
    except Conflict:
        errors = {"body": "Du kan skicka meddelanden när en handläggare har tagit emot ärendet och meddelanden "
                          "är påslagna för dig."}
    page = my_case(ctx, case_id)
    page.context.update(errors=[fv.ErrorLink(f"#m-{k}", v) for k, v in errors.items()], field_errors=errors,
                        values={"subject": ctx.form.get("subject"), "body": ctx.form.get("body")},
                        title=_title(f"Ärende {page.context['case'].case_number}", error=True))
    page.status = 422
    return page


def _parse(model: Any, data: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from ..http import field_errors

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc)
        raise ValidationFailed("invalid", errors=errors) from None


PROFILE_ERRORS = {"email": "Ange en giltig e-postadress", "mobile": "Ange ett giltigt mobilnummer"}


def profile(ctx: Context) -> Page | Redirect:
    from ...eservices.schemas import UpdateProfile

    call = ctx.require_user("profile.read")
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if ctx.method == "POST":
        values = {"email": ctx.form.get("email").strip() or None, "mobile": ctx.form.get("mobile").strip() or None,
                  "notify_email": ctx.form.get("notify_email") == "true",
                  "notify_sms": ctx.form.get("notify_sms") == "true"}
        try:
            mypages.update_profile(ctx.deps, ctx.require_user("profile.update"), _parse(UpdateProfile, values))
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
    me = mypages.get_profile(ctx.deps, call)
    return Page("profile.html", {"title": _title("Mina uppgifter", error=bool(errors)), "me": me,
                                 "values": values or me.model_dump(), "field_errors": errors,
                                 "errors": [fv.ErrorLink(f"#p-{k}", v) for k, v in errors.items()]},
                status=422 if errors else 200)


def _acting_choices(ctx: Context, call: Any) -> list[dict[str, str]]:
    me = call.who
    today = stockholm_date(ctx.deps.clock())
    choices = [{"value": "", "label": f"Mig själv ({me.name or 'jag'})"}]
    for a in ctx.deps.approvals.of_relative(str(me.personnummer)):
        if a.active_on(today):
            to = f" till och med {a.valid_to.isoformat()}" if a.valid_to else ""
            choices.append({"value": str(a.citizen), "label": f"{a.citizen_first_name} {a.citizen_last_name}",
                            "hint": f"Godkänt från {a.valid_from.isoformat()}{to}"})
    return choices


def acting_for(ctx: Context) -> Page | Redirect:
    """A relative chooses whom to act for: themselves or a citizen whose approval is in force."""
    call = ctx.require_user("cases.read_own")
    own = dataclasses.replace(call, subject=call.who.personnummer)
    choices = _acting_choices(ctx, own)
    if ctx.method == "POST":
        chosen = ctx.form.get("acting_for")
        match = next((c for c in choices if c["value"] == chosen), None)
        if match is None:
            raise NotFound("no approval for that person")
        assert ctx.user is not None
        ctx.user.acting_for = chosen or None
        ctx.user.acting_for_name = match["label"] if chosen else None
        ctx.user.notice = f"Du företräder nu {match['label']}." if chosen else "Du agerar nu för dig själv."
        ctx.save_session()
        return Redirect(ctx.url("/web/mina-sidor"))
    current = ctx.user.acting_for if ctx.user else None
    return Page("acting.html", {"title": _title("Välj vem du företräder"), "choices": choices,
                                "current": current or ""})


def attachment(ctx: Context, thread_id: str, message_id: str, attachment_id: str) -> Redirect:
    """An attachment of one's own thread, through a short-lived address."""
    from ...eservices.casework.usecases import messages as msg

    call = ctx.require_user("messages.citizen")
    sender = msg.person_sender(ctx.deps, call.who, call.acting_for)
    found = msg.attachment(ctx.deps, call.who, sender, thread_id, message_id, attachment_id)
    return Redirect(found.location, status=303)


def upload_ticket(ctx: Context) -> Json:
    """A presigned S3 POST for one attachment, for the page's script: the file goes straight to S3,
    which refuses more than 16 MB; the message then names the upload."""
    from ...eservices.casework.usecases import messages as msg
    from ...eservices.casework.schemas import UploadRequest

    call = ctx.require_user("messages.citizen")
    try:
        body = _parse(UploadRequest, {"filename": ctx.form.get("filename"), "content_type": ctx.form.get("content_type")})
    except ValidationFailed:
        return Json({"error": "Den filtypen kan inte skickas. Skicka PDF, JPEG, PNG, HEIC, text eller Word."}, 422)
    ticket = msg.start_upload(ctx.deps, call.who, msg.person_sender(ctx.deps, call.who, call.acting_for), body)
    return Json({"upload_id": ticket.upload_id, "url": ticket.url, "fields": ticket.fields,
                 "max_bytes": ticket.max_bytes}, 201)
