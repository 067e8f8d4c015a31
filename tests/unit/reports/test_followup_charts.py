"""The follow-up section's SVG charts (pure): a text alternative, a label with every value, a
pattern per series (readable without colour), nothing that runs or needs a style attribute."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from services.entrypoints.web.reports.charts import Group, bar_chart
from services.entrypoints.web.reports.followup import _charts, hours, pct

NS = "{http://www.w3.org/2000/svg}"


def chart():
    return bar_chart("c-x", "Tid per utförare", ["Beviljad", "Utförd"],
                     [Group("Omsorg <AB>", (600, 300), ("10 h", "5 h (50 %)")),
                      Group("Annan", (0, 60), ("0 h", "1 h"))])


def test_given_a_chart_when_drawn_then_it_names_itself_and_says_its_figures_in_text():
    svg = ET.fromstring(chart())
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "c-x-t c-x-d"
    assert svg.find(f"{NS}title").text == "Tid per utförare"
    assert "Omsorg <AB>: Beviljad 10 h, Utförd 5 h (50 %)" in svg.find(f"{NS}desc").text


def test_given_two_series_when_drawn_then_each_has_its_own_pattern_and_each_bar_its_value():
    text = chart()
    assert {"c-x-p0", "c-x-p1"} <= set(re.findall(r'<pattern id="([^"]+)"', text))
    assert text.count('fill="url(#c-x-p0)"') == 2 and text.count('fill="url(#c-x-p1)"') == 3  # legend + bars
    assert "B: 10 h" in text and "U: 5 h (50 %)" in text and "B: 0 h" in text
    assert "<script" not in text and "style=" not in text and "&lt;AB&gt;" in text


def test_given_the_largest_value_when_drawn_then_its_bar_is_the_full_width():
    widths = [float(w) for w in re.findall(r'<rect x="200" y="\d+" width="([\d.]+)"', chart())]
    assert max(widths) == 420.0 and 210.0 in widths


def test_given_providers_with_continuity_when_charted_then_a_continuity_chart_of_the_counted_ones():
    p = {"id": "A", "granted": 600, "performed": 300, "approved": 300, "share_performed": "50 %",
         "share_approved": "100 %", "digital": 9, "manual": 1, "share_digital": "90 %", "share_manual": "10 %",
         "post_registrations": 2, "edits": 1, "continuity_median": 11.5, "continuity_mean": 12.0}
    charts = _charts([p, {**p, "id": "B", "continuity_median": None, "continuity_mean": None}],
                     {"deviations": {"manual_receipt": 1}})
    assert "A: Median 11,5, Medel 12,0" in charts["continuity"] and "B:" not in charts["continuity"]
    assert "Manuell kvittering: Antal 1" in charts["deviations"]


def test_hours_and_shares_are_swedish():
    assert hours(90) == "1,5 h" and hours(90 * 1000) == "1\u00a0500,0 h"
    assert pct(1, 3) == "33 %" and pct(1, 0) == "–" and pct(None, 5) == "–"


def line():
    from services.entrypoints.web.reports.charts import line_chart

    return line_chart("c-l", "Andelar <A>", ["2026-01", "2026-02", "2026-03"],
                      [("Utförd av beviljad", [80.0, None, 95.5]), ("Digital kvittering", [60.0, 70.0, 72.0])])


def test_given_a_line_chart_when_drawn_then_it_names_itself_and_every_value_in_its_text_alternative():
    svg = ET.fromstring(line())
    assert svg.get("role") == "img" and svg.find(f"{NS}title").text == "Andelar <A>"
    desc = svg.find(f"{NS}desc").text
    assert "Utförd av beviljad: 2026-01 80 %, 2026-02 –, 2026-03 96 %" in desc
    assert "Digital kvittering: 2026-01 60 %, 2026-02 70 %, 2026-03 72 %" in desc


def test_given_two_series_when_drawn_then_each_has_its_own_dash_and_marker_and_a_gap_where_a_month_is_missing():
    text = line()
    # the first series: solid, circles; two runs of one point draw no line across the missing month
    assert text.count("<polyline") == 1 and 'stroke-dasharray="8 4"' in text
    assert text.count("<circle") == 3 and text.count('width="8" height="8" fill="#ffffff"') == 4  # legend + points
    assert "Utförd: 96 %" in text and "Digital: 72 %" in text
    assert "<script" not in text and "style=" not in text and "&lt;A&gt;" in text
