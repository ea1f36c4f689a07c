"""The meeting page's agenda and participant rows, written in Python for speed (issue 21), say exactly what
the template said: the template markup they replaced is the reference, with hostile text in every field."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template

from meetings.models import AgendaItem, Decision, Document, Invitation, Meeting
from meetings.selectors.meeting_page import AgendaRow
from meetings.times import ZoneNamer
from meetings.views.meeting_rows import agenda_rows, members_cell

UTC = dt.UTC

# The markup meetings/meeting_detail.html wrote before the rows moved to Python.
AGENDA = """{% load meeting_times %}{% for row in rows %}
  <tr class="d{{ row.depth }}" id="item-{{ row.item.pk }}">
    <td class="num">{{ row.number }}</td>
    <td class="title">{{ row.item.title }}{% if row.item.minutes_allotted %} <span class="muted small">({{ row.item.minutes_allotted }} min)</span>{% endif %}
      {% if row.item.starts_at %}<div class="small muted">{% agenda_time row.item meeting True %}</div>{% endif %}
      {% if row.item.goal_id %}<br><span class="badge">{{ row.item.goal_plan }} Goal {{ row.item.goal_code }}</span>{% endif %}
      {% if row.item.description %}<div class="desc">{{ row.item.description }}</div>{% endif %}
      {% for d in row.decisions %}<div class="small"><strong>{{ d.get_kind_display }}:</strong> {{ d.text }}</div>{% endfor %}</td>
    <td>{{ row.item.get_purpose_display }}</td>
    <td>{{ row.presenter }}</td>
    <td>{% for doc in row.documents %}<a href="{% url 'meetings:document_download' doc.pk %}">{{ doc.title }}</a>{% if not forloop.last %}<br>{% endif %}{% endfor %}</td>
  </tr>{% endfor %}"""  # noqa: E501
MEMBERS = """{% for inv in invs %}<span{% if inv.is_withdrawn %} class="muted" style="text-decoration:line-through"{% endif %}>{{ inv.person_name }}</span>{% if inv.role == "CHAIR" %} <span class="badge">chair</span>{% endif %} <span class="badge {{ inv.partstat }}">{{ inv.partstat_label }}</span>{% if not forloop.last %}<br>{% endif %}{% endfor %}"""  # noqa: E501


def _meeting() -> Meeting:
    # Two days in Jakarta: the agenda names the day of each item.
    return Meeting(
        pk=7,
        title="M",
        timezone="Asia/Jakarta",
        city="Bali <&>",
        start=dt.datetime(2027, 3, 1, 2, 0, tzinfo=UTC),
        end=dt.datetime(2027, 3, 2, 10, 0, tzinfo=UTC),
    )


def _item(pk: int, **kw) -> AgendaItem:
    item = AgendaItem(pk=pk, title=f"Item <{pk}> & co", **kw)
    item.goal_plan, item.goal_code = ("AEC <SP>", "2&") if kw.get("goal_id") else (None, None)
    return item


def test_agenda_rows_say_what_the_template_said():
    meeting = _meeting()
    full = _item(
        11,
        minutes_allotted=45,
        starts_at=dt.datetime(2027, 3, 2, 1, 30, tzinfo=UTC),
        goal_id=3,
        description='Read "this" <first>',
        purpose=AgendaItem.Purpose.DECISION,
    )
    bare = _item(12, purpose=AgendaItem.Purpose.INFORMATION)
    decisions = [
        Decision(kind=Decision.Kind.AGREED, text="Yes <b>"),
        Decision(kind=Decision.Kind.TASKED, text="Do & report"),
    ]
    docs = [Document(pk=21, title="Paper <1>"), Document(pk=22, title="Paper & 2")]
    rows = [
        AgendaRow(number="1.", depth=0, item=full, presenter="Dr <X>", documents=docs, decisions=decisions),
        AgendaRow(number="1.1", depth=1, item=bare, presenter="", documents=[]),
    ]
    for reader_tz in ("Europe/Brussels", "Asia/Jakarta", None):
        namer = ZoneNamer(labels={})
        expected = Template(AGENDA).render(
            Context({"rows": rows, "meeting": meeting, "reader_tz": reader_tz, "_zone_namer": namer})
        )
        assert "".join(agenda_rows(rows, meeting, reader_tz, namer)) == expected
    assert "&lt;1&gt;" in expected and "For decision" in expected and "AEC &lt;SP&gt; Goal 2&amp;" in expected


def test_members_cell_says_what_the_template_said():
    invs = []
    for n, (partstat, role, withdrawn) in enumerate(
        [
            (Invitation.PartStat.ACCEPTED, Invitation.Role.CHAIR, False),
            (Invitation.PartStat.DECLINED, Invitation.Role.REQUIRED, True),
            (Invitation.PartStat.NEEDS_ACTION, Invitation.Role.REQUIRED, False),
        ]
    ):
        inv = Invitation(pk=n + 1, partstat=partstat, role=role, is_withdrawn=withdrawn)
        inv.person_name = f"Ms <{n}> & Co"
        inv.partstat_label = Invitation.PartStat(partstat).label
        invs.append(inv)
    expected = Template(MEMBERS).render(Context({"invs": invs}))
    assert members_cell(invs) == expected
    assert "line-through" in expected and "chair" in expected and "&lt;0&gt;" in expected
    assert members_cell([]) == ""
