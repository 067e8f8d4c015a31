"""Besök: the provider's visits for its coordinators and manager (``provider_lead``).

- ``/personal/besok``: the visits with filters as a GET form (date range within a month or across two,
  staff, client, status, receipt kind, exception), sorted by a column (within the page shown: the store
  lists a month by client and day, and a page costs only what it reads), paged by the use case's cursor;
  "Godkänn markerade" approves every marked visit without a red exception (``bulk_approval``) and says
  which were approved and which not, and why.
- ``/personal/besok/{visit_id}``: the visit, its events, exceptions and a timeline of every change (who,
  when, what, why); "Godkänn" (a reason may be given) and "Ångra godkännande" (a reason is required).
- ``/personal/besok/{visit_id}/andra``: an edit of times and insatser with a required reason, until the
  month's lock date; after it the page says the month is locked and since when.
- ``/personal/efterregistrera``: a visit registered afterwards for one of the provider's staff, by the
  coordinator (the use case lets only the coordinator register for another; the manager gets 403).
Another provider's visit is not found (404); everything refused stores nothing."""
from __future__ import annotations

import urllib.parse
from datetime import date, datetime, time, timedelta
from typing import Any

from ....auth.principal import Role
from ....domain.calendar import (MONTHS_SV, STOCKHOLM, is_month_open, local_clock, lock_date, month_of,
                                 stockholm_date, swedish_date, swedish_local)
from ....domain.errors import Conflict, Forbidden, PeriodLocked, ValidationFailed
from ....domain.personnummer import InvalidPersonnummer, Personnummer
from ....visits.domain import rules
from ....visits.domain.exceptions import KINDS, blocking
from ....visits.domain.model import INSATSER, SUPERVISION, Visit
from ..http import Context, Page, Redirect
from .common import nav, page_title, provider_lead

PATH = "/personal/besok"
POST_REGISTRATION_PATH = "/personal/efterregistrera"
PAGE_SIZE = 50
REASON_MIN, REASON_MAX = 3, 500

STATUSES = {"open": "Öppen", "registered": "Registrerad", "approved": "Godkänd"}
STATUS_BADGES = {"open": "new", "registered": "info", "approved": "done"}
RECEIPTS = {"digital_lock": "Lås", "nfc": "NFC", "manual": "Manuell", "post_registration": "Efterregistrerad"}
# Exception kinds a filter can find on the visit itself (overlaps and departures without an arrival are
# found on Att åtgärda, which reads the staff member's and the client's other registrations)
FILTER_KINDS = {k: v.label for k, v in KINDS.items() if k not in ("overlap", "missing_arrival")}
EVENT_TYPES = {"arrival": "Ankomst", "departure": "Avfärd", "insats": "Insats", "double_staffing": "Dubbelbemanning",
               "client_absent": "Kunden inte hemma"}
ROLES_SV = {"provider_coordinator": "samordnare", "provider_manager": "verksamhetschef",
            "provider_staff": "personal", "case_worker": "handläggare"}
POST_REASONS = {"technology_failure": "Tekniken fungerade inte (telefon, app, lås eller tagg)",
                "absence_period": "Besök under en frånvaroperiod"}
SORTS = {"datum": "Datum", "personal": "Personal", "klient": "Klient", "minuter": "Minuter"}
FILTERS = ("fran", "till", "personal", "klient", "status", "kvittering", "avvikelse")


# -- shared wording ---------------------------------------------------------------------------------------

def month_name(year: int, month: int) -> str:
    return f"{MONTHS_SV[month - 1].capitalize()} {year}"


def locked_message(instant: datetime) -> str:
    """``November 2026 är låst sedan spärrdatum 3 december 2026. Inget ändrades.``"""
    year, month = month_of(instant)
    return f"{month_name(year, month)} är låst sedan spärrdatum {swedish_date(lock_date(year, month))}. Inget ändrades."


def reason_error(reason: str, *, required: bool = True) -> str | None:
    if not reason and not required:
        return None
    if len(reason) < REASON_MIN:
        return "Skriv en orsak, minst 3 tecken."
    if len(reason) > REASON_MAX:
        return f"Orsaken får vara högst {REASON_MAX} tecken."
    if any(ord(c) < 32 and c not in "\r\n\t" for c in reason):
        return "Orsaken innehåller tecken som inte kan sparas."
    return None


