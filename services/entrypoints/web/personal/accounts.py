"""Personalkonton: the staff directory's pages for its keepers (``/personal/konton``) — the list with
its filters, a new account (with its check-answers step), one account with its history, extend, end
and change roles. The pages call the directory's use cases (``identity/usecases/directory.py``), so
whom each keeper reaches is theirs: an organisation's administrator its own organisation, the
municipality's administrator municipal units and providers' administrators; what is out of reach is
404. A change carries the version the page read (hidden field): a 409 shows the fresh account.

The list shows personnummer masked (``ÅÅÅÅMMDD-****``, as the use case answers lists); one account's
page shows it in full, since that is where the keeper checks whose account it is."""
from __future__ import annotations

import urllib.parse
from datetime import date
from typing import Any

from ....auth.principal import Principal, Role
from ....domain.calendar import stockholm_date, swedish_date, swedish_local
from ....domain.errors import Conflict, ValidationFailed
from ....domain.personnummer import Personnummer
from ....identity.domain import scope
from ....identity.domain.model import (
    MUNICIPAL_ROLES,
    NOTICE_DAYS,
    PROVIDER_ORG_ROLES,
    default_extension,
    default_valid_to,
    roles_refusal,
)
from ....identity.usecases import directory, login as staff_logins
from ..formview import ErrorLink
from ..http import Context, Page, Redirect
from .views import ROLE_LABELS, title

READ, MANAGE = "staff_accounts.read", "staff_accounts.manage"
ENDING_SOON_DAYS = 30
STATUS_LABELS = {"valid": "Gäller", "not_yet_valid": "Gäller inte ännu", "ended": "Avslutat"}
STATUS_BADGES = {"valid": "done", "not_yet_valid": "info", "ended": "warning"}
ACTION_LABELS = {"account_added": "Kontot lades till", "account_extended": "Kontot förlängdes",
                 "account_ended": "Kontot avslutades", "roles_changed": "Rollerna ändrades",
                 "login": "Inloggning", "login_refused": "Inloggning nekad",
                 "reminder_recorded": "Påminnelse om förlängning skickad",
                 "audit_searched": "Sökning i loggen"}
NEW_FIELDS = ("personnummer", "name", "email", "organisation_id", "valid_from", "valid_to")
MESSAGES = {
    "personnummer": "Skriv personnumret med 12 siffror, ÅÅÅÅMMDD-NNNN.",
    "name": "Skriv personens namn.",
    "email": "Skriv en e-postadress som namn@exempel.se, eller lämna fältet tomt.",
    "organisation_id": "Välj en organisation vars konton du administrerar.",
    "roles": "Välj minst en roll som organisationen kan ha.",
    "valid_from": "Skriv giltigt från som ÅÅÅÅ-MM-DD.",
    "valid_to": "Skriv giltigt till som ÅÅÅÅ-MM-DD, tidigast i dag och inte före giltigt från.",
    "reason": "Skriv varför kontot avslutas (högst 500 tecken).",
}
CHANGED = "Kontot har ändrats av någon annan. Här är kontots uppgifter som de är nu; gör din ändring igen."


# -- who may --------------------------------------------------------------------------------
def keeper(ctx: Context, action: str = READ) -> Principal:
    """The logged-in keeper of the directory: a login page for nobody, the role choice for one who
    has not chosen, 403 for anyone else and for an account that ended while logged in."""
    user = ctx.user
    if user is not None and user.principal is None:
        raise _Choose()
    who = ctx.require_principal(action)  # Forbidden (403) for any other role
    if not staff_logins.account_valid(ctx.deps, who.subject, stockholm_date(ctx.now), who.role):
        ctx.end()
        raise _Ended()
    return who


class _Choose(Exception):
    pass


class _Ended(Exception):
    pass


class _Back(Exception):
    pass


def guarded(view):  # noqa: ANN001, ANN201 - a view's wrapper
    def run(ctx: Context, **params: str) -> Page | Redirect:
        try:
            return view(ctx, **params)
        except _Choose:
            return Redirect(ctx.url("/valj-roll"))
        except _Ended:
            return Page("refused.html", {"title": title("Kontot gäller inte"),
                                         "heading": "Ditt konto gäller inte längre",
                                         "text": staff_logins.REFUSALS["account_ended"]}, status=403)
    run.__name__ = view.__name__
    return run


NAV = [("/konton", "Personalkonton"), ("/konton/nytt", "Lägg till konto")]


def nav(ctx: Context, current: str) -> list[dict[str, Any]]:
    return [{"href": ctx.url(path), "label": label, "current": path == current} for path, label in NAV]


