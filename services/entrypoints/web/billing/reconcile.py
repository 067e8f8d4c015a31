"""Avstämning (``/personal/fakturaunderlag/{provider}/{month}/avstamning``): the provider's invoice
against the basis, line by line, through billing's use case ``reconcile`` (the API's).

The invoice is entered on the form (a row per client of the basis, and rows for clients the basis
does not have) or uploaded as a CSV file (an ordinary multipart form posted here; the columns are
on the page). The answer is the result page: per client, agrees or what differs (time, amount, not
in the basis, not on the invoice), and the due date counted from the day the invoice came in.

A reconciliation is not stored: it is a comparison anyone may repeat with the same invoice, and
the invoice itself is kept in the municipality's finance system. Bad input (a row, or a CSV line)
is an error summary naming the row or line, 422, and nothing is compared."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from pydantic import ValidationError

from ....billing.domain.reconcile import ClaimedLine, hours_to_minutes
from ....billing.schemas import ReconcileRequest
from ....billing.usecases.reconciliation import reconcile
from ..formview import ErrorLink
from ..http import Context, Form, Page
from ..filters import kr
from .basis import (PAGE, basis_url, check_address, h, provider_label, read_basis, status_text, today)
from .common import member, nav, page_title

EXTRA_ROWS = 3
MAX_BYTES = 2_000_000
MAX_LINES = 20_000
COLUMNS = ["Kund", "Timmar", "Belopp (kr)"]
_KRONOR = re.compile(r"^-?[0-9]{1,10}(?:[.,][0-9]{1,2})?$")
ERRORS = {
    "client": "personnumret ska ha 12 siffror, ÅÅÅÅMMDDNNNN, och vara ett giltigt personnummer",
    "hours": "timmarna ska vara ett tal med högst två decimaler, till exempel 6,5",
    "amount": "beloppet ska vara kronor med högst två decimaler, till exempel 1234,50",
    "both": "skriv både timmar och belopp, eller lämna båda tomma",
}


def ore(text: str) -> int | None:
    """``1 234,50`` kronor → 123450 öre; None for anything else."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").removesuffix("kr")
    if not _KRONOR.match(cleaned):
        return None
    whole, _, cents = cleaned.replace(",", ".").partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((cents + "00")[:2]))


def claimed_line(client: str, hours: str, amount: str) -> tuple[ClaimedLine | None, list[str]]:
    """One invoice line from text; the problems (named by ERRORS' keys) otherwise."""
    problems = []
    amount_ore = ore(amount)
    if amount_ore is None:
        problems.append("amount")
    try:
        line = ClaimedLine(client=client.replace("-", "").strip(), hours=hours.strip(), amount_ore=amount_ore or 0)
    except ValidationError as exc:
        fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        problems = [p for p in ("client", "hours") if p in fields] + problems
        return None, problems
    return (line, []) if not problems else (None, problems)


def _received(text: str) -> date | None:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


RECEIVED_ERROR = "Skriv dagen fakturan kom in som ÅÅÅÅ-MM-DD, till exempel 2026-11-05."


# -- the form ------------------------------------------------------------------------------

def _rows(view: Any, form: Form | None) -> list[dict[str, str]]:
    """The basis' clients first, then empty rows for clients the basis does not have."""
    count = len(view.lines) + EXTRA_ROWS
    if form is not None:
        count = max(count, sum(1 for k, _ in form.pairs if k.startswith("klient-")))
    rows = []
    for i in range(count):
        default = view.lines[i].client if i < len(view.lines) else ""
        rows.append({"i": i, "client": form.get(f"klient-{i}", default) if form else default,
                     "hours": form.get(f"timmar-{i}") if form else "",
                     "amount": form.get(f"belopp-{i}") if form else "",
                     "in_basis": i < len(view.lines)})
    return rows


