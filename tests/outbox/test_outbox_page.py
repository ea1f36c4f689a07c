"""The outbox as files and as the Secretariat's page: one file per message id, every version shown."""

from __future__ import annotations

import email
import email.policy

import pytest
from django.urls import reverse

from meetings.calendar.kinds import Kind
from meetings.calendar.tasks import meeting_version_plan
from outbox.backends import OutboxBackend, file_name_for
from outbox.models import Message
from tests.world.calendar import zones_scene
from tests.world.clock import NOW, clock
from tests.world.mail import deliver
from tests.world.people import user_make

pytestmark = pytest.mark.django_db
Status = Message.Status


def test_outbox_backend_writes_one_file_per_message_id(tmp_path):
    from django.core.mail import EmailMessage

    backend = OutboxBackend(file_path=str(tmp_path))
    msg = EmailMessage("S", "B", "a@x.org", ["b@x.org"], headers={"Message-ID": "<abc@x.org>"})
    assert backend.send_messages([msg]) == 1
    assert backend.send_messages([msg]) == 1  # sent again after a crash: replaces its own file
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == sorted(["deliveries.log", file_name_for("<abc@x.org>")])
    assert len((tmp_path / "deliveries.log").read_text().splitlines()) == 2
    parsed = email.message_from_bytes(
        (tmp_path / file_name_for("<abc@x.org>")).read_bytes(), policy=email.policy.default
    )
    assert parsed["Subject"] == "S"


def test_outbox_page_is_the_secretariats_and_shows_versions(client, tmp_path, settings):
    settings.EMAIL_FILE_PATH = str(tmp_path)
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW)
    from django.core.mail import EmailMessage

    from outbox.models import Message as N

    OutboxBackend(file_path=str(tmp_path)).send_messages(
        [EmailMessage("Invitation: test", "B", "a@x.org", ["b@x.org"], headers={"Message-ID": "<m1@x.org>"})]
    )
    client.force_login(w.people.manila.user)
    assert client.get(reverse("outbox:index")).status_code == 403
    client.force_login(user_make("sec2", secretariat=True))
    html = client.get(reverse("outbox:index")).content.decode()
    row = N.objects.filter(kind=Kind.INVITE).first()
    assert row.key in html and f"v{w.meeting.sequence}" in html
    assert "Invitation: test" in html
    name = file_name_for("<m1@x.org>")
    raw = client.get(reverse("outbox:message", args=[name]))
    assert raw.status_code == 200 and b"Subject: Invitation: test" in raw.content
    assert client.get("/outbox/messages/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/outbox/messages/" + "0" * 40 + ".eml").status_code == 404


def test_outbox_page_narrows_to_one_meeting_and_shows_the_subject_sent(client):
    import datetime as dt
    import re

    from django.utils.html import escape

    from meetings.calendar.action_items import plan_action_item_reminders
    from meetings.models import ActionItem
    from tests.world.clock import at
    from tests.world.meetings import invite, meeting_row

    w = zones_scene()
    other = meeting_row(w.body, host=w.states["ID"], start=at(2026, 5, 11, 9), end=at(2026, 5, 11, 17))
    invite(other, [w.people.manila])
    ActionItem.objects.create(
        body=w.body,
        meeting=w.meeting,
        title="Report",
        owner_person=w.people.manila,
        due_date=dt.date(2026, 5, 20),
    )
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
        meeting_version_plan(meeting_id=other.pk)
    plan_action_item_reminders(now=at(2026, 5, 12, 9))
    deliver(NOW)
    client.force_login(user_make("sec3", secretariat=True))

    def keys(query: str) -> set[str]:
        html = client.get(reverse("outbox:index") + query).content.decode()
        return set(re.findall(r'<tr data-key="([^"]+)"', html))

    ours = Message.objects.filter(meeting_notice__meeting=w.meeting) | Message.objects.filter(
        action_item_notice__action_item__meeting=w.meeting
    )
    assert keys(f"?meeting={w.meeting.pk}") == set(ours.values_list("key", flat=True))
    assert {Kind.INVITE, Kind.ACTION_DUE} <= set(ours.values_list("kind", flat=True))
    assert keys(f"?meeting={other.pk}") == set(
        Message.objects.filter(meeting_notice__meeting=other).values_list("key", flat=True)
    )
    assert keys("?meeting=x") == set(Message.objects.values_list("key", flat=True))  # not an id: ignored
    sent = ours.filter(status=Status.SENT, kind=Kind.INVITE).first()
    html = client.get(reverse("outbox:index") + f"?meeting={w.meeting.pk}").content.decode()
    assert f'<span class="subject">{escape(sent.subject)}</span>' in html
