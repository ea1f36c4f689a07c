"""A circulated agenda by mail and on the page: item times in host time and the reader's time."""

from __future__ import annotations

import pytest

from meetings.calendar import changes
from meetings.calendar.kinds import Kind
from meetings.calendar.tasks import meeting_version_plan
from meetings.models import AgendaItem, AgendaVersion
from outbox.models import Message
from tests.world.calendar import zones_scene
from tests.world.clock import NOW, at, clock
from tests.world.mail import deliver, text_part

pytestmark = pytest.mark.django_db
Status = Message.Status


def test_circulated_agenda_goes_out_with_item_times_in_host_and_reader_time():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW)
    version = AgendaVersion.objects.create(
        meeting=w.meeting,
        number=1,
        items=[
            {"number": "1", "title": "Adoption of the agenda", "starts_at": at(2026, 5, 4, 9).isoformat()},
            {"number": "2", "title": "Matters arising from SEOM and AEM meetings"},
        ],
    )
    with clock(NOW):
        changes.agenda_circulation_plan(version_id=version.pk)
    sent = {m.to[0]: m for m in deliver(NOW)}
    assert set(sent) == {p.email for p in w.everyone}
    text = text_part(sent[w.people.manila.email])
    assert sent[w.people.manila.email].subject == "Agenda: 21st ACCMSME Meeting (version 1)"
    assert "1. Adoption of the agenda — 09:00 Jakarta time (10:00, your time)" in text
    assert "2. Matters arising from SEOM and AEM meetings" in text
    # 14 days before, the agenda was already circulated: the lead-time row is skipped, not sent again.
    assert [m for m in deliver(at(2026, 4, 20, 9)) if "Agenda" in m.subject] == []
    assert set(
        Message.objects.filter(kind=Kind.AGENDA, key__endswith="d14").values_list("status", "note")
    ) == {(Status.SKIPPED, "agenda version 1 already circulated")}


def test_agenda_items_keep_host_time_on_the_meeting_page_tag():
    from django.template import Context, Template

    w = zones_scene()
    item = AgendaItem.objects.create(meeting=w.meeting, title="Opening", starts_at=at(2026, 5, 4, 9, 30))
    out = Template("{% load meeting_times %}{% agenda_time item meeting True %}").render(
        Context({"item": item, "meeting": w.meeting, "reader_tz": "Asia/Yangon"})
    )
    assert out == "09:30 Jakarta time (09:00, your time)"