def page_title(*parts: str, error: bool = False) -> str:
    return ("Fel: " if error else "") + title(" – ".join(parts))


def _organisations(ctx: Context, who: Principal) -> dict[str, Any]:
    return {o.organisation_id: o for o in directory.list_organisations(ctx.deps, who)}


def _organisation_name(ctx: Context, who: Principal, organisation_id: str) -> str:
    found = _organisations(ctx, who).get(organisation_id)
    return found.name if found else organisation_id


def grantable(who: Principal, kind: str, organisation_id: str) -> list[Role]:
    """The roles ``who`` may give an account of an organisation of ``kind``, in the labels' order."""
    allowed = PROVIDER_ORG_ROLES if kind == "provider" else MUNICIPAL_ROLES
    found = [r for r in ROLE_LABELS if r in allowed and scope.grant_refusal(who, [r]) is None
             and scope.reaches(who, organisation_id, kind, [r])]  # type: ignore[arg-type]
    return found


def _role_options(roles: list[Role], chosen: list[str]) -> list[dict[str, Any]]:
    return [{"value": str(r), "label": ROLE_LABELS[r], "checked": str(r) in chosen} for r in roles]


# -- the list -------------------------------------------------------------------------------
ORDERS = {"namn": ("Namn", lambda a: (a.name.lower(), a.account_id)),
          "giltigt": ("Giltigt till", lambda a: (a.valid_to, a.name.lower()))}


@guarded
def account_list(ctx: Context) -> Page:
    from ....identity.schemas import StaffAccountQuery

    who = keeper(ctx)
    today = stockholm_date(ctx.now)
    organisations = _organisations(ctx, who)
    role = ctx.query.get("roll", "")
    status = ctx.query.get("status", "")
    soon = ctx.query.get("upphor") == "30"
    order = ctx.query.get("ordning", "namn")
    key, descending = order.lstrip("-"), order.startswith("-")
    if key not in ORDERS:
        key, descending = "namn", False
    query = StaffAccountQuery(role=role if role in {str(r) for r in ROLE_LABELS} else None,
                              status=status if status in STATUS_LABELS else None,
                              ending_within_days=ENDING_SOON_DAYS if soon else None)
    found = sorted(directory.list_accounts(ctx.deps, who, query), key=ORDERS[key][1], reverse=descending)
    current = {"roll": query.role and str(query.role) or "", "status": query.status or "", "upphor": soon}
    filters = {k: v for k, v in (("roll", current["roll"]), ("status", current["status"]),
                                 ("upphor", "30" if soon else "")) if v}

    def href(**extra: str) -> str:
        return ctx.url("/konton") + "?" + urllib.parse.urlencode({**filters, **extra})

    def column(name: str) -> dict[str, Any]:
        sorted_here = key == name
        return {"label": ORDERS[name][0],
                "sort": ("descending" if descending else "ascending") if sorted_here else None,
                "href": href(ordning=("" if descending else "-") + name if sorted_here else name)}

    rows = [{
        "name": a.name, "href": ctx.url(f"/konton/{a.account_id}"), "personnummer": a.personnummer_masked,
        "organisation": organisations[a.organisation_id].name if a.organisation_id in organisations
        else a.organisation_id,
        "roles": ", ".join(ROLE_LABELS[r] for r in a.roles), "valid_to": a.valid_to.isoformat(),
        "status": STATUS_LABELS[a.status], "status_badge": STATUS_BADGES[a.status],
        "ends_soon": a.status == "valid" and (a.valid_to - today).days <= NOTICE_DAYS,
    } for a in found]
    roles = [r for r in ROLE_LABELS if any(grantable(who, o.kind, o.organisation_id) and
                                           r in grantable(who, o.kind, o.organisation_id)
                                           for o in organisations.values())]
    return Page("accounts.html", {
        "title": page_title("Personalkonton"), "nav": nav(ctx, "/konton"), "rows": rows, "current": current,
        "roles": [{"value": str(r), "label": ROLE_LABELS[r]} for r in roles], "statuses": STATUS_LABELS,
        "filtered": bool(filters), "clear_url": ctx.url("/konton"), "order": order if order != "namn" else "",
        "sort_by_name": column("namn"), "sort_by_valid_to": column("giltigt"),
        "order_label": f"sorterade efter {ORDERS[key][0].lower()}, {'fallande' if descending else 'stigande'}",
        "new_url": ctx.url("/konton/nytt"), "notice_days": NOTICE_DAYS,
    })


