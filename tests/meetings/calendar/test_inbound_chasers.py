"""Every answer a calendar can send (Accept, Decline, Tentative; Delegate, which is not taken) from every
client shape (Outlook, Gmail, Apple Mail), read through the real IMAP server: no "please reply" chaser
reaches the one who answered, and it still reaches the one who did not."""

from __future__ import annotations

import datetime as dt

import pytest

from meetings.calendar.inbound import inbox_read
from meetings.calendar.tasks import meeting_version_plan
from meetings.models import InboundReply, Invitation
from tests.meetings.calendar.test_inbound_imap import SHAPES, in_folder, mailbox, reply_from  # noqa: F401
from tests.world.calendar import zones_scene
from tests.world.clock import NOW, at, clock
from tests.world.mail import deliver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued")]
Outcome = InboundReply.Outcome
CHASER_DAYS = (at(2026, 4, 20), at(2026, 4, 29))  # the body's chaser moments before the 4 May meeting


def chased(sent) -> set[str]:
    return {to for m in sent if m.subject.startswith("Please reply:") for to in m.to}


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("partstat", ["ACCEPTED", "DECLINED", "TENTATIVE"])
def test_an_answer_from_a_calendar_stops_the_chaser(mailbox, shape, partstat):  # noqa: F811
    w = zones_scene()
    answers, silent = w.people.manila, w.people.yangon
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW + dt.timedelta(minutes=1))
    mailbox.append(reply_from(shape, answers, w.meeting, partstat), "INBOX")
    with clock(NOW + dt.timedelta(hours=1)):
        assert inbox_read() == {Outcome.APPLIED: 1}
    assert Invitation.objects.get(meeting=w.meeting, person=answers).partstat == partstat
    sent = [m for day in CHASER_DAYS for m in deliver(day)]
    assert answers.email not in chased(sent)
    assert silent.email in chased(sent)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_delegation_is_not_taken_so_the_chaser_still_asks(mailbox, shape):  # noqa: F811
    """DELEGATED is not an answer here (the list is the Secretariat's to change): the reply is refused and
    listed, and the delegate is still asked to answer, like anyone who has not."""
    w = zones_scene()
    delegates, silent = w.people.manila, w.people.yangon
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW + dt.timedelta(minutes=1))
    mailbox.append(reply_from(shape, delegates, w.meeting, "DELEGATED"), "INBOX")
    with clock(NOW + dt.timedelta(hours=1)):
        assert inbox_read() == {Outcome.REFUSED: 1}
    row = InboundReply.objects.get()
    assert row.reason == "PARTSTAT DELEGATED is not accepted here."
    assert len(in_folder(mailbox, "refused")) == 1
    assert Invitation.objects.get(meeting=w.meeting, person=delegates).partstat == "NEEDS-ACTION"
    sent = [m for day in CHASER_DAYS for m in deliver(day)]
    assert {delegates.email, silent.email} <= chased(sent)