def separation_message(visit: Visit, user_id: str) -> str:
    if visit.staff_id == user_id:
        what = "utfört"
    else:
        what = "registrerat eller ändrat"
    return (f"Du kan inte godkänna ett besök som du själv har {what}. En annan samordnare hos utföraren godkänner "
            "det, eller verksamhetschefen om ni har en samordnare.")


def exception_badges(kinds: list[str]) -> list[dict[str, str]]:
    red = set(blocking(kinds))
    return [{"text": ("Åtgärda: " if k in red else "Kvittera: ") + KINDS[k].label,
             "kind": "warning" if k in red else "grey", "red": k in red, "what_to_do": KINDS[k].what_to_do}
            for k in kinds if k in KINDS]


def insatser_text(codes: list[str]) -> str:
    return ", ".join(INSATSER.get(c, c) for c in codes) or "–"


def receipts_text(v: Visit) -> str:
    from ....visits.usecases.visit_list import receipt_of

    return ", ".join(RECEIPTS[r] for r in receipt_of(v)) or "–"


def who_text(by: str) -> str:
    role, _, user = by.partition(":")
    return f"{user} ({ROLES_SV[role]})" if role in ROLES_SV and user else ("systemet" if not user else by)


def visit_href(ctx: Context, visit_id: str, tail: str = "") -> str:
    return ctx.url(f"{PATH}/{urllib.parse.quote(visit_id, safe='')}{tail}")


def _errors(field_errors: dict[str, str], hrefs: dict[str, str]) -> list[dict[str, str]]:
    return [{"text": t, "href": hrefs.get(k, "#")} for k, t in field_errors.items()]


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _parse_clock(value: str) -> time | None:
    value = value.strip().replace(".", ":")
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        return None
    return parsed if len(value) == 5 else None


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=STOCKHOLM)


# -- the list ---------------------------------------------------------------------------------------------

def _month_bounds(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _filters(ctx: Context, staff: list[str]) -> tuple[Any, dict[str, str], dict[str, str]]:
    """The GET form's filters: (the use case's filter or None, as typed, Swedish errors by field)."""
    from ....visits.usecases.visit_list import VisitFilter

    values = {k: (ctx.query.get(k) or "").strip() for k in FILTERS}
    first, last = _month_bounds(stockholm_date(ctx.now))
    previous = (first - timedelta(days=1)).replace(day=1)
    if is_month_open(previous.year, previous.month, ctx.now):  # until its lock date, last month is worked too
        first = previous
    errors: dict[str, str] = {}
    day_from = _parse_day(values["fran"]) if values["fran"] else first
    day_to = _parse_day(values["till"]) if values["till"] else (
        _month_bounds(day_from)[1] if values["fran"] and day_from else last)
    if day_from is None:
        errors["fran"] = "Skriv från-datum som ÅÅÅÅ-MM-DD, till exempel 2026-11-01."
    if day_to is None:
        errors["till"] = "Skriv till-datum som ÅÅÅÅ-MM-DD, till exempel 2026-11-30."
    if day_from and day_to:
        months = (day_to.year - day_from.year) * 12 + day_to.month - day_from.month
        if day_to < day_from:
            errors["till"] = "Till-datumet kan inte vara före från-datumet."
        elif months > 1:
            errors["till"] = "Välj datum inom en månad eller två månader i följd."
        elif not (date(1900, 1, 1) <= day_from and day_to <= date(2100, 12, 31)):
            errors["fran"] = "Välj datum mellan år 1900 och 2100."
    client = None
    if values["klient"]:
        try:
            client = str(Personnummer(values["klient"]))
        except (InvalidPersonnummer, ValueError):
            errors["klient"] = "Skriv klientens personnummer med 12 siffror, ÅÅÅÅMMDD-NNNN."
    for name, allowed, message in (("personal", staff, "Välj personal i listan."),
                                   ("status", STATUSES, "Välj en status i listan."),
                                   ("kvittering", RECEIPTS, "Välj ett kvitteringssätt i listan."),
                                   ("avvikelse", FILTER_KINDS, "Välj en avvikelse i listan.")):
        if values[name] and values[name] not in allowed:
            errors[name] = message
    if errors:
        return None, values, errors
    assert day_from is not None and day_to is not None
    shown = {**values, "fran": day_from.isoformat(), "till": day_to.isoformat()}
    return VisitFilter(day_from=day_from, day_to=day_to, staff_id=values["personal"] or None, client=client,
                       status=values["status"] or None, receipt=values["kvittering"] or None,
                       exception=values["avvikelse"] or None), shown, {}


def _address(ctx: Context, params: dict[str, str]) -> str:
    kept = {k: v for k, v in params.items() if v not in ("", None)}
    return ctx.url(PATH) + ("?" + urllib.parse.urlencode(kept) if kept else "")


def _row(ctx: Context, v: Visit, kinds: list[str]) -> dict[str, Any]:
    badges = exception_badges(kinds)
    return {"visit_id": v.visit_id, "key": f"{v.visit_id}:{v.version}", "day": stockholm_date(v.started_at).isoformat(),
            "time": f"{local_clock(v.started_at)}–{local_clock(v.ended_at) if v.ended_at else ''}",
            "client": v.client.masked, "client_sort": str(v.client), "staff": v.staff_id,
            "insatser": insatser_text(v.insatser), "minutes": v.minutes, "started_at": v.started_at,
            "receipt": receipts_text(v), "status": STATUSES[v.status], "status_badge": STATUS_BADGES[v.status],
            "badges": badges, "approvable": v.status == "registered" and not any(b["red"] for b in badges),
            "href": visit_href(ctx, v.visit_id)}


SORT_KEYS = {"datum": lambda r: (r["started_at"], r["visit_id"]), "personal": lambda r: (r["staff"], r["started_at"]),
             "klient": lambda r: (r["client_sort"], r["started_at"]), "minuter": lambda r: (r["minutes"], r["started_at"])}


def _sort(ctx: Context, rows: list[dict[str, Any]], current: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict]]:
    asked = ctx.query.get("sortera", "") or "klient"
    descending = asked.startswith("-")
    column = asked.lstrip("-") if asked.lstrip("-") in SORTS else "klient"
    rows = sorted(rows, key=SORT_KEYS[column], reverse=descending)
    headers = []
    for key, label in SORTS.items():
        sort = ("descending" if descending else "ascending") if key == column else None
        flip = f"-{key}" if key == column and not descending else key
        headers.append({"key": key, "label": label, "sort": sort,
                        "href": _address(ctx, {**current, "sortera": flip})})
    return rows, headers