# -- a new account --------------------------------------------------------------------------
def _field_of(loc: str) -> str:
    head = loc.split(".")[0]
    return head if head in (*NEW_FIELDS, "roles", "reason") else "valid_to"


def _errors(exc: Exception) -> dict[str, str]:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        locs = [".".join(str(x) for x in e["loc"]) for e in exc.errors()]
    else:
        locs = [e.field for e in getattr(exc, "errors", [])]
    errors: dict[str, str] = {}
    for loc in locs:
        field = _field_of(loc)
        errors.setdefault(field, MESSAGES[field])
    return errors or {"valid_to": "Kontrollera uppgifterna."}


def _new_body(values: dict[str, str], roles: list[str]) -> dict[str, Any]:
    return {"personnummer": values["personnummer"].replace(" ", ""), "name": values["name"],
            "email": values["email"] or None, "organisation_id": values["organisation_id"], "roles": roles,
            "valid_from": values["valid_from"] or None, "valid_to": values["valid_to"] or None}


def _check_new(who: Principal, organisations: dict[str, Any], body: Any, today: date) -> dict[str, str]:
    """What the use case would refuse, said before the check-answers step (nothing is stored here;
    the use case checks it all again when the account is added)."""
    errors: dict[str, str] = {}
    organisation = organisations.get(body.organisation_id)
    if organisation is None:
        return {"organisation_id": MESSAGES["organisation_id"]}
    if (roles_refusal(organisation.kind, body.roles) or scope.grant_refusal(who, body.roles)
            or not scope.reaches(who, organisation.organisation_id, organisation.kind, body.roles)):
        allowed = ", ".join(ROLE_LABELS[r].lower() for r in grantable(who, organisation.kind,
                                                                      organisation.organisation_id))
        errors["roles"] = f"{organisation.name} kan bara få rollerna {allowed}."
    start = body.valid_from or today
    end = body.valid_to or default_valid_to(max(start, today))
    if end < start or end < today:
        errors["valid_to"] = MESSAGES["valid_to"]
    return errors


@guarded
def new_account(ctx: Context) -> Page | Redirect:
    from pydantic import ValidationError

    from ....identity.schemas import NewStaffAccount

    who = keeper(ctx, MANAGE if ctx.method == "POST" else READ)
    today = stockholm_date(ctx.now)
    organisations = _organisations(ctx, who)
    kinds = {o.kind for o in organisations.values()}
    errors: dict[str, str] = {}
    step = ctx.form.get("steg") if ctx.method == "POST" else ""
    if step:
        values = {k: ctx.form.get(k).strip() for k in NEW_FIELDS}
        chosen = ctx.form.getlist("roles")
        body = None
        try:
            if step == "andra":  # back from the check-answers step: the form as it was
                raise _Back()
            body = NewStaffAccount.model_validate(_new_body(values, chosen))
        except ValidationError as exc:
            errors = _errors(exc)
        except _Back:
            pass
        if body is not None:
            errors = _check_new(who, organisations, body, today)
        if not errors and body is not None and step == "spara":
            try:
                saved = directory.add_account(ctx.deps, who, body)
            except ValidationFailed as exc:
                errors = _errors(exc)
            except Conflict as exc:
                errors = {"personnummer": "Personen har redan ett konto" + (
                    ". Förläng det i stället." if "extend" in str(exc) else " i en annan organisation.")}
            else:
                ctx.notice(f"Kontot för {saved.name} är tillagt och gäller till och med "
                           f"{swedish_date(saved.valid_to)}.")
                return Redirect(ctx.url(f"/konton/{saved.account_id}"))
        if not errors and body is not None and step == "granska":
            organisation = organisations[body.organisation_id]
            start = body.valid_from or today
            return Page("account_check.html", {
                "title": page_title("Kontrollera uppgifterna"), "nav": nav(ctx, "/konton/nytt"),
                "values": values, "chosen": chosen, "action": ctx.url("/konton/nytt"), "rows": [
                    ("Personnummer", Personnummer(body.personnummer).formatted), ("Namn", body.name),
                    ("E-post", body.email or "Ingen"), ("Organisation", organisation.name),
                    ("Roller", ", ".join(ROLE_LABELS[r] for r in body.roles)),
                    ("Giltigt från", swedish_date(start)),
                    ("Giltigt till och med", swedish_date(body.valid_to or default_valid_to(max(start, today))))]})
    else:
        only = next(iter(organisations)) if len(organisations) == 1 else ""
        values = {k: "" for k in NEW_FIELDS}
        values.update(organisation_id=only, valid_from=today.isoformat(),
                      valid_to=default_valid_to(today).isoformat())
        chosen = []
    roles = [r for r in ROLE_LABELS if any(r in grantable(who, o.kind, o.organisation_id)
                                           for o in organisations.values())]
    order = [*NEW_FIELDS[:4], "roles", *NEW_FIELDS[4:]]
    first_role = roles[0] if roles else ""
    links = [ErrorLink(f"#k-{f}" if f != "roles" else f"#k-roles-{first_role}", errors[f])
             for f in order if f in errors]
    provider_hint = ("För en utförare ger du bara rollen administratör för organisationen; utförarens egen "
                     "administratör lägger till dess personal." if who.role == Role.MUNICIPAL_ADMIN
                     and "provider" in kinds else None)
    return Page("account_new.html", {
        "title": page_title("Lägg till konto", error=bool(errors)), "nav": nav(ctx, "/konton/nytt"),
        "values": values, "errors": links, "field_errors": errors, "action": ctx.url("/konton/nytt"),
        "organisations": [{"value": o.organisation_id, "label": o.name} for o in organisations.values()],
        "roles": _role_options(roles, chosen), "provider_hint": provider_hint,
        "default_valid_to": swedish_date(default_valid_to(today)), "cancel_url": ctx.url("/konton"),
    }, status=422 if errors else 200)


