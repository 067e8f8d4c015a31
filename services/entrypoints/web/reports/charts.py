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


# (dash, marker) per series of a line chart: told apart without colour
LINE_LOOK = (("", "circle"), ("8 4", "square"), ("2 3", "triangle"), ("10 3 2 3", "diamond"))


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if kind == "square":
        return (f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#ffffff" '
                f'stroke="{colour}" stroke-width="2"/>')
    if kind == "triangle":
        return f'<path d="M{x:.1f},{y - 5:.1f} l5,9 h-10 z" fill="{colour}"/>'
    return f'<path d="M{x:.1f},{y - 5:.1f} l5,5 l-5,5 l-5,-5 z" fill="#ffffff" stroke="{colour}" stroke-width="2"/>'


def line_chart(chart_id: str, title: str, labels: list[str], series: list[tuple[str, list[float | None]]],
               unit: str = " %", top: float = 100.0) -> str:
    """Lines over ``labels`` (months), one per series, each with its own dash and marker and the
    series' last value written at its end; a gap where a value is missing. Scaled 0..``top`` (or the
    largest value, if larger)."""
    left, plot_w, plot_h, right = 50, 560, 200, 170
    legend_h = 24 * len(series) + 8
    top_y = 40 + legend_h
    width, height = left + plot_w + right, top_y + plot_h + 40
    high = max([v for _, vs in series for v in vs if v is not None] + [top]) or 1
    step = plot_w / max(1, len(labels) - 1)

    def fmt(v: float | None) -> str:
        return "–" if v is None else f"{v:.0f}{unit}"

    desc = "; ".join(f"{name}: " + ", ".join(f"{m} {fmt(v)}" for m, v in zip(labels, vs)) for name, vs in series)
    tid, did = f"{chart_id}-t", f"{chart_id}-d"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{tid} {did}" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'font-family="Arial, Helvetica, sans-serif" font-size="13">',
             f'<title id="{tid}">{escape(title)}</title>',
             f'<desc id="{did}">{escape(desc or "Inget att visa.")}</desc>',
             '<rect width="100%" height="100%" fill="#ffffff"/>',
             f'<text x="8" y="22" font-size="15" font-weight="bold" fill="#1a1a1a">{escape(title)}</text>']
    for i, (name, _) in enumerate(series):
        colour, (dash, marker) = SERIES_LOOK[i % len(SERIES_LOOK)][0], LINE_LOOK[i % len(LINE_LOOK)]
        y = 34 + i * 24
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="8" y1="{y + 8}" x2="40" y2="{y + 8}" stroke="{colour}" stroke-width="2.5"{dashed}/>'
                     + _marker(marker, 24, y + 8, colour)
                     + f'<text x="48" y="{y + 13}" fill="#1a1a1a">{escape(name)}</text>')
    for frac in (0, 0.5, 1):  # the axis: 0, half and the top
        y = top_y + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#b1b4b6"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1a1a1a">'
                     f'{high * frac:.0f}{unit}</text>')
    for k, m in enumerate(labels):
        parts.append(f'<text x="{left + k * step:.1f}" y="{top_y + plot_h + 18}" text-anchor="middle" '
                     f'font-size="11" fill="#1a1a1a">{escape(m[2:])}</text>')
    for i, (name, values) in enumerate(series):
        colour, (dash, marker) = SERIES_LOOK[i % len(SERIES_LOOK)][0], LINE_LOOK[i % len(LINE_LOOK)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        points = [(left + k * step, top_y + plot_h * (1 - v / high)) if v is not None else None
                  for k, v in enumerate(values)]
        run: list[tuple[float, float]] = []
        for p in [*points, None]:
            if p is None:
                if len(run) > 1:
                    parts.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in run)}" fill="none" '
                                 f'stroke="{colour}" stroke-width="2.5"{dashed}/>')
                run = []
            else:
                run.append(p)
        parts += [_marker(marker, x, y, colour) for x, y in (p for p in points if p is not None)]
        last = next(((k, v) for k, v in reversed(list(enumerate(values))) if v is not None), None)
        if last is not None:
            x, y = points[last[0]]  # type: ignore[misc]
            parts.append(f'<text x="{x + 10:.1f}" y="{y + 4 + 14 * i - 14:.1f}" fill="#1a1a1a">'
                         f'{escape(name.split()[0])}: {fmt(last[1])}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
