"""Besöksappen: the staff app, an installable web app in the visits section (``/visits/personal/app``).

- ``app``: the today view, rendered by the server (the member's visits of the day and a form that
  registers an event without JavaScript); the page's script (``static/staffapp.js``) takes over
  where it runs: taps, NFC, the offline queue.
- ``shell``: the same page without anything personal, which the service worker keeps for offline
  starts; the script fills it from the phone's store.
- ``day``: the day as JSON for the script (the session's staff member, their provider's clients
  only), with the session's CSRF token for sending.
- ``events``: the script's events (JSON, session cookie and the ``X-CSRF-Token`` header), through the
  use case ``staff_app.app_events`` and so the API's ingest (idempotent by event id).
- ``register``: the form's event without JavaScript (a new event id, the server's time).

Sessions, not tokens: the app lives in the section the staff member is already logged in to, so its
cookie (HttpOnly, SameSite=Lax) and the section's CSRF token carry its requests; no bearer token is
ever kept in the page or on the phone, and ending the session (logout, idle, an ended account) stops
the app at once. A session that ended answers the script 401 (never a login page), so it keeps its
queue and sends it after the next login."""
from __future__ import annotations

import json
import uuid
from typing import Any

from pydantic import ValidationError

from ....auth.policy import authorize
from ....auth.principal import Principal
from ....domain.calendar import local_clock, stockholm_date
from ....domain.errors import DomainError, Forbidden
from ....domain.personnummer import Personnummer
from ....visits.domain.model import INSATSER, SUPERVISION
from ....visits.schemas import PostVisitEvents
from ....visits.usecases.own import own_month
from ....visits.usecases.staff_app import StaffDay, app_events, staff_day
from ..http import Context, Json, LoginRequired, Page, Redirect
from .common import STAFF_ACTION, page_title, staff_member
from .rejected_text import MANUAL_REASONS, reason_sv

PATH = "/personal/app"
OWN = "/personal/mina-registreringar"
# The insatser a staff member chooses at departure (tillsyn and temporary stay are their own visits)
APP_INSATSER = {k: v for k, v in INSATSER.items() if k not in SUPERVISION and k != "tillfallig_vistelse"}
STATUS = {"open": "Pågår", "registered": "Registrerat", "approved": "Godkänt"}
KINDS = {"ankomst": "arrival", "avfard": "departure"}


def masked(client: str) -> str:
    return Personnummer(client).masked


def _visit(v: Any) -> dict[str, Any]:
    return {"id": v.visit_id, "client": str(v.client), "label": masked(str(v.client)),
            "start": v.started_at.isoformat(), "end": v.ended_at.isoformat() if v.ended_at else None,
            "time": f"{local_clock(v.started_at)}–{local_clock(v.ended_at) if v.ended_at else ''}",
            "insatser": v.insatser, "status": STATUS.get(v.status, v.status),
            "double_staffing": v.double_staffing, "event_ids": v.event_ids}


def day_data(ctx: Context, who: Principal, got: StaffDay) -> dict[str, Any]:
    """What the script is given (and what the page shows without it)."""
    warnings = []
    for r in own_month(ctx.deps, who, got.day.year, got.day.month).rejected.events:
        texts = [reason_sv(x, r.origin) for x in r.reasons] or [reason_sv("", r.origin)]
        warnings.append({"id": str(r.event.event_id), "when": f"{stockholm_date(r.event.device_time).isoformat()} "
                                                              f"{local_clock(r.event.device_time)}",
                         "client": r.event.client.masked, "what": " ".join(dict.fromkeys(t[0] for t in texts)),
                         "todo": " ".join(dict.fromkeys(t[1] for t in texts))})
    return {
        "user": got.staff_id, "provider": got.provider_id, "day": got.day.isoformat(),
        "csrf": ctx.session.csrf if ctx.session else "",
        "clients": [{"client": c.client, "label": masked(c.client), "insatser": c.insatser,
                     "devices": [{"id": d, "kind": k} for d, k in c.devices]} for c in got.clients],
        "visits": [_visit(v) for v in got.visits],
        "warnings": warnings, "insatser": APP_INSATSER, "reasons": MANUAL_REASONS,
    }


def _page_context(ctx: Context, **extra: Any) -> dict[str, Any]:
    return {"own_url": ctx.url(OWN), "app_url": ctx.url(PATH), "shell": False, "insatser": APP_INSATSER,
            "reasons": MANUAL_REASONS, **extra}


def app(ctx: Context, form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
        status: int = 200) -> Page:
    """Idag: the member's visits of the day and, without JavaScript, a form for one event."""
    who = staff_member(ctx)
    got = staff_day(ctx.deps, who, ctx.now)
    data = day_data(ctx, who, got)
    errors = errors or {}
    summary = [{"text": text, "href": f"#f-{name}"} for name, text in errors.items()]
    return Page("staffapp.html", {
        "title": page_title("Besöksappen", error=bool(errors)), **_page_context(ctx), "data": data,
        "form": form or {}, "field_errors": errors, "errors": summary,
        "open": [v for v in data["visits"] if v["end"] is None]}, status=status)


def shell(ctx: Context) -> Page:
    """The app's page without anything personal: what the service worker keeps for offline starts."""
    return Page("staffapp.html", {"title": page_title("Besöksappen"), **_page_context(ctx, shell=True),
                                  "data": None, "form": {}, "field_errors": {}, "errors": [], "open": []},
                personal=False)