def _form_page(ctx: Context, view: Any, *, form: Form | None = None, field_errors: dict[str, str] | None = None,
               errors: list[ErrorLink] | None = None, received: str | None = None, status: int = 200) -> Page:
    return Page("reconcile_form.html", {
        "title": page_title(f"Avstämning {provider_label(view)} {view.month}", error=bool(errors)),
        "nav": nav(ctx, PAGE), "view": view, "provider": provider_label(view), "status": status_text(view),
        "rows": _rows(view, form), "field_errors": field_errors or {}, "errors": errors or [],
        "received": received if received is not None else today(ctx).isoformat(), "columns": COLUMNS,
        "basis_link": basis_url(ctx, view.provider_id, view.month),
        "action": basis_url(ctx, view.provider_id, view.month, "/avstamning"),
        "upload_action": basis_url(ctx, view.provider_id, view.month, "/avstamning/fil"),
        "terms": view.rule_pack.payment_terms_days}, status=status)


def _basis(ctx: Context, provider_id: str, month: str) -> tuple[Any, Any]:
    who = member(ctx, "billing.reconcile")
    bad = check_address(provider_id, month)
    if bad:
        return who, bad
    return who, read_basis(ctx, who, provider_id, month)


def form(ctx: Context, provider_id: str, month: str) -> Page:
    _, view = _basis(ctx, provider_id, month)
    return view if isinstance(view, Page) else _form_page(ctx, view)


def entered(ctx: Context, provider_id: str, month: str) -> Page:
    """The form's rows: a row with nothing in hours and amount is not on the invoice."""
    who, view = _basis(ctx, provider_id, month)
    if isinstance(view, Page):
        return view
    field_errors: dict[str, str] = {}
    lines = []
    indices = sorted({int(k.split("-", 1)[1]) for k, _ in ctx.form.pairs
                      if k.startswith(("klient-", "timmar-", "belopp-")) and k.split("-", 1)[1].isdigit()})
    for i in indices[:MAX_LINES]:
        client, hours, amount = (ctx.form.get(f"{n}-{i}").strip() for n in ("klient", "timmar", "belopp"))
        if not hours and not amount:
            continue
        if not hours or not amount:
            field_errors[f"timmar-{i}" if not hours else f"belopp-{i}"] = f"Rad {i + 1}: {ERRORS['both']}."
            continue
        line, problems = claimed_line(client, hours, amount)
        for p in problems:
            key = {"client": "klient", "hours": "timmar", "amount": "belopp"}[p]
            field_errors[f"{key}-{i}"] = f"Rad {i + 1}: {ERRORS[p]}."
        if line is not None:
            lines.append(line)
    received = ctx.form.get("inkommen").strip()
    day = _received(received)
    if day is None:
        field_errors = {"inkommen": RECEIVED_ERROR, **field_errors}
    if not field_errors and not lines:
        field_errors["timmar-0"] = "Skriv in minst en rad från fakturan: timmar och belopp."
    if field_errors:
        return _form_page(ctx, view, form=ctx.form, field_errors=field_errors, received=received, status=422,
                          errors=[ErrorLink(f"#{k}", t) for k, t in field_errors.items()])
    return _result(ctx, who, view, lines, day, "inmatad")


# -- the file ------------------------------------------------------------------------------

def multipart(body: bytes, content_type: str) -> tuple[Form, dict[str, bytes]]:
    """A multipart/form-data body: its text fields and its files' contents by field name."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\nMIME-Version: 1.0\r\n\r\n" + body)
    fields, files = Form([]), {}
    if not message.is_multipart():
        return fields, files
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[name] = payload
        else:
            fields.pairs.append((name, payload.decode("utf-8", "replace")))
    return fields, files


def csv_lines(data: bytes) -> tuple[list[ClaimedLine], list[str]]:
    """The CSV's invoice lines, or the problems, each naming its line number in the file."""
    if not data.strip():
        return [], ["Filen är tom. Välj fakturans CSV-fil."]
    if len(data) > MAX_BYTES:
        return [], ["Filen är större än 2 MB. Dela upp fakturan eller skriv in raderna."]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["Filen är inte en textfil i UTF-8. Spara den som CSV (UTF-8) och försök igen."]
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    lines, problems = [], []
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and cells and not cells[0].replace("-", "").isdigit():
            continue  # the heading row
        if len(cells) != 3:
            problems.append(f"Rad {number}: raden ska ha tre kolumner åtskilda med semikolon (kund; timmar; belopp), "
                            f"den har {len(cells)}.")
        else:
            line, found = claimed_line(*cells)
            problems += [f"Rad {number}: {ERRORS[p]}." for p in found]
            if line is not None:
                lines.append(line)
        if len(problems) >= 10:
            problems.append("Fler fel visas inte. Rätta de här och försök igen.")
            break
    if len(lines) > MAX_LINES:
        problems.append(f"Filen har fler än {MAX_LINES} rader.")
    if not problems and not lines:
        problems.append("Filen har inga rader med kund, timmar och belopp.")
    return lines, problems


