"""A report as CSV (Swedish column names, for a Swedish spreadsheet) and as an SVG chart. Pure.

CSV: semicolon-separated with decimal commas and a byte-order mark, which is what a spreadsheet
set to Swedish opens without an import dialogue; any text cell that a spreadsheet would take for
a formula (= + - @, tab, carriage return) gets a leading apostrophe.
"""
from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

ABSENCE_LABELS = {"hospital": "sjukhus", "short_term_stay": "korttidsvistelse", "other": "övrigt",
                  "terminated": "avslutat uppdrag"}
INSATS_LABELS = {
    "hemtjanst": "Hemtjänst", "personlig_omsorg": "Personlig omsorg", "service": "Serviceinsatser",
    "morgonhjalp": "Morgonhjälp", "kvallshjalp": "Kvällshjälp", "dusch": "Dusch", "matdistribution": "Matdistribution",
    "inkop": "Inköp", "ledsagning": "Ledsagning", "tillsyn_vard_omsorg": "Tillsyn vård och omsorg",
    "tillsyn_service": "Tillsyn service", "tillfallig_vistelse": "Tillfällig vistelse hemtjänst",
}
COLUMNS = ("Månad", "Utförare", "Brukare", "65 år eller äldre", "Insats", "Beviljad tid (min)", "Utförd tid (min)",
           "Godkänd tid (min)", "Andel utförd av beviljad tid", "Besök", "Besök med dubbelbemanning",
           "Utan beslut", *[f"Frånvarodagar {v}" for v in ABSENCE_LABELS.values()],
           "Personalkontinuitet (högst, 14 dagar)", "Besök på frånvarodag")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Text a spreadsheet shows as text, never runs as a formula; numbers with a decimal comma."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in report["rows"]:
        writer.writerow([safe_cell(x) for x in (
            report["month"], r["provider_id"], r["client"], r["aged_65"], INSATS_LABELS.get(r["insats"], r["insats"]),
            r["granted"], r["performed"], r["approved"], r["share_performed"], r["visits"], r["double_staffed"],
            r["without_decision"], *[r["absence_days"].get(k, 0) for k in ABSENCE_LABELS], r["continuity_max"],
            " ".join(r.get("visits_on_absence_days", [])))])
    return "\ufeff" + out.getvalue()


def _hours(minutes: int) -> str:
    return f"{minutes / 60:,.0f}".replace(",", "\u00a0")


def _nice_step(top_hours: float) -> int:
    """A round tick step (1, 2 or 5 times a power of ten) giving 3–6 ticks up to ``top_hours``."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if top_hours / (step * m) <= 5:
                return step * m
        step *= 10


def to_svg(report: dict) -> str:
    """Performed against granted hours per provider: paired horizontal bars with their values,
    a title, axis labels, and a text alternative (``<title>``/``<desc>``, ``role="img"``)."""
    providers = report["providers"]
    title = f"Utförd och beviljad tid per utförare, {report['month']}"
    lines = [f"{p['provider_id']}: utförd {_hours(p['performed_minutes'])} timmar av beviljad "
             f"{_hours(p['granted_minutes'])} timmar"
             + (f" ({round(100 * p['share_performed'])} %)" if p["share_performed"] is not None else "")
             for p in providers]
    desc = "; ".join(lines) or "Inga utförare i rapporten."
    left, top, bar, gap, width = 190, 70, 18, 26, 460
    height = top + max(1, len(providers)) * (2 * bar + gap) + 70
    step = _nice_step(max([60] + [max(p["performed_minutes"], p["granted_minutes"]) for p in providers]) / 60)
    ticks = 1 + int(-(-max([60] + [max(p["performed_minutes"], p["granted_minutes"]) for p in providers])
                       // (step * 60)))
    top_value = step * 60 * (ticks - 1)
    scale = width / top_value
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="t d" '
             f'width="{left + width + 120}" height="{height}" viewBox="0 0 {left + width + 120} {height}" '
             f'font-family="Arial, Helvetica, sans-serif" font-size="14">',
             f'<title id="t">{escape(title)}</title>', f'<desc id="d">{escape(desc)}</desc>',
             '<rect width="100%" height="100%" fill="#ffffff"/>',
             f'<text x="16" y="30" font-size="18" font-weight="bold" fill="#1a1a1a">{escape(title)}</text>',
             f'<rect x="{left}" y="42" width="14" height="14" fill="#0b5394"/>'
             f'<text x="{left + 20}" y="54" fill="#1a1a1a">Utförd tid</text>',
             f'<rect x="{left + 120}" y="42" width="14" height="14" fill="#b7b7b7"/>'
             f'<text x="{left + 140}" y="54" fill="#1a1a1a">Beviljad tid</text>']
    y = top
    for p in providers:
        done, granted = p["performed_minutes"], p["granted_minutes"]
        parts.append(f'<g><text x="{left - 8}" y="{y + bar + 4}" text-anchor="end" fill="#1a1a1a">'
                     f'{escape(p["provider_id"])}</text>')
        pct = f" ({round(100 * p['share_performed'])} %)" if p["share_performed"] is not None else ""
        for value, colour, dy, extra in ((done, "#0b5394", 0, pct), (granted, "#b7b7b7", bar, "")):
            w = max(1.0, value * scale)
            parts.append(f'<rect x="{left}" y="{y + dy}" width="{w:.1f}" height="{bar - 2}" fill="{colour}"/>'
                         f'<text x="{left + w + 6:.1f}" y="{y + dy + bar - 6}" fill="#1a1a1a">'
                         f'{_hours(value)} h{extra}</text>')
        parts.append("</g>")
        y += 2 * bar + gap
    axis_y = y
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + width}" y2="{axis_y}" stroke="#1a1a1a"/>')
    for i in range(ticks):
        x = left + width * i / (ticks - 1)
        parts.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 5}" stroke="#1a1a1a"/>'
                     f'<text x="{x:.1f}" y="{axis_y + 20}" text-anchor="middle" fill="#1a1a1a">'
                     f'{_hours(step * 60 * i)}</text>')
    parts.append(f'<text x="{left + width / 2}" y="{axis_y + 45}" text-anchor="middle" fill="#1a1a1a">'
                 'Tid (timmar)</text>')
    parts.append(f'<text x="16" y="{top - 8}" fill="#1a1a1a">Utförare</text>')
    parts.append("</svg>")
    return "\n".join(parts)
