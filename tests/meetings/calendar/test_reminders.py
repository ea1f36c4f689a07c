"""Reminders that never fire stale (docs/decisions/0017), on fixed clocks. Each scenario asserts exactly which
notifications go out, to whom, and with which times in them.

The meeting: Mon 4 May 2026, 09:00–17:00 Jakarta time; reminders 30, 7 and 1 days before; chasers 14 and
5 days before; agenda 14 days before. Confirmed on Mon 2 March 2026.
"""

from __future__ import annotations

import pytest

from meetings.calendar.kinds import Kind
from meetings.calendar.tasks import meeting_version_plan
from meetings.models import Invitation
from outbox.models import Message
from tests.world.calendar import move, postpone, redate, zones_scene
from tests.world.clock import NOW, at, clock
from tests.world.mail import calendar_part, deliver, outgoing, text_part

pytestmark = pytest.mark.django_db
Status = Message.Status


def kinds(messages) -> list[tuple[str, str]]:
    """(kind, recipient) of sent messages, read back from their notification key header."""
    rows = Message.objects.filter(key__in=[m.extra_headers["X-ACCMSME-Notification"] for m in messages])
    assert rows.count() == len(messages)
    return outgoing(rows)


def each(w, kind) -> list[tuple[str, str]]:
    return sorted((kind, p.email) for p in w.everyone)


def test_confirmed_meeting_plans_its_version_and_sends_only_invites_now():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    planned = Message.objects.filter(meeting_notice__person=w.people.manila)
    due = {(r.kind, r.key.rsplit(".", 1)[-1]): r.due_at for r in planned if r.kind != Kind.INVITE}
    assert due == {
        (Kind.REMINDER, "d30"): at(2026, 4, 4, 9),
        (Kind.REMINDER, "d7"): at(2026, 4, 27, 9),
        (Kind.REMINDER, "d1"): at(2026, 5, 3, 9),
        (Kind.CHASER, "d14"): at(2026, 4, 20, 9),
        (Kind.CHASER, "d5"): at(2026, 4, 29, 9),
        (Kind.AGENDA, "d14"): at(2026, 4, 20, 9),
    }
    assert set(planned.values_list("meeting_notice__sequence", flat=True)) == {w.meeting.sequence}
    assert kinds(deliver(NOW)) == each(w, Kind.INVITE)
    assert deliver(at(2026, 4, 4, 8, 59)) == []
    sent = deliver(at(2026, 4, 4, 9))
    assert kinds(sent) == each(w, Kind.REMINDER)
    manila = next(m for m in sent if m.to == [w.people.manila.email])
    assert manila.subject == "Reminder: 21st ACCMSME Meeting in 30 days"
    assert "Mon 4 May 2026, 09:00–17:00 Jakarta time (UTC+7)" in text_part(manila)
    assert "10:00–18:00 in your time, Manila (UTC+8)" in text_part(manila)


def test_chasers_go_only_to_those_who_have_not_answered_and_reminders_not_to_those_who_declined():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW)
    Invitation.objects.filter(person=w.people.manila).update(partstat="ACCEPTED")
    Invitation.objects.filter(person=w.people.yangon).update(partstat="DECLINED")
    reminded = deliver(at(2026, 4, 4, 9))  # 30-day reminders, but not to someone who declined
    assert kinds(reminded) == sorted((Kind.REMINDER, p.email) for p in w.everyone if p != w.people.yangon)
    sent = deliver(at(2026, 4, 20, 9))  # 14-day chasers; the agenda finds nothing circulated
    assert kinds(sent) == sorted(
        (Kind.CHASER, p.email) for p in w.everyone if p not in (w.people.manila, w.people.yangon)
    )
    skipped = Message.objects.get(
        meeting_notice__person=w.people.manila, kind=Kind.CHASER, key__endswith="d14"
    )
    assert (skipped.status, skipped.note) == (Status.SKIPPED, "already answered (accepted)")
    agenda = Message.objects.filter(kind=Kind.AGENDA, status=Status.SKIPPED)
    assert set(agenda.values_list("note", flat=True)) == {"no agenda circulated yet"}


