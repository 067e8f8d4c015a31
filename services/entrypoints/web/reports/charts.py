"""Charts drawn on the server as SVG, put inline in the page: a text alternative (``role="img"``,
``<title>``, ``<desc>``), every bar labelled with its value at its end, and each series with its own
fill pattern as well as its colour (solid, hatched, dotted), so nothing depends on seeing colour.
No script, no style attribute (the strict CSP): presentation attributes only. Pure."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

# (colour, pattern) per series: the pattern's own marks are the part that does not need colour
SERIES_LOOK = (("#0b3d6b", "solid"), ("#2e7d32", "hatch"), ("#6d4c41", "dots"), ("#5c5c5c", "cross"))


@dataclass(frozen=True)
class Group:
    label: str  # the bar group's name (a provider, a kind of deviation)
    values: tuple[float, ...]  # one per series
    texts: tuple[str, ...]  # the value as shown at the bar's end


def _patterns(prefix: str, count: int) -> str:
    out = []
    for i, (colour, kind) in enumerate(SERIES_LOOK[:count]):
        pid = f"{prefix}-p{i}"
        if kind == "solid":
            body = f'<rect width="8" height="8" fill="{colour}"/>'
        elif kind == "hatch":
            body = (f'<rect width="8" height="8" fill="#ffffff"/>'
                    f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{colour}" stroke-width="2.5"/>')
        elif kind == "dots":
            body = (f'<rect width="8" height="8" fill="#ffffff"/><circle cx="2" cy="2" r="1.8" fill="{colour}"/>'
                    f'<circle cx="6" cy="6" r="1.8" fill="{colour}"/>')
        else:
            body = (f'<rect width="8" height="8" fill="#ffffff"/>'
                    f'<path d="M0,4 h8 M4,0 v8" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">{body}</pattern>')
    return "<defs>" + "".join(out) + "</defs>"


def bar_chart(chart_id: str, title: str, series: list[str], groups: list[Group], summary: str = "") -> str:
    """Horizontal bars, one group per label and one bar per series, scaled to the largest value."""
    label_w, bar_w, bar_h, gap, right = 200, 420, 16, 14, 150
    n = len(series)
    legend_h = 24 * ((n + 1) // 2) + 8
    group_h = n * bar_h + gap
    height = 40 + legend_h + max(1, len(groups)) * group_h + 10
    width = label_w + bar_w + right
    top_value = max([v for g in groups for v in g.values] + [0]) or 1
    desc = summary or "; ".join(
        f"{g.label}: " + ", ".join(f"{s} {t}" for s, t in zip(series, g.texts)) for g in groups) or "Inget att visa."
    tid, did = f"{chart_id}-t", f"{chart_id}-d"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{tid} {did}" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'font-family="Arial, Helvetica, sans-serif" font-size="13">',
             f'<title id="{tid}">{escape(title)}</title>', f'<desc id="{did}">{escape(desc)}</desc>',
             _patterns(chart_id, n), '<rect width="100%" height="100%" fill="#ffffff"/>',
             f'<text x="8" y="22" font-size="15" font-weight="bold" fill="#1a1a1a">{escape(title)}</text>']
    for i, name in enumerate(series):  # the legend: the pattern beside the series' name
        x, y = 8 + (i % 2) * 300, 34 + (i // 2) * 24
        parts.append(f'<rect x="{x}" y="{y}" width="18" height="16" fill="url(#{chart_id}-p{i})" stroke="#1a1a1a"/>'
                     f'<text x="{x + 24}" y="{y + 13}" fill="#1a1a1a">{escape(name)}</text>')
    y = 40 + legend_h
    for g in groups:
        parts.append(f'<g><text x="{label_w - 8}" y="{y + n * bar_h / 2 + 4:.1f}" text-anchor="end" '
                     f'fill="#1a1a1a">{escape(g.label[:28])}</text>')
        for i, (value, text) in enumerate(zip(g.values, g.texts)):
            w = max(1.0, bar_w * value / top_value) if value else 0.0
            by = y + i * bar_h
            if w:
                parts.append(f'<rect x="{label_w}" y="{by}" width="{w:.1f}" height="{bar_h - 2}" '
                             f'fill="url(#{chart_id}-p{i})" stroke="#1a1a1a" stroke-width="0.5"/>')
            parts.append(f'<text x="{label_w + w + 5:.1f}" y="{by + bar_h - 4}" fill="#1a1a1a">'
                         f'{escape(series[i][:1]) + ": " if n > 1 else ""}{escape(text)}</text>')
        parts.append("</g>")
        y += group_h
    parts.append(f'<line x1="{label_w}" y1="{40 + legend_h - 4}" x2="{label_w}" y2="{y}" stroke="#1a1a1a"/>')
    parts.append("</svg>")
    return "\n".join(parts)
