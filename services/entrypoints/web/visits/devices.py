"""Taggar och lås: the provider's NFC tags and digital locks — ordered (within the provider's limit),
tied to one client, retired (a tag is never reused: once bound it is never bound again, not even
after it is retired) — and each device's failures: the manual receipts at its client in the month
chosen (the staff could not use a tag or lock there; the reason they gave says why) and the
rejected events naming it.

Cost, bounded: the list is the provider's devices (one index query) and one look through the
provider's rejected events of at most 500 (``own.scan_rejected``: five pages), counted per device;
a device's page adds its one client's month (never the provider's). The coordinator keeps the
devices (the API's ``tags.manage``); the provider's manager reads."""
from __future__ import annotations

import urllib.parse
from typing import Any

from ....domain.calendar import local_clock, stockholm_date
from ....domain.errors import Conflict
from ....domain.personnummer import InvalidPersonnummer, Personnummer
from ....visits.usecases.devices import bind_tag, device_failures, order_tags, rejected_by_device, retire_tag
from ..http import Context, Page, Redirect
from .common import nav, page_title
from .registry_common import DEVICE_ACTION, errors_list, keeper, may, month_asked, reader
from .rejected_text import MANUAL_REASONS, reason_sv

PATH = "/personal/enheter"
KINDS = {"nfc": "NFC-tagg", "digital_lock": "Digitalt lås"}
STATUSES = {"ordered": "Beställd, inte kopplad", "bound": "Kopplad", "retired": "Avvecklad"}
STATUS_BADGES = {"ordered": "new", "bound": "done", "retired": "warning"}
MAX_ORDER = 50


def _href(ctx: Context, device_id: str, tail: str = "") -> str:
    return ctx.url(f"{PATH}/{urllib.parse.quote(device_id, safe='')}{tail}")


def _day(value: Any) -> str:
    return stockholm_date(value).isoformat() if value else ""


def devices(ctx: Context, *, field_errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
            status: int = 200) -> Page | Redirect:
    if ctx.method == "POST" and field_errors is None:
        return _order(ctx)
    who = reader(ctx)
    listed = sorted(ctx.deps.devices.devices_of(who.provider_id or ""), key=lambda d: (d.status == "retired",
                                                                                       d.device_id))
    rejected, complete = rejected_by_device(ctx.deps, who)
    rows = [{"id": d.device_id, "kind": KINDS.get(d.kind, d.kind), "status": STATUSES.get(d.status, d.status),
             "badge": STATUS_BADGES.get(d.status, "info"), "client": d.client.masked if d.client else "–",
             "ordered": _day(d.ordered_at), "bound": _day(d.bound_at), "retired": _day(d.retired_at),
             "rejected": len(rejected.get(d.device_id, [])), "href": _href(ctx, d.device_id)} for d in listed]
    errors = field_errors or {}
    return Page("devices.html", {
        "title": page_title("Taggar och lås", error=bool(errors)), "nav": nav(ctx, PATH), "rows": rows,
        "complete": complete, "keeps": may(who, DEVICE_ACTION), "kinds": KINDS, "max_order": MAX_ORDER,
        "values": values or {"antal": "", "slag": "nfc"}, "field_errors": errors,
        "errors": errors_list(errors, "o"), "limit": ctx.deps.tag_limit}, status=status)


def _order(ctx: Context) -> Page | Redirect:
    who = keeper(ctx, DEVICE_ACTION)
    values = {"antal": ctx.form.get("antal").strip(), "slag": ctx.form.get("slag").strip()}
    errors: dict[str, str] = {}
    count = int(values["antal"]) if values["antal"].isdigit() else 0
    if not 1 <= count <= MAX_ORDER:
        errors["antal"] = f"Skriv hur många, ett heltal från 1 till {MAX_ORDER}."
    if values["slag"] not in KINDS:
        errors["slag"] = "Välj NFC-taggar eller digitala lås."
    if errors:
        return devices(ctx, field_errors=errors, values=values, status=422)
    try:
        made = order_tags(ctx.deps, who, count, values["slag"])
    except Conflict:
        errors["antal"] = (f"Ni kan ha högst {ctx.deps.tag_limit} aktiva taggar och lås. Avveckla de ni inte "
                           "använder eller beställ färre.")
        return devices(ctx, field_errors=errors, values=values, status=409)
    ctx.notice(f"{len(made)} {'enhet' if len(made) == 1 else 'enheter'} beställda: " + ", ".join(d.device_id for d in made))
    return Redirect(ctx.url(PATH), status=303)


