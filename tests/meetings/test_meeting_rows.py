"""The meeting page's agenda and participant rows, written in Python for speed (issue 21), say exactly what
the template said: the template markup they replaced is the reference, with hostile text in every field."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.utils import timezone

from governance.permissions import today_in_asean
from meetings.models import ActionItem, AgendaItem, Decision, Document, Invitation, Meeting
from meetings.selectors.documents import DocumentGroup
from meetings.selectors.meeting_page import AgendaRow
from meetings.times import ZoneNamer
from meetings.views.meeting_rows import action_rows, agenda_rows, arising_rows, document_rows, members_cell

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

DOCUMENTS = """{% for g in groups %}
  <tr><td><a href="{% url 'meetings:document_download' g.latest.pk %}">{{ g.latest.title }}</a>
        {% if g.older %}<div class="small muted">Earlier: {% for o in g.older %}<a href="{% url 'meetings:document_download' o.pk %}">v{{ o.version }}</a>{% if not forloop.last %}, {% endif %}{% endfor %}</div>{% endif %}</td>
      <td>{{ g.latest.get_kind_display }}</td><td><span class="badge">{{ g.latest.get_classification_display }}</span></td>
      <td>v{{ g.latest.version }} · {{ g.latest.uploaded_at|date:"j M Y" }}</td><td>{{ g.latest.size|filesizeformat }}</td></tr>
  {% endfor %}"""  # noqa: E501
ACTIONS = """{% load meeting_times %}{% for a in items %}
  <tr><td>{{ a.title }}{% if a.progress_note %}<div class="small muted">{{ a.progress_note }}</div>{% endif %}</td>
      <td>{{ a.owner_label }}</td>
      <td>{{ a.due_date|short_day|default:"—" }}{% if a.is_overdue %} <span class="badge overdue">Overdue</span>{% endif %}</td>
      <td><span class="badge">{{ a.get_status_display }}</span>{% if a.closed_at_title %} <span class="small muted">at the {{ a.closed_at_title }}</span>{% endif %}</td></tr>
  {% endfor %}"""  # noqa: E501
ARISING = """{% load meeting_times %}{% for a in items %}
  <tr><td>{{ a.title }}</td><td>{{ a.owner_label }}</td>
      <td>{{ a.due_date|short_day|default:"—" }}{% if a.is_overdue %} <span class="badge overdue">Overdue</span>{% endif %}</td><td>{{ a.get_status_display }}</td><td>{{ a.agreed_at }}</td></tr>
  {% endfor %}"""  # noqa: E501


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


def test_document_rows_say_what_the_template_said():
    def doc(pk: int, version: int, **kw) -> Document:
        return Document(pk=pk, title="Paper <A> & co", version=version, **kw)

    late = dt.datetime(2027, 3, 1, 20, 30, tzinfo=UTC)  # the next day in Manila
    latest = doc(
        31,
        3,
        kind=Document.Kind.WORKING_PAPER,
        classification=Document.Classification.CONFIDENTIAL,
        uploaded_at=late,
        size=1_234_567,
    )
    groups = [
        DocumentGroup(latest=latest, older=[doc(30, 2), doc(29, 1)]),
        DocumentGroup(latest=doc(40, 1, classification=Document.Classification.PUBLIC, size=0), older=[]),
    ]
    for zone in ("Asia/Manila", "UTC"):
        with timezone.override(zone):
            expected = Template(DOCUMENTS).render(Context({"groups": groups}))
            assert document_rows(groups) == expected
    assert "Earlier:" in expected and "&lt;A&gt;" in expected and "Confidential" in expected
    assert document_rows([]) == ""


def test_action_rows_say_what_the_template_said():
    today = today_in_asean()
    items = []
    for n, (status, due, note, closed) in enumerate(
        [
            (ActionItem.Status.OPEN, today - dt.timedelta(days=3), "Half <done> & more", None),
            (ActionItem.Status.DONE, today - dt.timedelta(days=3), "", "21st <ACCMSME>"),
            (ActionItem.Status.IN_PROGRESS, None, "", None),
            (ActionItem.Status.OPEN, today + dt.timedelta(days=3), "", None),
        ]
    ):
        a = ActionItem(pk=n + 1, title=f"Act <{n}> & co", status=status, due_date=due, progress_note=note)
        a.owner_label, a.closed_at_title, a.agreed_at = f"Viet Nam <{n}>", closed, f"20th <{n}>"
        items.append(a)
    context = Context({"items": items})
    assert action_rows(items) == Template(ACTIONS).render(context)
    expected = Template(ARISING).render(context)
    assert arising_rows(items) == expected
    assert "Overdue" in expected and "—" in expected and "&lt;0&gt;" in expected
    assert action_rows([]) == arising_rows([]) == ""
