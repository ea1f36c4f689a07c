"""A sent message keeps, on its row, the subject and plain text it went out with: a record for the
Secretariat, never what the next send is built from."""

from __future__ import annotations

import pytest

from meetings.calendar.kinds import Kind
from meetings.calendar.tasks import meeting_version_plan
from meetings.models import Invitation
from outbox.models import Message
from tests.world.calendar import withdraw, zones_scene
from tests.world.clock import NOW, clock
from tests.world.mail import deliver

pytestmark = pytest.mark.django_db
Status = Message.Status


def test_a_sent_message_keeps_what_went_out_and_a_withheld_one_keeps_nothing():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    manila = Message.objects.get(kind=Kind.INVITE, meeting_notice__person=w.people.manila)
    # A subject on a planned row is no source: the message is built from the meeting when it is sent.
    Message.objects.filter(pk=manila.pk).update(subject="Invitation: an old title", body_text="old text")
    withdraw(Invitation.objects.get(meeting=w.meeting, person=w.people.yangon))
    sent = {m.to[0]: m for m in deliver(NOW)}

    manila.refresh_from_db()
    message = sent[manila.recipient]
    assert manila.status == Status.SENT
    assert (manila.subject, manila.body_text) == (message.subject, message.body)
    assert manila.subject == f"Invitation: {w.meeting.title}, Mon 4 May 2026"
    assert w.meeting.title in manila.body_text and "old text" not in manila.body_text
    yangon = Message.objects.get(kind=Kind.INVITE, meeting_notice__person=w.people.yangon)
    assert (yangon.status, yangon.subject, yangon.body_text) == (Status.CANCELLED, "", "")