def _list_page(ctx: Context, *, field_errors: dict[str, str] | None = None, posted: dict[str, Any] | None = None,
               result: dict[str, Any] | None = None, status: int = 200) -> Page:
    from ....visits.usecases.visit_list import visit_list

    who = provider_lead(ctx)
    staff = sorted(ctx.deps.staff.staff_of(who.provider_id or ""))
    asked, values, filter_errors = _filters(ctx, staff)
    cursor = ctx.query.get("cursor", "")
    listed = None
    if asked is not None:
        try:
            listed = visit_list(ctx.deps, who, asked, limit=PAGE_SIZE, cursor=cursor or None)
        except ValidationFailed:
            filter_errors = {"cursor": "Sidan finns inte längre. Börja från första sidan."}
    current = {**values, "sortera": ctx.query.get("sortera", "")}
    rows = [_row(ctx, item.visit, item.exceptions) for item in (listed.rows if listed else [])]
    rows, headers = _sort(ctx, rows, current)
    back = [c for c in ctx.query.get("back", "").split(",") if c][-20:]
    previous = None
    if back:
        previous = _address(ctx, {**current, "cursor": back[-1], "back": ",".join(back[:-1])})
    elif cursor:
        previous = _address(ctx, current)
    following = None
    if listed is not None and listed.cursor:
        following = _address(ctx, {**current, "cursor": listed.cursor,
                                   "back": ",".join([*back, cursor] if cursor else back)})
    here = {**current, **({"cursor": cursor} if cursor else {}), **({"back": ",".join(back)} if back else {})}
    errors = {**filter_errors, **(field_errors or {})}
    hrefs = {**{k: f"#f-{k}" for k in FILTERS}, "cursor": "#f-fran", "valda": "#valda",
             "motivering": "#b-motivering"}
    first_approvable = next((r for r in rows if r["approvable"]), None)
    if first_approvable is not None:
        first_approvable["first"] = True
    sorted_by = next(h for h in headers if h["sort"])
    return Page("visit_list.html", {
        "title": page_title("Besök", error=bool(errors)), "nav": nav(ctx, PATH), "rows": rows,
        "headers": headers, "sorted_by": sorted_by, "values": values, "field_errors": errors,
        "errors": _errors(errors, hrefs), "staff_options": [(s, s) for s in staff], "statuses": STATUSES, "receipts": RECEIPTS,
        "kinds": FILTER_KINDS, "chosen": set((posted or {}).get("valda", [])),
        "reason": (posted or {}).get("motivering", ""), "action": _address(ctx, here),
        "paging": {"first": _address(ctx, current) if back else None, "previous": previous, "next": following},
        "searched_to_limit": bool(listed and listed.searched_to_limit), "result": result,
        "filtered": any(ctx.query.get(k) for k in FILTERS), "any_approvable": first_approvable is not None,
        "post_registration_url": ctx.url(POST_REGISTRATION_PATH) if who.role == Role.PROVIDER_COORDINATOR else None},
        status=status)


