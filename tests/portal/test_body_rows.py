"""The body page's member and meeting rows, written in Python for speed (issue 21), say exactly what the
template said: the template markup they replaced is the reference, with hostile text in every field."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.utils import timezone

from governance.models import Membership, MemberState, Person
from meetings.models import Meeting
from portal.body_rows import meeting_rows, member_rows

UTC = dt.UTC

# The markup portal/body_detail.html wrote before the rows moved to Python.
MEMBERS = """{% for state, ms in page.members_by_state %}
  <tr><td>{{ state }}</td><td>{% for m in ms %}{{ m.person }} <span class="muted small">({{ m.get_role_display }})</span>{% if not forloop.last %}<br>{% endif %}{% endfor %}</td></tr>
  {% endfor %}"""  # noqa: E501
MEETINGS = """{% for m in meetings %}
  <tr><td><a href="{{ m.get_absolute_url }}">{{ m.title }}</a></td>
      <td>{% if m.date_precision == "month" %}{{ m.start|date:"F Y" }}{% else %}{{ m.start|date:"j M Y" }}{% endif %}</td>
      <td>{{ m.city }}{% if m.host %}, {{ m.host }}{% endif %}</td><td><span class="badge {{ m.status }}">{{ m.get_status_display }}</span></td></tr>
  {% endfor %}"""  # noqa: E501


def test_member_rows_say_what_the_template_said():
    members = {
        "Lao <PDR> & 'Co'": [
            ('Dr "A" <b>', Membership.Role.HEAD_OF_DELEGATION),
            ("B & C", Membership.Role.FOCAL_POINT),
        ],
        "ASEAN <Sec>": [("Ms <D>", Membership.Role.SECRETARIAT)],
    }
    # The template read memberships; the rows read (name, role) pairs of the same people.
    as_models = [
        (state, [Membership(person=Person(full_name=name), role=role) for name, role in ms])
        for state, ms in members.items()
    ]
    expected = Template(MEMBERS).render(Context({"page": {"members_by_state": as_models}}))
    assert str(member_rows(list(members.items()))) == expected
    assert "Lao &lt;PDR&gt; &amp; &#x27;Co&#x27;" in expected and "(Head of delegation)" in expected
    assert "<br>" in expected and "Secretariat officer" in expected
    assert member_rows([]) == ""


def _meeting(pk: int, **kw) -> Meeting:
    values = {"title": f"Meeting <{pk}> & 'co'", "city": 'Bali "<&>"', "status": Meeting.Status.CONFIRMED}
    return Meeting(pk=pk, **{**values, **kw})


def test_meeting_rows_say_what_the_template_said():
    meetings = [
        # Late in the evening in UTC: the day shown is the next one in Jakarta, as the template's filter did.
        _meeting(
            3, start=dt.datetime(2027, 3, 1, 20, 0, tzinfo=UTC), host=MemberState(short_name="Viet <Nam>")
        ),
        _meeting(4, start=dt.datetime(2027, 12, 31, 18, 0, tzinfo=UTC), date_precision="month"),
        _meeting(12345, start=dt.datetime(2026, 1, 5, 3, 0, tzinfo=UTC), status=Meeting.Status.CANCELLED),
    ]
    # Every month's name, by day and by month only; a year before 1000 as DateFormat pads it.
    for month in range(1, 13):
        start = dt.datetime(2028, month, 9, 6, 0, tzinfo=UTC)
        meetings.append(_meeting(100 + month, start=start, status=Meeting.Status.HELD))
        meetings.append(_meeting(200 + month, start=start, date_precision="month"))
    meetings.append(_meeting(300, start=dt.datetime(987, 6, 1, 6, 0, tzinfo=UTC)))
    for zone in ("Asia/Jakarta", "Europe/Brussels", "UTC"):
        with timezone.override(zone):
            expected = Template(MEETINGS).render(Context({"meetings": meetings}))
            assert str(meeting_rows(meetings)) == expected
    assert 'href="/meetings/12345/"' in expected and "Viet &lt;Nam&gt;" in expected
    assert "December 2027" in expected and "Meeting &lt;3&gt; &amp; &#x27;co&#x27;" in expected
    assert "9 Sep 2028" in expected and "May 2028" in expected and "1 Jun 0987" in expected
    assert meeting_rows([]) == ""