def _json_caller(ctx: Context) -> Principal | Json:
    """The session's staff member, or the script's answer: 401 (log in again: the queue is kept),
    403 (not a provider's staff member)."""
    if ctx.user is None or ctx.user.principal is None:
        return Json({"fel": "inloggning", "text": "Du är utloggad. Logga in igen: det som väntar skickas sedan."},
                    401)
    try:
        authorize(ctx.user.principal, STAFF_ACTION)
    except Forbidden:
        return Json({"fel": "behorighet", "text": "Besöksappen är för utförarens personal."}, 403)
    return ctx.user.principal


def day(ctx: Context) -> Json:
    who = _json_caller(ctx)
    if isinstance(who, Json):
        return who
    return Json(day_data(ctx, who, staff_day(ctx.deps, who, ctx.now)))


def events(ctx: Context) -> Json:
    """The script's events: ``{"events": [...]}`` as the API takes them, with the session's CSRF
    token in ``X-CSRF-Token``. 202 as the API answers; 4xx with the reasons (the script stops
    resending those); 503 when the queue failed (the script sends again)."""
    who = _json_caller(ctx)
    if isinstance(who, Json):
        return who
    session = ctx.session
    if session is None or not session.csrf_ok(ctx.headers.get("x-csrf-token")):
        return Json({"fel": "csrf", "text": "Sidan behöver laddas om innan den kan skicka."}, 403)
    if not ctx.confirm_login():  # an account ended a moment ago (a lost phone) sends nothing more
        return Json({"fel": "inloggning", "text": "Du är utloggad. Logga in igen: det som väntar skickas sedan."},
                    401)
    try:
        body = PostVisitEvents.model_validate(json.loads(ctx.raw_body or b"{}"))
    except (ValueError, ValidationError) as exc:
        details = exc.errors(include_url=False, include_context=False, include_input=False) \
            if isinstance(exc, ValidationError) else []
        return Json({"fel": "ogiltig", "text": "Händelsen gick inte att använda.",
                     "detaljer": [{"falt": ".".join(str(p) for p in d["loc"]), "text": d["msg"]} for d in details]},
                    422)
    try:
        accepted = app_events(ctx.deps, who, body)
    except DomainError as exc:
        text = ("Klienten hör inte till din utförare." if exc.status == 403
                else "Det gick inte att ta emot händelsen just nu." if exc.status >= 500
                else "Händelsen gick inte att använda.")
        return Json({"fel": exc.slug, "text": text,
                     "detaljer": [{"falt": e.field, "text": e.detail} for e in exc.errors]}, exc.status)
    return Json(accepted.model_dump(mode="json"), 202)


def _events_of_form(ctx: Context, who: Principal, clients: dict[str, Any]) -> tuple[list[dict], dict[str, str]]:
    f = ctx.form
    errors: dict[str, str] = {}
    client = f.get("klient")
    kind = KINDS.get(f.get("handelse"))
    tag, reason = f.get("tagg").strip(), f.get("orsak")
    chosen = [i for i in f.getlist("insatser") if i in APP_INSATSER]
    if client not in clients:
        errors["klient"] = "Välj klienten du är hos."
    if kind is None:
        errors["handelse"] = "Välj om du kommer eller går."
    if tag:
        devices = {d["id"]: d["kind"] for d in clients.get(client, {}).get("devices", [])}
        if client in clients and tag not in devices:
            errors["tagg"] = ("Taggen hör inte till den klienten. Kontrollera att du är hos rätt klient, eller "
                              "välj en orsak för manuell kvittering i stället.")
        receipt = {"method": "nfc" if devices.get(tag) != "digital_lock" else "digital_lock", "device_id": tag}
    elif reason in MANUAL_REASONS:
        receipt = {"method": "manual", "manual_reason": reason}
    else:
        errors["orsak"] = "Ange taggens nummer eller välj varför du kvitterar manuellt."
    if kind == "departure" and not chosen and not f.get("andra"):
        errors["insatser"] = "Välj de insatser du har gjort."
    if errors:
        return [], errors
    at = ctx.now.isoformat()
    base = {"provider_id": who.provider_id, "client": client, "device_time": at, "receipt": receipt}
    made: list[dict] = []
    if kind == "arrival":
        made.append({**base, "type": "arrival"})
        if f.get("andra"):
            made.append({**base, "type": "double_staffing"})  # the same instant: ordered after the arrival
    else:
        made += [{**base, "type": "insats", "insats": i} for i in chosen]
        made.append({**base, "type": "departure"})
    return [{"event_id": str(uuid.uuid4()), **e} for e in made], {}


def register(ctx: Context) -> Page | Redirect:
    """Without JavaScript: one arrival or departure from the form, now; 422 and nothing sent on bad input."""
    who = staff_member(ctx)
    if not ctx.confirm_login():  # an account ended a moment ago sends nothing more
        raise LoginRequired(ctx.return_path())
    got = staff_day(ctx.deps, who, ctx.now)
    clients = {c.client: {"devices": [{"id": d, "kind": k} for d, k in c.devices]} for c in got.clients}
    made, errors = _events_of_form(ctx, who, clients)
    form = {"klient": ctx.form.get("klient"), "handelse": ctx.form.get("handelse"), "tagg": ctx.form.get("tagg"),
            "orsak": ctx.form.get("orsak"), "insatser": ctx.form.getlist("insatser"), "andra": ctx.form.get("andra")}
    if errors:
        return app(ctx, form, errors, 422)
    app_events(ctx.deps, who, PostVisitEvents.model_validate({"events": made}))
    what = "Ankomsten" if made[0]["type"] == "arrival" else "Avfärden"
    ctx.notice(f"{what} är registrerad kl. {local_clock(ctx.now)} för {masked(made[0]['client'])}.")
    return Redirect(ctx.url(PATH))