def test_meeting_moved_closer_so_its_7_day_reminder_is_already_past():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW)
    deliver(at(2026, 4, 4, 9))  # the 30-day reminder of version 2 went out
    on_10_april = at(2026, 4, 10, 9)
    old_sequence = w.meeting.sequence
    move(w.meeting, at(2026, 4, 14, 9), at(2026, 4, 14, 17), now=on_10_april)

    sent = deliver(on_10_april)
    # Exactly: the update, and one "coming up" notice instead of the 7-day reminder whose moment passed.
    assert kinds(sent) == sorted(each(w, Kind.UPDATE) + each(w, Kind.COMING_UP))
    manila = {
        m.extra_headers["X-ACCMSME-Notification"].split(":")[0]: m
        for m in sent
        if m.to == [w.people.manila.email]
    }
    assert manila["request"].subject == "Updated: 21st ACCMSME Meeting, Tue 14 Apr 2026"
    assert manila["coming_up"].subject == "Coming up: 21st ACCMSME Meeting in 4 days"
    for message in manila.values():
        assert "Tue 14 Apr 2026, 09:00–17:00 Jakarta time (UTC+7)" in text_part(message)
        assert "10:00–18:00 in your time, Manila (UTC+8)" in text_part(message)
        assert "4 May" not in text_part(message)
    params, body = calendar_part(manila["request"])
    assert params["method"] == "REQUEST" and "DTSTART;TZID=Asia/Jakarta:20260414T090000" in body

    row = lambda kind, days: Message.objects.get(  # noqa: E731
        meeting_notice__person=w.people.manila,
        kind=kind,
        meeting_notice__sequence=w.meeting.sequence,
        key__endswith=f"d{days}",
    )
    assert row(Kind.REMINDER, 30).status == Status.SKIPPED
    assert "already sent for an earlier version" in row(Kind.REMINDER, 30).note
    assert row(Kind.REMINDER, 7).status == Status.SKIPPED and "coming-up" in row(Kind.REMINDER, 7).note
    assert row(Kind.REMINDER, 1).due_at == at(2026, 4, 13, 9)
    assert row(Kind.CHASER, 14).status == Status.SKIPPED and "policy skip" in row(Kind.CHASER, 14).note
    # The old version's reminders are cancelled, with why, and never sent.
    old = Message.objects.filter(
        meeting_notice__sequence=old_sequence, kind=Kind.REMINDER, status=Status.CANCELLED
    )
    assert old.count() == 2 * len(w.everyone)  # the 7- and 1-day ones
    assert set(old.values_list("note", flat=True)) == {
        f"superseded: meeting is now version {w.meeting.sequence}"
    }
    assert kinds(deliver(at(2026, 4, 13, 9))) == each(w, Kind.REMINDER)
    assert deliver(at(2026, 4, 27, 9)) == [] and deliver(at(2026, 5, 3, 9)) == []


def test_late_policy_skip_records_why_and_sends_no_coming_up(settings):
    settings.NOTIFICATION_LATE_POLICY = {**settings.NOTIFICATION_LATE_POLICY, "reminder": "skip"}
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW)
    move(w.meeting, at(2026, 3, 6, 9), at(2026, 3, 6, 17))  # in 4 days: the 30- and 7-day moments passed
    assert kinds(deliver(NOW)) == each(w, Kind.UPDATE)
    skipped = Message.objects.filter(
        kind=Kind.REMINDER, meeting_notice__sequence=w.meeting.sequence, status=Status.SKIPPED
    )
    assert skipped.count() == 2 * len(w.everyone)
    assert all("skipped (policy skip)" in note for note in skipped.values_list("note", flat=True))
    assert kinds(deliver(at(2026, 3, 5, 9))) == each(w, Kind.REMINDER)


def test_invited_late_gets_the_invitation_and_no_surprise_reminder():
    w = zones_scene()
    w.meeting.start, w.meeting.end = at(2026, 3, 5, 9), at(2026, 3, 5, 17)
    w.meeting.save()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    assert kinds(deliver(NOW)) == each(w, Kind.INVITE)
    notes = set(
        Message.objects.filter(kind=Kind.REMINDER, status=Status.SKIPPED).values_list("note", flat=True)
    )
    assert notes and all("the invitation itself says when" in n for n in notes)
    assert kinds(deliver(at(2026, 3, 4, 9))) == each(w, Kind.REMINDER)


def test_meeting_moved_into_the_past_sends_nothing():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW)
    move(w.meeting, at(2026, 2, 23, 9), at(2026, 2, 23, 17))  # a correction of the record: it was last week
    assert deliver(NOW) == []
    rows = Message.objects.filter(meeting_notice__sequence=w.meeting.sequence)
    assert set(rows.values_list("kind", "status", "note")) == {
        (Kind.UPDATE, Status.SKIPPED, "meeting is in the past")
    }
    assert not Message.objects.filter(status=Status.PLANNED).exists()
    for later in (at(2026, 4, 4, 9), at(2026, 4, 27, 9), at(2026, 5, 3, 9)):
        assert deliver(later) == []


def test_meeting_postponed_then_redated_plans_afresh():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW)
    on_10_march = at(2026, 3, 10, 9)
    postpone(w.meeting, now=on_10_march)
    assert kinds(deliver(on_10_march)) == each(w, Kind.CANCEL)
    assert not Message.objects.filter(status=Status.PLANNED).exists()
    assert deliver(at(2026, 4, 4, 9)) == []  # the old 30-day reminder never fires

    on_20_march = at(2026, 3, 20, 9)
    redate(w.meeting, at(2026, 6, 8, 9), at(2026, 6, 8, 17), now=on_20_march)
    sent = deliver(on_20_march)
    # After a CANCEL the calendar entry is gone: a fresh invitation, same UID, higher SEQUENCE.
    assert kinds(sent) == each(w, Kind.INVITE)
    manila = next(m for m in sent if m.to == [w.people.manila.email])
    assert "Mon 8 Jun 2026, 09:00–17:00 Jakarta time (UTC+7)" in text_part(manila)
    assert f"SEQUENCE:{w.meeting.sequence}" in calendar_part(manila)[1]
    for old_moment in (at(2026, 4, 27, 9), at(2026, 5, 3, 9)):
        assert deliver(old_moment) == []
    assert kinds(deliver(at(2026, 5, 9, 9))) == each(w, Kind.REMINDER)
    assert kinds(deliver(at(2026, 5, 25, 9))) == each(w, Kind.CHASER)
    sent = deliver(at(2026, 6, 1, 9))
    assert kinds(sent) == each(w, Kind.REMINDER)
    reminder = next(m for m in sent if m.to == [w.people.manila.email])
    assert reminder.subject == "Reminder: 21st ACCMSME Meeting in 7 days"
    assert "Mon 8 Jun 2026, 09:00–17:00 Jakarta time (UTC+7)" in text_part(reminder)