def _refusal_text(refused: Any, user_id: str) -> str:
    v = refused.visit
    if refused.code == "not_found" or v is None:
        return "Besöket finns inte."
    if refused.code == "stale":
        return "Besöket har ändrats sedan sidan visades. Titta på det igen och markera det på nytt."
    if refused.code == "locked":
        year, month = month_of(v.started_at)
        return f"{month_name(year, month)} är låst sedan spärrdatum {swedish_date(lock_date(year, month))}."
    if refused.code == "red_exception":
        return "Har avvikelser som måste åtgärdas först: " + ", ".join(KINDS[k].label.lower() for k in refused.kinds
                                                                        if k in KINDS) + "."
    if refused.code == "not_registered":
        return "Besöket är redan godkänt." if v.status == "approved" else "Besöket pågår: avfärden saknas."
    if refused.code == "own":
        return separation_message(v, user_id)
    return "Besöket kunde inte godkännas. Öppna besöket och se vad som hindrar."


def visits(ctx: Context) -> Page:
    if ctx.method != "POST":
        return _list_page(ctx)
    from ....visits.usecases.bulk_approval import approve_many

    who = provider_lead(ctx)
    chosen = [k for k in ctx.form.getlist("valda") if k]
    reason = ctx.form.get("motivering").strip()
    errors: dict[str, str] = {}
    items: list[tuple[str, int]] = []
    for key in chosen:
        visit_id, _, version = key.rpartition(":")
        if not visit_id or not version.isdigit():
            errors["valda"] = "Markeringen kunde inte läsas. Ladda om sidan och markera igen."
            break
        items.append((visit_id, int(version)))
    if not chosen:
        errors["valda"] = "Markera minst ett besök att godkänna."
    problem = reason_error(reason, required=False)
    if problem:
        errors["motivering"] = problem
    posted = {"valda": chosen, "motivering": reason}
    if errors:
        return _list_page(ctx, field_errors=errors, posted=posted, status=422)
    done = approve_many(ctx.deps, who, items, reason or "Godkänt")
    result = {
        "approved": [{"text": f"{stockholm_date(v.started_at).isoformat()} {local_clock(v.started_at)}, {v.client}, "
                              f"{v.staff_id}", "href": visit_href(ctx, v.visit_id)} for v in done.approved],
        "refused": [{"text": (f"{stockholm_date(r.visit.started_at).isoformat()} {local_clock(r.visit.started_at)}, "
                              f"{r.visit.client.masked}, {r.visit.staff_id}") if r.visit else "Ett markerat besök",
                     "why": _refusal_text(r, who.user_id or ""),
                     "href": visit_href(ctx, r.visit_id) if r.visit else None} for r in done.refused]}
    return _list_page(ctx, result=result)


# -- one visit --------------------------------------------------------------------------------------------

SYSTEM_WHY = {"built from the staff app's events": "Räknat fram från personalens registreringar i appen.",
              "compared with the client's decisions": "Jämfört med kundens beviljade tid."}


