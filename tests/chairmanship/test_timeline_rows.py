"""The rotation timeline's bars and years, written in Python for speed (issue 21), say exactly what the
template said: the template markup they replaced is the reference, with hostile text in every field."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template

from chairmanship.rotation import Status, YearChair
from chairmanship.selectors import TimelineBar
from chairmanship.timeline_rows import timeline_bars, timeline_years

# The markup chairmanship/timeline.html wrote before the rows moved to Python.
BARS = """{% for b in t.bars %}
  <g class="bar {{ b.status }}{% if b.is_vice %} vice{% endif %}" data-year="{{ b.year }}" data-state="{{ b.chair }}" data-role="{% if b.is_vice %}vice_chair{% else %}chair{% endif %}">
    <rect class="fill" x="{{ b.x }}" y="{{ b.y }}" width="{{ b.w }}" height="{{ b.h }}" rx="5" fill="{{ b.colour }}"/>
    {% if b.status == "provisional" %}<rect x="{{ b.x }}" y="{{ b.y }}" width="{{ b.w }}" height="{{ b.h }}" rx="5" fill="url(#hatch)"/>{% endif %}
    {% if b.is_vice %}<text x="{{ b.text_x }}" y="{{ b.text_y|add:4 }}">vice: {{ b.code }}</text>
    {% else %}<text class="code" x="{{ b.text_x }}" y="{{ b.text_y }}">{{ b.code }}{% if b.to_confirm %}?{% endif %}</text>{% if b.h >= 40 %}<text x="{{ b.text_x }}" y="{{ b.text_y|add:15 }}">{{ b.short }}</text>{% endif %}{% endif %}
    <title>{{ b.year }} {% if b.is_vice %}vice-chair{% else %}chair{% endif %}: {{ b.chair }} ({{ b.status }}) — {{ b.reason }} · {{ b.dates }}</title>
  </g>
  {% endfor %}"""  # noqa: E501
YEARS = """{% for y in t.years %}
  <tr class="{{ y.status }}" data-year="{{ y.year }}"><td>{{ y.year }}</td>
    <td><strong>{{ y.chair|default:"—" }}</strong> <span class="badge {{ y.status }}">{{ y.status }}</span>{% if y.to_confirm %} <span class="badge to_confirm">to confirm</span>{% endif %}</td>
    <td>{{ y.vice_chair|default:"—" }}{% if y.vice_reason %} <span class="small" data-vice-reason>({{ y.vice_reason }})</span>{% endif %}</td>
    <td class="small">{{ y.start|date:"j M Y" }} – {{ y.end|date:"j M Y" }}</td>
    <td class="small">{{ y.reason }}</td></tr>
  {% endfor %}"""  # noqa: E501

HOSTILE = "<b>\"Lao\" & 'Co'</b>"


def _bar(**kw) -> TimelineBar:
    values = {
        "year": 2027,
        "chair": HOSTILE,
        "code": "<LA>",
        "x": 14,
        "y": 30,
        "w": 84,
        "h": 46,
        "colour": '#fff" onload="x',
        "status": "recorded",
        "reason": "Swapped <with> & more",
        "dates": "01 Jan 2027 – 31 Dec 2027",
        "to_confirm": False,
    }
    return TimelineBar(**{**values, **kw})


def test_bars_say_what_the_template_said():
    bars = [
        _bar(),
        _bar(status="provisional", to_confirm=True, chair="Brunei Darussalam & <x>"),
        _bar(h=22, y=53, status="computed"),  # one of two co-chairs: no short name under the code
        _bar(is_vice=True, h=18, y=84, status="none", chair="no chair", code="—"),
        _bar(is_vice=True, h=18, status="provisional", x=1012, w=1000),  # four-digit coordinates
    ]
    expected = Template(BARS).render(Context({"t": {"bars": bars}}))
    assert str(timeline_bars(bars)) == expected
    assert "&lt;b&gt;&quot;Lao&quot; &amp; &#x27;Co&#x27;&lt;/b&gt;" in expected and "url(#hatch)" in expected
    assert 'x="1012"' in expected and "vice: —" in expected and ">Brunei</text>" in expected
    assert timeline_bars([]) == ""


def test_years_say_what_the_template_said():
    years = [
        YearChair(
            year=2027,
            chairs=(HOSTILE, "Viet <Nam>"),
            vice_chair=None,
            status=Status.RECORDED,
            reason="Co-chairs & <both>",
            start=dt.date(2027, 1, 1),
            end=dt.date(2027, 12, 31),
            to_confirm=True,
        ),
        YearChair(
            year=2028,
            chairs=(),
            vice_chair="Timor-Leste <new>",
            status=Status.NONE,
            reason="",
            start=dt.date(2028, 3, 5),
            end=dt.date(2029, 2, 4),
            vice_reason="admitted <on> 5 Mar & later",
        ),
        YearChair(
            year=2029,
            chairs=("Thailand",),
            vice_chair="Viet Nam",
            status=Status.PROVISIONAL,
            reason="Next in line",
            start=dt.date(2029, 1, 1),
            end=dt.date(2029, 12, 31),
        ),
    ]
    # Every month's name, and a year before 1000 as DateFormat pads it.
    for month in range(1, 13):
        day = dt.date(2030 + month, month, 3)
        years.append(YearChair(2030 + month, ("Thailand",), None, Status.COMPUTED, "", day, day))
    years.append(YearChair(987, (), None, Status.NONE, "", dt.date(987, 1, 1), dt.date(987, 12, 31)))
    expected = Template(YEARS).render(Context({"t": {"years": years}}))
    assert str(timeline_years(years)) == expected
    assert "to_confirm" in expected and "data-vice-reason" in expected and "&lt;new&gt;" in expected
    assert "<strong>—</strong>" in expected and "5 Mar 2028" in expected
    assert "3 Sep 2039" in expected and "1 Jan 0987" in expected
    assert timeline_years([]) == ""