def test_meeting_moved_across_a_daylight_saving_change_of_readers_in_brussels_and_new_york():
    w = zones_scene()
    from tests.world.people import person_make

    new_york = person_make("fay-newyork", state=w.states["PH"], tz="America/New_York", body=w.body)
    w.meeting.invitations.create(person=new_york)
    w.everyone.append(new_york)
    # Fri 6 March, before Europe and the US move their clocks (US: 8 March; Europe: 29 March).
    w.meeting.start, w.meeting.end = at(2026, 3, 6, 9), at(2026, 3, 6, 17)
    w.meeting.save()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    first = {m.to[0]: text_part(m) for m in deliver(NOW)}
    assert "03:00–11:00 in your time, Brussels (UTC+1)" in first[w.people.brussels.email]
    assert (
        "Thu 5 Mar, 21:00 in your time, New York (UTC-5); ends 05:00 next day, your time"
        in first[new_york.email]
    )
    # Moved four weeks on, to Fri 3 April: both readers are now on summer time, Jakarta is not.
    move(w.meeting, at(2026, 4, 3, 9), at(2026, 4, 3, 17))
    sent = deliver(NOW)
    assert kinds(sent) == each(w, Kind.UPDATE)
    second = {m.to[0]: m for m in sent}
    assert "Fri 3 Apr 2026, 09:00–17:00 Jakarta time (UTC+7)" in text_part(second[w.people.brussels.email])
    assert "04:00–12:00 in your time, Brussels (UTC+2)" in text_part(second[w.people.brussels.email])
    assert "Thu 2 Apr, 22:00 in your time, New York (UTC-4); ends 06:00 next day, your time" in text_part(
        second[new_york.email]
    )
    # The calendar file keeps the host's zone; the reader's client does the conversion.
    params, body = calendar_part(second[w.people.brussels.email])
    assert "DTSTART;TZID=Asia/Jakarta:20260403T090000" in body
    assert kinds(deliver(at(2026, 3, 4, 9))) == each(w, Kind.REMINDER)  # 30 days before
    assert kinds(deliver(at(2026, 3, 20, 9))) == each(w, Kind.CHASER)  # 14 days before
    reminders = deliver(at(2026, 3, 27, 9))  # 7 days before, 09:00 in Jakarta
    assert kinds(reminders) == each(w, Kind.REMINDER)
    assert all(m.subject == "Reminder: 21st ACCMSME Meeting in 7 days" for m in reminders)


def test_withdrawn_invitee_gets_a_cancel_and_no_reminders():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW)
    from tests.world.calendar import withdraw

    withdraw(w.meeting.invitations.get(person=w.people.yangon))
    assert kinds(deliver(NOW)) == [(Kind.CANCEL, w.people.yangon.email)]
    sent = deliver(at(2026, 4, 4, 9))
    assert w.people.yangon.email not in {m.to[0] for m in sent}
    assert len(sent) == len(w.everyone) - 1


def test_the_record_sides_services_call_these_hooks(django_capture_on_commit_callbacks, monkeypatch):
    """Wiring: confirm, move and postpone through meetings/services.py; its after-commit hooks plan and
    queue the sends, which a worker (here: this process) then sends."""
    from django.core import mail
    from freezegun import freeze_time

    from meetings import services
    from outbox import tasks as outbox_tasks
    from outbox.sending import send_batch

    queued: list[list[int]] = []
    monkeypatch.setattr(outbox_tasks.send_messages, "apply_async", lambda args, **o: queued.append(args[0]))

    def work() -> list:
        before = len(mail.outbox)
        while queued:
            send_batch(queued.pop(0), now=NOW)
        return mail.outbox[before:]

    w = zones_scene()
    w.meeting.status, w.meeting.sequence = "planned", 0
    w.meeting.save()
    with freeze_time(NOW):
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_confirm(meeting=w.meeting)
        assert kinds(work()) == each(w, Kind.INVITE)
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_update(
                meeting=w.meeting, data={"start": at(2026, 5, 5, 9), "end": at(2026, 5, 5, 17)}
            )
        assert kinds(work()) == each(w, Kind.UPDATE)
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_postpone(meeting=w.meeting)
        assert kinds(work()) == each(w, Kind.CANCEL)
        assert not Message.objects.filter(status=Status.PLANNED).exists()