def _change_text(change: str, by: str, why: str, user_id: str | None) -> tuple[str, str]:
    """What happened and why, in Swedish, from one history line."""
    system = user_id is None and ":" not in by
    if system:
        what = "Registrerat från personalens händelser" if change == "created" else "Uppdaterat av systemet"
        return what, SYSTEM_WHY.get(why, "")
    if change == "updated" and by.startswith("case_worker:"):
        decision, _, reason = why.partition(": ")
        what = {"approved": "Handläggaren godkände avvikelsen",
                "rejected": "Handläggaren avslog avvikelsen"}.get(decision, "Handläggaren beslutade om avvikelsen")
        return what, reason
    what = {"created": "Efterregistrerat", "approved": "Godkänt", "unapproved": "Godkännandet ångrat",
            "edited": "Ändrat för hand (tider eller insatser)", "updated": "Uppdaterat"}.get(change, change)
    return what, why


def _timeline(v: Visit) -> list[dict[str, str]]:
    lines = []
    for c in v.history:
        what, why = _change_text(c.change, c.by, c.why, c.user_id)
        who = "Systemet" if c.user_id is None and ":" not in c.by else who_text(c.by)
        lines.append({"what": what, "who": who, "at": swedish_local(c.at), "why": why, "version": c.version,
                      "system": who == "Systemet"})
    return lines


def _detail(ctx: Context, visit_id: str) -> Any:
    from ....visits.usecases.visit_list import visit_detail

    return visit_detail(ctx.deps, provider_lead(ctx), visit_id)


def _visit_page(ctx: Context, visit_id: str, *, field_errors: dict[str, str] | None = None,
                values: dict[str, str] | None = None, message: str | None = None, status: int = 200) -> Page:
    found = _detail(ctx, visit_id)
    v: Visit = found.visit
    who = provider_lead(ctx)
    locked = rules.locked_reason(v.started_at, ctx.now) is not None
    badges = exception_badges(found.exceptions)
    own = rules.approval_refusal(v, who.user_id or "")
    errors = field_errors or {}
    return Page("visit.html", {
        "title": page_title(f"Besök {stockholm_date(v.started_at).isoformat()}", "Besök", error=bool(errors)),
        "nav": nav(ctx, PATH), "v": v, "row": _row(ctx, v, found.exceptions), "badges": badges,
        "events": [{"id": str(e.event_id), "kind": EVENT_TYPES.get(e.type, e.type),
                    "insats": INSATSER.get(e.insats or "", ""), "at": swedish_local(e.device_time),
                    "received": swedish_local(e.received_at),
                    "receipt": RECEIPTS.get(e.receipt.method, e.receipt.method)
                    + (f" ({e.receipt.device_id})" if e.receipt.device_id else ""),
                    "superseded": bool(e.superseded_by)} for e in found.events],
        "timeline": _timeline(v), "locked": locked, "locked_text": locked_message(v.started_at) if locked else "",
        "lock_day": swedish_date(lock_date(*month_of(v.started_at))),
        "approved_at": swedish_local(v.approved_at) if v.approved_at else "",
        "approved_by": who_text(v.approved_by) if v.approved_by else "",
        "can_approve": not locked and v.status == "registered" and not any(b["red"] for b in badges) and not own,
        "own_text": separation_message(v, who.user_id or "") if own and v.status == "registered" else "",
        "red": [b for b in badges if b["red"]], "can_undo": not locked and v.status == "approved",
        "can_edit": not locked and v.status != "approved", "values": values or {"motivering": ""},
        "field_errors": errors, "message": message,
        "errors": _errors(errors, {"motivering": "#a-motivering", "angra": "#u-motivering"}),
        "action": visit_href(ctx, v.visit_id), "edit_href": visit_href(ctx, v.visit_id, "/andra"),
        "back": ctx.url(PATH)}, status=status)


