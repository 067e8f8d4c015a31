"""What notifications say: only that something new is waiting and where to log in to read it.

Never a name, a personnummer, a case number or anything of a case's content: a notification
may be read on a shared screen or a lock screen, and a protected person's e-mail or SMS must not
tie them to a case. Parameters are few and checked per template (a number of days, a month, a
date); anything else is refused. Plain ``str.format`` templates: nothing heavy at import.

Each template has an audience, which says how to log in: a person (Mina sidor with e-ID), the
case workers' functional mailbox, a provider, or a staff member (the staff entry ``/personal``).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from string import Formatter
from typing import Callable, Literal

from ...domain.calendar import MONTHS_SV, swedish_date
from ..config import NotifyConfig
from .gsm import fit

Audience = Literal["person", "mailbox", "provider", "staff"]


class BadParameters(ValueError):
    """A request whose parameters a template does not take: a permanent failure."""


def _days(raw: str) -> str:
    if not re.fullmatch(r"[0-9]{1,2}", raw) or not 1 <= int(raw) <= 60:
        raise BadParameters("days: 1-60")
    return "1 dag" if int(raw) == 1 else f"{int(raw)} dagar"


def _month(raw: str) -> str:
    if not re.fullmatch(r"20[0-9]{2}-(0[1-9]|1[0-2])", raw):
        raise BadParameters("month: YYYY-MM")
    year, month = raw.split("-")
    return f"{MONTHS_SV[int(month) - 1]} {year}"


def _date(raw: str) -> str:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadParameters("a date: YYYY-MM-DD") from None
    return swedish_date(day)


# The only parameters any template takes, each with its checker and Swedish rendering.
PARAMETERS: dict[str, Callable[[str], str]] = {"days": _days, "month": _month, "lock_date": _date,
                                                "valid_to": _date}


@dataclass(frozen=True)
class Template:
    audience: Audience
    subject: str
    heading: str
    body: str  # one paragraph, the same in the e-mail's text and HTML
    sms: str  # without the sign-off; one GSM-7 part at most with it


TEMPLATES: dict[str, Template] = {
    "submission.received": Template(
        "person", "Vi har tagit emot det du skickade in", "Vi har tagit emot det du skickade in",
        "Tack! Det du skickade in via e-tjänsten har kommit fram till oss. Du kan följa ärendet på Mina sidor.",
        "Vi har tagit emot det du skickade in via e-tjänsten. Följ ärendet på Mina sidor."),
    "case.status_changed": Template(
        "person", "Ditt ärende har uppdaterats", "Ditt ärende har uppdaterats",
        "Det finns nytt om ett av dina ärenden. Logga in på Mina sidor för att se vad som har hänt.",
        "Det finns nytt om ett av dina ärenden på Mina sidor."),
    "decision.published": Template(
        "person", "Du har fått ett beslut", "Du har fått ett beslut",
        "Det finns ett nytt beslut till dig. Logga in på Mina sidor för att läsa beslutet.",
        "Du har fått ett nytt beslut. Läs det på Mina sidor."),
    "message.received": Template(
        "person", "Du har fått ett nytt meddelande", "Du har fått ett nytt meddelande",
        "Du har fått ett nytt meddelande från socialtjänsten. Logga in på Mina sidor för att läsa det.",
        "Du har fått ett nytt meddelande från socialtjänsten. Läs det på Mina sidor."),
    "message.received_staff": Template(
        "mailbox", "Nytt meddelande i inkorgen", "Nytt meddelande i inkorgen",
        "En person har svarat eller skrivit ett nytt meddelande i e-tjänsten. Logga in i handläggarvyn "
        "för att läsa det i inkorgen.",
        "Nytt meddelande i inkorgen. Läs det i handläggarvyn."),
    "draft.expiring": Template(
        "person", "Ditt sparade utkast tas snart bort", "Ditt sparade utkast tas snart bort",
        "Ett utkast som du har sparat i e-tjänsten tas bort om {days} om du inte skickar in det. "
        "Logga in på Mina sidor för att fortsätta.",
        "Ett sparat utkast tas bort om {days}. Fortsätt på Mina sidor."),
    "lock_date.approaching": Template(
        "provider", "Spärrdatum för {month} närmar sig", "Spärrdatum för {month} närmar sig",
        "Besök i {month} kan registreras, ändras och godkännas till och med spärrdatumet {lock_date}. "
        "Efter det går månaden inte att ändra. Logga in i utförarvyn och se över månadens besök.",
        "Spärrdatum för {month} är {lock_date}. Se över månadens besök i utförarvyn."),
    "relative.approved": Template(
        "person", "Du kan nu företräda en närstående", "Du kan nu företräda en närstående",
        "Socialtjänsten har godkänt att du får göra ärenden i e-tjänsten för en närstående. Logga in på "
        "Mina sidor för att se vem och under vilken tid.",
        "Du har godkänts att företräda en närstående i e-tjänsten. Se mer på Mina sidor."),
    "relative.ended": Template(
        "person", "Din behörighet att företräda en närstående har upphört",
        "Din behörighet att företräda en närstående har upphört",
        "Du kan inte längre göra ärenden i e-tjänsten för en närstående. Logga in på Mina sidor om du vill "
        "se vilka behörigheter du har kvar.",
        "Din behörighet att företräda en närstående har upphört. Se mer på Mina sidor."),
    # A staff account ends within 14 days (seed 004: extended at least 14 days before it ends). The
    # holder cannot extend it; those who keep it can. Neither names the account or its holder.
    "staff_account.ending": Template(
        "staff", "Ditt tjänstekonto upphör snart", "Ditt tjänstekonto upphör snart",
        "Ditt tjänstekonto i Insats gäller till och med {valid_to}. Be den som administrerar kontona i din "
        "organisation att förlänga det, annars kan du inte logga in efter det datumet.",
        "Ditt tjänstekonto gäller till och med {valid_to}. Be din administratör förlänga det."),
    "staff_account.ending_admin": Template(
        "staff", "Ett tjänstekonto som du administrerar upphör snart",
        "Ett tjänstekonto som du administrerar upphör snart",
        "Ett tjänstekonto som du administrerar gäller till och med {valid_to}. Logga in och se över kontona "
        "som upphör inom 14 dagar. Förläng dem som ska fortsätta gälla.",
        "Ett tjänstekonto du administrerar gäller till och med {valid_to}. Se över det."),
}

HOW_TO_LOG_IN: dict[Audience, str] = {
    "person": "Logga in på Mina sidor med BankID eller Freja eID: {url}",
    "mailbox": "Logga in i handläggarvyn med ditt tjänstekonto: {url}",
    "provider": "Logga in i utförarvyn med ditt tjänstekonto: {url}",
    "staff": "Logga in med e-legitimation på personalsidan: {url}",
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


def names_in(template: Template) -> set[str]:
    found: set[str] = set()
    for part in (template.subject, template.heading, template.body, template.sms):
        found |= {name for _, name, _, _ in Formatter().parse(part) if name}
    return found


def _login_url(cfg: NotifyConfig, audience: Audience) -> str:
    return {"person": cfg.login_url, "mailbox": cfg.staff_login_url, "provider": cfg.provider_login_url,
            "staff": cfg.staff_login_url}[audience]


def render(template_id: str, params: dict[str, str], cfg: NotifyConfig) -> Rendered:
    """Raises ``KeyError`` for an unknown template and ``BadParameters`` for parameters it does
    not take, lacks, or that fail their check."""
    template = TEMPLATES[template_id]
    names = names_in(template)
    unknown = set(params) - names
    if unknown:
        raise BadParameters(f"{template_id} takes no parameters {sorted(unknown)}")
    missing = names - set(params)
    if missing:
        raise BadParameters(f"{template_id} needs {sorted(missing)}")
    values = {name: PARAMETERS[name](str(params[name])) for name in names}
    url = _login_url(cfg, template.audience)
    login = HOW_TO_LOG_IN[template.audience].format(url=url)
    subject = template.subject.format(**values)
    heading = template.heading.format(**values)
    body = template.body.format(**values)
    text = (f"{cfg.municipality}\n\n{heading}\n\n{body}\n\n{login}\n\n"
            f"Det här meddelandet skickas automatiskt och går inte att svara på.\n")
    sms = fit(f"{cfg.municipality}: {template.sms.format(**values)}")
    return Rendered(subject=subject, text=text, html=_html(cfg.municipality, heading, body,
                                                           HOW_TO_LOG_IN[template.audience], url), sms=sms)


def _html(municipality: str, heading: str, body: str, login: str, url: str) -> str:
    e = html.escape
    login_html = e(login.split(":", 1)[0]) + f': <a href="{e(url)}" style="color:#0b5cad">{e(url)}</a>'
    return f"""<!DOCTYPE html>
<html lang="sv">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(heading)}</title></head>
<body style="margin:0;padding:0;background:#f2f4f7;font-family:Arial,Helvetica,sans-serif;color:#1b1b1b">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="background:#f2f4f7">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="max-width:560px;background:#ffffff;border-radius:6px">
<tr><td style="background:#0b3d6b;color:#ffffff;padding:16px 24px;font-size:18px;font-weight:bold;border-radius:6px 6px 0 0">{e(municipality)}</td></tr>
<tr><td style="padding:24px">
<h1 style="font-size:22px;margin:0 0 16px 0">{e(heading)}</h1>
<p style="font-size:16px;line-height:1.5;margin:0 0 16px 0">{e(body)}</p>
<p style="font-size:16px;line-height:1.5;margin:0 0 16px 0;padding:12px;background:#eef4fa;border-radius:4px">{login_html}</p>
</td></tr>
<tr><td style="padding:16px 24px;font-size:13px;color:#555555;border-top:1px solid #e3e6ea">Det här meddelandet skickas automatiskt och går inte att svara på.</td></tr>
</table></td></tr></table>
</body></html>
"""
