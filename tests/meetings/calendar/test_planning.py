"""Planning a meeting version's messages: invitations first, then reminders, made good by the sweep."""

from __future__ import annotations

import datetime as dt

import pytest

from meetings.calendar import changes
from meetings.calendar import tasks as calendar_tasks
from meetings.calendar.kinds import Kind
from meetings.calendar.tasks import meeting_version_plan
from meetings.models import Meeting
from outbox.models import Message
from outbox.tasks import sweep
from tests.world.calendar import zones_scene
from tests.world.clock import NOW, clock
from tests.world.mail import deliver

pytestmark = pytest.mark.django_db
Status = Message.Status


def test_a_lost_hook_is_made_good_by_the_sweep(queued):
    """The process died between the commit and the hook: the sweep finds the unplanned version."""
    w = zones_scene()
    with clock(NOW):
        assert sweep().reconciled == 1  # confirmed, invitees, no REQUEST for its version
        assert Message.objects.filter(kind=Kind.INVITE).count() == len(w.everyone)
        assert sweep().reconciled == 0
    deliver(NOW + dt.timedelta(hours=1))  # the leased rows are sent after the lease
    assert Message.objects.filter(kind=Kind.INVITE, status=Status.SENT).count() == len(w.everyone)
    # Cancelled, and the hook lost again: the people holding the invitation still get their CANCEL.
    w.meeting.status = "cancelled"
    w.meeting.sequence += 1
    w.meeting.save()
    with clock(NOW):
        assert sweep().reconciled == 1
        assert Message.objects.filter(kind=Kind.CANCEL).count() == len(w.everyone)
        assert sweep().reconciled == 0


def test_a_long_list_is_planned_by_a_worker(monkeypatch, settings):
    settings.NOTIFY_PLAN_INLINE_MAX = 3
    planned = []
    monkeypatch.setattr(
        calendar_tasks.plan_meeting_version, "apply_async", lambda args, **o: planned.append(args)
    )
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    assert planned == [[w.meeting.pk]] and not Message.objects.exists()
    notices = []
    monkeypatch.setattr(
        calendar_tasks.plan_meeting_notices, "apply_async", lambda args, **o: notices.append(args)
    )
    with clock(NOW):
        calendar_tasks.plan_meeting_version(w.meeting.pk)  # what the worker runs
    assert Message.objects.filter(kind=Kind.INVITE).count() == len(w.everyone)
    # The reminders are planned by a task queued behind the invitations' sends.
    assert notices == [[w.meeting.pk, w.meeting.sequence]]
    assert not Message.objects.filter(kind=Kind.REMINDER).exists()
    with clock(NOW):
        calendar_tasks.plan_meeting_notices(*notices[0])
    assert Message.objects.filter(kind=Kind.REMINDER).count() > 0


@pytest.mark.django_db(transaction=True)  # real commits: each step's hand-out runs when it commits
def test_invitations_go_to_workers_before_the_reminders_are_planned(queued, monkeypatch):
    """A list of thousands is not held back by weeks-ahead reminders: step one commits and hands out the
    invitations; step two plans the rest."""
    w = zones_scene()
    seen = []
    plan_notices = changes.plan_notices

    def spy(*args, **kwargs):
        handed = sum(len(batch) for batch, _ in queued)
        seen.append((handed, Message.objects.filter(kind=Kind.REMINDER).count()))
        return plan_notices(*args, **kwargs)

    monkeypatch.setattr(changes, "plan_notices", spy)
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    assert seen == [(len(w.everyone), 0)]
    assert Message.objects.filter(kind=Kind.REMINDER).count() > 0
    w.meeting.refresh_from_db()
    assert w.meeting.notices_planned_for == w.meeting.sequence


def test_a_plan_cut_off_after_the_invitations_is_finished_by_the_sweep(queued, monkeypatch):
    """The worker died between the two steps: invitations planned, reminders not. The sweep sees the
    version without its notices and plans them, once."""
    w = zones_scene()
    monkeypatch.setattr(changes, "plan_notices", lambda *a, **k: [])
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    monkeypatch.undo()
    assert Message.objects.filter(kind=Kind.INVITE).count() == len(w.everyone)
    assert not Message.objects.filter(kind=Kind.REMINDER).exists()
    with clock(NOW):
        assert sweep().reconciled == 1
    reminders = Message.objects.filter(kind=Kind.REMINDER).count()
    assert reminders > 0
    assert Message.objects.filter(kind=Kind.INVITE).count() == len(w.everyone)  # nothing twice
    with clock(NOW):
        assert sweep().reconciled == 0
    assert Message.objects.filter(kind=Kind.REMINDER).count() == reminders


def test_a_newer_version_wins_over_a_late_second_step(queued):
    """Step two of version n arriving after the meeting moved to version n+1 plans nothing for n."""
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    old = w.meeting.sequence
    Meeting.objects.filter(pk=w.meeting.pk).update(sequence=old + 1)
    assert changes.plan_notices(w.meeting.pk, old, NOW) == []
    assert changes.plan_notices(w.meeting.pk, old + 1, NOW)  # the live version plans