def device(ctx: Context, device_id: str, *, field_errors: dict[str, str] | None = None,
           values: dict[str, str] | None = None, status: int = 200) -> Page:
    who = reader(ctx)
    year, month, typed, month_error = month_asked(ctx, ctx.now)
    found = device_failures(ctx.deps, who, device_id, year, month)  # NotFound (404): not the provider's
    d = found.device
    manual = [{"day": stockholm_date(v.started_at).isoformat(),
               "time": f"{local_clock(v.started_at)}–{local_clock(v.ended_at) if v.ended_at else ''}",
               "staff": v.staff_id,
               "reason": "; ".join(MANUAL_REASONS.get(x.reason, x.reason) for x in v.deviations
                                   if x.code == "manual_receipt") or "–"} for v in found.manual_visits]
    rejected = [{"day": stockholm_date(r.event.device_time).isoformat(), "time": local_clock(r.event.device_time),
                 "staff": r.event.staff_id, "status": "Rättad" if r.status == "corrected" else "Öppen",
                 "reasons": [reason_sv(x, r.origin)[0] for x in r.reasons]} for r in found.rejected]
    errors = dict(field_errors or {})
    if month_error:
        errors["manad"] = month_error
    return Page("device.html", {
        "title": page_title(f"{KINDS.get(d.kind, d.kind)} {d.device_id}", error=bool(errors)), "nav": nav(ctx, PATH),
        "d": d, "kind": KINDS.get(d.kind, d.kind), "status_label": STATUSES.get(d.status, d.status),
        "badge": STATUS_BADGES.get(d.status, "info"), "client": d.client.masked if d.client else None,
        "ordered": _day(d.ordered_at), "bound": _day(d.bound_at), "retired": _day(d.retired_at),
        "manual": manual, "rejected": rejected, "complete": found.complete, "month": typed,
        "month_label": f"{year:04d}-{month:02d}", "keeps": may(who, DEVICE_ACTION),
        "values": values or {"klient": ""}, "field_errors": errors,
        "errors": [{"text": t, "href": {"klient": "#b-klient", "manad": "#m-manad"}.get(k, "#")}
                   for k, t in errors.items()],
        "bind_action": _href(ctx, d.device_id, "/koppla"), "retire_action": _href(ctx, d.device_id, "/avveckla"),
        "here": _href(ctx, d.device_id), "back": ctx.url(PATH)}, status=status)


def bind(ctx: Context, device_id: str) -> Page | Redirect:
    who = keeper(ctx, DEVICE_ACTION)
    values = {"klient": ctx.form.get("klient").strip()}
    try:
        client = Personnummer(values["klient"])
    except (InvalidPersonnummer, ValueError):
        return device(ctx, device_id, field_errors={"klient": "Skriv klientens personnummer med 12 siffror, "
                                                              "ÅÅÅÅMMDD-NNNN."}, values=values, status=422)
    try:
        bind_tag(ctx.deps, who, device_id, client)
    except Conflict:
        return device(ctx, device_id, field_errors={"klient": "Enheten kan inte kopplas: den är redan kopplad eller "
                                                              "avvecklad. En tagg används aldrig igen."},
                      values=values, status=409)
    ctx.notice(f"{device_id} är kopplad till klienten {client.masked}.")
    return Redirect(_href(ctx, device_id), status=303)


def retire(ctx: Context, device_id: str) -> Page | Redirect:
    who = keeper(ctx, DEVICE_ACTION)
    try:
        retire_tag(ctx.deps, who, device_id)
    except Conflict:
        ctx.notice(f"{device_id} är redan avvecklad.")
        return Redirect(_href(ctx, device_id), status=303)
    ctx.notice(f"{device_id} är avvecklad och kan aldrig användas igen.")
    return Redirect(_href(ctx, device_id), status=303)