# -- one account ----------------------------------------------------------------------------
def _actor_label(actor: str) -> str:
    role, _, rest = actor.partition(":")
    try:
        return f"{ROLE_LABELS[Role(role)]} ({rest})"
    except ValueError:
        return "Inloggningen" if actor == "login" else actor


def _history_line(e: Any) -> dict[str, str]:
    d = e.details or {}
    text = ACTION_LABELS.get(e.action, e.action)
    if e.action == "account_extended":
        text += f" till och med {swedish_date(date.fromisoformat(str(d['valid_to'])))}" if d.get("valid_to") else ""
    elif e.action == "roles_changed" and isinstance(d.get("roles"), list):
        text += ": " + ", ".join(ROLE_LABELS.get(Role(r), r) for r in d["roles"])  # type: ignore[union-attr]
    elif e.action == "account_ended" and e.reason:
        text += f": {e.reason}"
    elif e.action == "account_added" and d.get("valid_to"):
        text += f", giltigt till och med {swedish_date(date.fromisoformat(str(d['valid_to'])))}"
    elif e.action == "login_refused" and e.reason:
        text += f" ({e.reason})"
    return {"at": swedish_local(e.at), "text": text, "by": _actor_label(e.actor)}


def _account_page(ctx: Context, who: Principal, account_id: str, *, errors: dict[str, str] | None = None,
                  conflict: bool = False, values: dict[str, Any] | None = None, status: int = 200) -> Page:
    today = stockholm_date(ctx.now)
    a = directory.get_account(ctx.deps, who, account_id)  # NotFound: 404 for what is out of reach
    organisations = _organisations(ctx, who)
    organisation = organisations.get(a.organisation_id)
    errors = errors or {}
    values = values or {}
    roles = grantable(who, a.organisation_kind, a.organisation_id)
    chosen = values.get("roles") or [str(r) for r in a.roles]
    links = [ErrorLink("#k-valid_to" if f == "valid_to" else f"#k-roles-{roles[0] if roles else ''}", m)
             for f, m in errors.items()]
    return Page("account.html", {
        "title": page_title(a.name, error=bool(errors)), "nav": nav(ctx, "/konton"), "a": a,
        "personnummer": Personnummer(a.personnummer).formatted if a.personnummer else a.personnummer_masked,
        "organisation": organisation.name if organisation else a.organisation_id,
        "roles_text": ", ".join(ROLE_LABELS[r] for r in a.roles),
        "status": STATUS_LABELS[a.status], "status_badge": STATUS_BADGES[a.status],
        "valid_from": swedish_date(a.valid_from), "valid_to": swedish_date(a.valid_to),
        "ends_soon": a.status == "valid" and (a.valid_to - today).days <= NOTICE_DAYS,
        "ended_at": swedish_local(a.ended_at) if a.ended_at else None,
        "extend_to": values.get("valid_to") or default_extension(a.valid_to, today).isoformat(),
        "role_options": _role_options(roles, chosen), "conflict": CHANGED if conflict else None,
        "history": [_history_line(e) for e in directory.account_history(ctx.deps, who, account_id)],
        "errors": links, "field_errors": errors, "base": ctx.url(f"/konton/{account_id}"),
        "back_url": ctx.url("/konton"), "is_self": a.account_id == who.subject,
    }, status=status)