def visit(ctx: Context, visit_id: str) -> Page | Redirect:
    if ctx.method != "POST":
        return _visit_page(ctx, visit_id)
    from ....visits.schemas import Reasoned
    from ....visits.usecases.approval import approve, unapprove

    who = provider_lead(ctx)
    found = _detail(ctx, visit_id)
    v: Visit = found.visit
    action = ctx.form.get("atgard")
    version = ctx.form.get("version")
    field = "motivering" if action == "godkann" else "angra"
    reason = ctx.form.get("motivering").strip()
    values = {"motivering": reason if action == "godkann" else "", "angra": reason if action == "angra" else ""}
    if action not in ("godkann", "angra") or not version.isdigit():
        return _visit_page(ctx, visit_id, message="Sidan var inte hel. Titta på besöket igen och försök på nytt.",
                           status=422)
    problem = reason_error(reason, required=action == "angra")
    if problem:
        return _visit_page(ctx, visit_id, field_errors={field: problem}, values=values, status=422)
    if rules.locked_reason(v.started_at, ctx.now):
        return _visit_page(ctx, visit_id, message=locked_message(v.started_at), status=409)
    if int(version) != v.version:
        return _visit_page(ctx, visit_id, message="Besöket har ändrats sedan du öppnade sidan. Inget ändrades. "
                                                  "Titta på det som det är nu och försök igen.", status=409)
    if action == "godkann":
        red = blocking(found.exceptions)
        if red:
            return _visit_page(ctx, visit_id, message="Besöket har avvikelser som måste åtgärdas innan det kan "
                                                      "godkännas: " + ", ".join(KINDS[k].label.lower() for k in red)
                                                      + ". Inget ändrades.", status=409)
        if rules.approval_refusal(v, who.user_id or ""):
            return _visit_page(ctx, visit_id, message=separation_message(v, who.user_id or ""), status=403)
    try:
        if action == "godkann":
            approve(ctx.deps, who, visit_id, Reasoned(reason=reason or "Godkänt", version=int(version)))
            ctx.notice("Besöket är godkänt.")
        else:
            unapprove(ctx.deps, who, visit_id, Reasoned(reason=reason, version=int(version)))
            ctx.notice("Godkännandet är ångrat. Besöket kan ändras och godkännas igen.")
    except PeriodLocked:
        return _visit_page(ctx, visit_id, message=locked_message(v.started_at), status=409)
    except Forbidden:
        return _visit_page(ctx, visit_id, message=separation_message(v, who.user_id or ""), status=403)
    except Conflict:
        return _visit_page(ctx, visit_id, message="Besöket kunde inte ändras: det har ändrats eller väntar på "
                                                  "något. Inget ändrades. Titta på det igen.", status=409)
    return Redirect(visit_href(ctx, visit_id), status=303)


# -- edit -------------------------------------------------------------------------------------------------

EDIT_HREFS = {"start": "#e-start", "slut": "#e-slut", "insatser": "#e-insatser-0", "motivering": "#e-motivering"}


def _edit_page(ctx: Context, v: Visit, values: dict[str, Any], *, field_errors: dict[str, str] | None = None,
               message: str | None = None, status: int = 200) -> Page:
    errors = field_errors or {}
    locked = rules.locked_reason(v.started_at, ctx.now) is not None
    return Page("visit_edit.html", {
        "title": page_title("Ändra besök", "Besök", error=bool(errors)), "nav": nav(ctx, PATH), "v": v,
        "row": _row(ctx, v, []), "values": values, "field_errors": errors, "errors": _errors(errors, EDIT_HREFS),
        "insatser": INSATSER, "message": message, "locked": locked,
        "locked_text": locked_message(v.started_at) if locked else "",
        "lock_day": swedish_date(lock_date(*month_of(v.started_at))), "approved": v.status == "approved",
        "action": visit_href(ctx, v.visit_id, "/andra"), "back": visit_href(ctx, v.visit_id)}, status=status)