def uploaded(ctx: Context, provider_id: str, month: str, body: bytes = b"", content_type: str = "") -> Page:
    """The CSV file: the page's CSRF token comes in the multipart body, so it is checked here."""
    fields, files = multipart(body, content_type) if content_type.startswith("multipart/form-data") else (Form([]), {})
    ctx.form = fields
    ctx.check_csrf()
    who, view = _basis(ctx, provider_id, month)
    if isinstance(view, Page):
        return view
    received = ctx.form.get("inkommen-fil").strip()
    field_errors: dict[str, str] = {}
    day = _received(received)
    if day is None:
        field_errors["inkommen-fil"] = RECEIVED_ERROR
    lines, problems = csv_lines(files.get("fil", b""))
    errors = [ErrorLink("#inkommen-fil", RECEIVED_ERROR)] if day is None else []
    errors += [ErrorLink("#fil", p) for p in problems]
    if problems:
        field_errors["fil"] = problems[0] if len(problems) == 1 else f"{len(problems)} fel i filen: se listan överst."
    if errors:
        return _form_page(ctx, view, field_errors=field_errors, errors=errors, status=422)
    return _result(ctx, who, view, lines, day, "uppladdad fil")


# -- the result ----------------------------------------------------------------------------

def signed_kr(ore: int) -> str:
    return ("+" if ore > 0 else "") + kr(ore)


DETAIL = {"billed_minutes": "Tiden skiljer sig", "amount_ore": "Beloppet skiljer sig"}


def _result(ctx: Context, who: Any, view: Any, lines: list[ClaimedLine], day: date, source: str) -> Page:
    request = ReconcileRequest(received_on=day, lines=lines, version=view.version)
    result = reconcile(ctx.deps, who, view.provider_id, view.month, request)
    by_client: dict[str, list] = {}
    for d in result.differences:
        by_client.setdefault(d.client, []).append(d)
    basis_lines = {x.client: x for x in view.lines}
    claimed: dict[str, tuple[int, int]] = {}
    for c in lines:
        m, o = claimed.get(c.client, (0, 0))
        claimed[c.client] = (m + hours_to_minutes(c.hours), o + c.amount_ore)
    rows = []
    for client in sorted(basis_lines.keys() | claimed.keys()):
        b = basis_lines.get(client)
        c = claimed.get(client)
        what = []
        for d in by_client.get(client, []):
            if d.field == "line":
                what.append("Finns inte i underlaget" if b is None else "Saknas på fakturan")
            else:
                what.append(f"{DETAIL[d.field]}: {'+' if d.difference > 0 else ''}"
                            f"{h(d.difference) if d.field == 'billed_minutes' else kr(d.difference)}")
        rows.append({"client": client, "code": b.reference_code if b else "–",
                     "basis_hours": h(b.billable_minutes + b.absence_minutes) if b else "–",
                     "basis_amount": kr(b.amount_ore) if b else "–",
                     "claimed_hours": h(c[0]) if c else "–", "claimed_amount": kr(c[1]) if c else "–",
                     "agrees": not what, "what": what})
    differing = sum(1 for r in rows if not r["agrees"])
    return Page("reconcile_result.html", {
        "title": page_title(f"Avstämning {provider_label(view)} {view.month}"), "nav": nav(ctx, PAGE),
        "view": view, "provider": provider_label(view), "status": status_text(view), "result": result,
        "rows": rows, "differing": differing, "source": source,
        "claimed_amount": kr(result.claimed_amount_ore), "basis_amount": kr(result.basis_amount_ore),
        "claimed_hours": h(result.claimed_minutes), "basis_hours": h(result.basis_minutes),
        "amount_difference": signed_kr(result.claimed_amount_ore - result.basis_amount_ore),
        "basis_link": basis_url(ctx, view.provider_id, view.month),
        "again": basis_url(ctx, view.provider_id, view.month, "/avstamning")})