@guarded
def account(ctx: Context, account_id: str) -> Page:
    return _account_page(ctx, keeper(ctx), account_id)


def _version(ctx: Context) -> int:
    raw = ctx.form.get("version")
    return int(raw) if raw.isdigit() and len(raw) < 10 else 0


@guarded
def extend(ctx: Context, account_id: str) -> Page | Redirect:
    from pydantic import ValidationError

    from ....identity.schemas import ExtensionRequest

    who = keeper(ctx, MANAGE)
    raw = ctx.form.get("valid_to").strip()
    try:
        saved = directory.extend_account(ctx.deps, who, account_id, ExtensionRequest.model_validate(
            {"version": _version(ctx), "valid_to": raw or None}))
    except (ValidationError, ValidationFailed) as exc:
        if isinstance(exc, ValidationError) and any(e["loc"][0] == "version" for e in exc.errors()):
            return _account_page(ctx, who, account_id, conflict=True, status=409)
        return _account_page(ctx, who, account_id, errors={"valid_to": MESSAGES["valid_to"]},
                             values={"valid_to": raw}, status=422)
    except Conflict:
        return _account_page(ctx, who, account_id, conflict=True, status=409)
    ctx.notice(f"Kontot är förlängt och gäller till och med {swedish_date(saved.valid_to)}.")
    return Redirect(ctx.url(f"/konton/{account_id}"))


@guarded
def change_roles(ctx: Context, account_id: str) -> Page | Redirect:
    from pydantic import ValidationError

    from ....identity.schemas import RolesRequest

    who = keeper(ctx, MANAGE)
    chosen = ctx.form.getlist("roles")
    try:
        directory.change_roles(ctx.deps, who, account_id, RolesRequest.model_validate(
            {"version": _version(ctx), "roles": chosen}))
    except (ValidationError, ValidationFailed) as exc:
        if isinstance(exc, ValidationError) and any(e["loc"][0] == "version" for e in exc.errors()):
            return _account_page(ctx, who, account_id, conflict=True, status=409)
        return _account_page(ctx, who, account_id, errors={"roles": "Välj minst en av rollerna i listan."},
                             values={"roles": chosen}, status=422)
    except Conflict:
        return _account_page(ctx, who, account_id, conflict=True, status=409)
    ctx.notice("Kontots roller är ändrade. De gäller från personens nästa inloggning.")
    return Redirect(ctx.url(f"/konton/{account_id}"))


@guarded
def end(ctx: Context, account_id: str) -> Page | Redirect:
    """Avsluta konto: a page of its own that says what ending does, asks why, and ends on confirming."""
    from pydantic import ValidationError

    from ....identity.schemas import EndRequest

    who = keeper(ctx, MANAGE if ctx.method == "POST" else READ)
    a = directory.get_account(ctx.deps, who, account_id)
    errors: dict[str, str] = {}
    conflict = None
    reason = ""
    version = str(a.version)
    if ctx.method == "POST":
        reason = ctx.form.get("reason").strip()
        try:
            directory.end_account(ctx.deps, who, account_id, EndRequest.model_validate(
                {"version": _version(ctx), "reason": reason}))
        except (ValidationError, ValidationFailed) as exc:
            if isinstance(exc, ValidationError) and any(e["loc"][0] == "version" for e in exc.errors()):
                conflict = CHANGED
            else:
                errors = {"reason": MESSAGES["reason"]}
        except Conflict:
            conflict = CHANGED if a.ended_at is None else "Kontot är redan avslutat."
        else:
            ctx.notice(f"Kontot för {a.name} är avslutat. Personen kan inte längre logga in.")
            return Redirect(ctx.url(f"/konton/{account_id}"))
    if a.ended_at is not None and conflict is None:
        conflict = "Kontot är redan avslutat."
    return Page("account_end.html", {
        "title": page_title("Avsluta konto", a.name, error=bool(errors)), "nav": nav(ctx, "/konton"), "a": a,
        "reason": reason, "version": version, "errors": [ErrorLink("#k-reason", errors["reason"])] if errors else [],
        "field_errors": errors, "conflict": conflict, "action": ctx.url(f"/konton/{account_id}/avsluta"),
        "back_url": ctx.url(f"/konton/{account_id}"), "is_self": a.account_id == who.subject,
        "organisation": _organisation_name(ctx, who, a.organisation_id),
        "roles_text": ", ".join(ROLE_LABELS[r] for r in a.roles), "valid_to": swedish_date(a.valid_to),
    }, status=422 if errors else 409 if conflict and ctx.method == "POST" else 200)