def edit(ctx: Context, visit_id: str) -> Page | Redirect:
    from ....visits.schemas import EditVisit
    from ....visits.usecases.edits import edit as edit_visit

    who = provider_lead(ctx)
    v: Visit = _detail(ctx, visit_id).visit
    if ctx.method != "POST":
        return _edit_page(ctx, v, {"start": local_clock(v.started_at),
                                   "slut": local_clock(v.ended_at) if v.ended_at else "",
                                   "insatser": list(v.insatser), "motivering": "", "version": str(v.version)})
    values = {"start": ctx.form.get("start").strip(), "slut": ctx.form.get("slut").strip(),
              "insatser": [i for i in ctx.form.getlist("insatser") if i], "motivering": ctx.form.get("motivering").strip(),
              "version": ctx.form.get("version")}
    if rules.locked_reason(v.started_at, ctx.now):
        return _edit_page(ctx, v, values, message=locked_message(v.started_at), status=409)
    errors: dict[str, str] = {}
    day = stockholm_date(v.started_at)
    start, end = _parse_clock(values["start"]), _parse_clock(values["slut"])
    if start is None:
        errors["start"] = "Skriv starttiden som TT:MM, till exempel 08:15."
    if values["slut"] and end is None:
        errors["slut"] = "Skriv sluttiden som TT:MM, till exempel 08:45."
    elif not values["slut"] and v.ended_at is not None:
        errors["slut"] = "Skriv sluttiden som TT:MM, till exempel 08:45."
    started = _at(day, start) if start else None
    ended = None
    if end is not None and v.ended_at is not None and stockholm_date(v.ended_at) != day:
        ended = _at(stockholm_date(v.ended_at), end)  # a visit that ran past midnight keeps its end's day
    elif end is not None:
        ended = _at(day, end)
    if started and ended and ended <= started:
        errors["slut"] = "Sluttiden måste vara efter starttiden."
    elif ended and ended > ctx.now:
        errors["slut"] = "Sluttiden kan inte vara senare än nu."
    unknown = [i for i in values["insatser"] if i not in INSATSER]
    if unknown or (not values["insatser"] and v.insatser):  # none registered may stay none
        errors["insatser"] = "Välj minst en insats."
    elif set(values["insatser"]) & SUPERVISION and set(values["insatser"]) - SUPERVISION:
        errors["insatser"] = "Tillsyn registreras som ett eget besök, aldrig tillsammans med andra insatser."
    problem = reason_error(values["motivering"])
    if problem:
        errors["motivering"] = problem
    if errors:
        return _edit_page(ctx, v, values, field_errors=errors, status=422)
    if not values["version"].isdigit() or int(values["version"]) != v.version:
        return _edit_page(ctx, v, values, message="Besöket har ändrats sedan du öppnade sidan. Inget ändrades. "
                                                  "Titta på det som det är nu och ändra igen.", status=409)
    if v.status == "approved":
        return _edit_page(ctx, v, values, message="Besöket är godkänt. Ångra godkännandet först om det ska ändras. "
                                                  "Inget ändrades.", status=409)
    changes: dict[str, Any] = {}
    if started != v.started_at:
        changes["started_at"] = started
    if ended is not None and ended != v.ended_at:
        changes["ended_at"] = ended
    if values["insatser"] and values["insatser"] != list(v.insatser):
        changes["insatser"] = values["insatser"]
    if not changes:
        return _edit_page(ctx, v, values, field_errors={"start": "Ändra en tid eller en insats, eller avbryt."},
                          status=422)
    try:
        edit_visit(ctx.deps, who, visit_id, EditVisit(reason=values["motivering"], version=v.version, **changes))
    except PeriodLocked:
        return _edit_page(ctx, v, values, message=locked_message(v.started_at), status=409)
    except ValidationFailed as exc:
        text = exc.errors[0].detail if exc.errors else exc.detail
        field = "slut" if exc.errors and exc.errors[0].field == "ended_at" else "start"
        if "overlaps" in text:
            text = "Tiden överlappar personalens andra besök. Ändra tiden."
        else:
            text = "Tiden kan inte sparas så. Kontrollera start och slut."
        return _edit_page(ctx, v, values, field_errors={field: text}, status=422)
    except Conflict:
        return _edit_page(ctx, v, values, message="Besöket har ändrats sedan du öppnade sidan. Inget ändrades.",
                          status=409)
    ctx.notice("Besöket är ändrat. Ändringen och orsaken syns i historiken.")
    return Redirect(visit_href(ctx, visit_id), status=303)


# -- post-registration ------------------------------------------------------------------------------------

POST_HREFS = {"klient": "#p-klient", "personal": "#p-personal", "datum": "#p-datum", "start": "#p-start",
              "slut": "#p-slut", "insatser": "#p-insatser-0", "orsakskod": "#p-orsakskod-technology_failure",
              "motivering": "#p-motivering"}


def _post_page(ctx: Context, staff: list[str], values: dict[str, Any], *, field_errors: dict[str, str] | None = None,
               message: str | None = None, status: int = 200) -> Page:
    errors = field_errors or {}
    return Page("post_registration.html", {
        "title": page_title("Efterregistrera besök", error=bool(errors)), "nav": nav(ctx, PATH), "staff": staff,
        "values": values, "field_errors": errors, "errors": _errors(errors, POST_HREFS), "insatser": INSATSER,
        "reasons": POST_REASONS, "message": message, "action": ctx.url(POST_REGISTRATION_PATH),
        "back": ctx.url(PATH)}, status=status)


def post_registration(ctx: Context) -> Page | Redirect:
    from ....visits.schemas import PostRegistration
    from ....visits.usecases.edits import post_register

    who = provider_lead(ctx)
    if who.role != Role.PROVIDER_COORDINATOR:  # the use case lets only the coordinator register for staff
        raise Forbidden("the coordinator post-registers visits for the provider's staff")
    staff = sorted(ctx.deps.staff.staff_of(who.provider_id or ""))
    if ctx.method != "POST":
        return _post_page(ctx, staff, {"klient": "", "personal": "", "datum": "", "start": "", "slut": "",
                                       "insatser": [], "orsakskod": "", "motivering": ""})
    values = {k: ctx.form.get(k).strip() for k in ("klient", "personal", "datum", "start", "slut", "orsakskod",
                                                   "motivering")}
    values["insatser"] = [i for i in ctx.form.getlist("insatser") if i]
    errors: dict[str, str] = {}
    client = None
    try:
        client = Personnummer(values["klient"])
    except (InvalidPersonnummer, ValueError):
        errors["klient"] = "Skriv klientens personnummer med 12 siffror, ÅÅÅÅMMDD-NNNN."
    if values["personal"] not in staff:
        errors["personal"] = "Välj vem som gjorde besöket."
    day = _parse_day(values["datum"])
    if day is None or not date(1900, 1, 1) <= day <= date(2100, 12, 31):
        errors["datum"] = "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-11-03."
    start, end = _parse_clock(values["start"]), _parse_clock(values["slut"])
    if start is None:
        errors["start"] = "Skriv starttiden som TT:MM, till exempel 08:15."
    if end is None:
        errors["slut"] = "Skriv sluttiden som TT:MM, till exempel 08:45."
    started = _at(day, start) if day and start and "datum" not in errors else None
    ended = _at(day, end) if day and end and "datum" not in errors else None
    if started and ended and ended <= started:
        errors["slut"] = "Sluttiden måste vara efter starttiden."
    elif ended and ended > ctx.now:
        errors["slut"] = "Ett efterregistrerat besök kan inte sluta senare än nu."
    unknown = [i for i in values["insatser"] if i not in INSATSER]
    if not values["insatser"] or unknown:
        errors["insatser"] = "Välj minst en insats."
    elif set(values["insatser"]) & SUPERVISION and set(values["insatser"]) - SUPERVISION:
        errors["insatser"] = "Tillsyn registreras som ett eget besök, aldrig tillsammans med andra insatser."
    if values["orsakskod"] not in POST_REASONS:
        errors["orsakskod"] = "Välj varför besöket efterregistreras."
    problem = reason_error(values["motivering"])
    if problem:
        errors["motivering"] = problem
    if errors:
        return _post_page(ctx, staff, values, field_errors=errors, status=422)
    assert started is not None and ended is not None and client is not None
    if rules.locked_reason(started, ctx.now):
        return _post_page(ctx, staff, values, message=locked_message(started), status=409)
    try:
        saved = post_register(ctx.deps, who, PostRegistration(
            client=client, staff_id=values["personal"], started_at=started, ended_at=ended,
            insatser=values["insatser"], reason_code=values["orsakskod"], reason=values["motivering"]))
    except PeriodLocked:
        return _post_page(ctx, staff, values, message=locked_message(started), status=409)
    except ValidationFailed as exc:
        detail = exc.errors[0].detail if exc.errors else exc.detail
        field = exc.errors[0].field if exc.errors else ""
        if field == "staff_id":
            errors["personal"] = ("Bara samordnaren efterregistrerar besök åt personalen."
                                  if "coordinator" in detail else "Personen finns inte i utförarens personalregister.")
        elif "overlaps" in detail:
            errors["start"] = "Tiden överlappar ett annat besök av samma personal. Ändra tiden."
        else:
            errors["start"] = "Besöket kan inte sparas med de här uppgifterna. Kontrollera dem."
        return _post_page(ctx, staff, values, field_errors=errors, status=422)
    ctx.notice("Besöket är efterregistrerat. Det följs upp som en avvikelse och godkänns av någon annan än du.")
    return Redirect(visit_href(ctx, saved.visit_id), status=303)
