"""Notification preferences: who opts out of a reminder kind never receives it, a digest reader gets one
message a day, the alarm in invitations is theirs to drop, and the Secretariat sees what each will get."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from meetings.calendar.preferences import digests_plan, preference_save
from meetings.calendar.tasks import meeting_version_plan
from meetings.models import DigestNotice
from outbox.models import Message
from tests.world.build import client_as
from tests.world.calendar import zones_scene
from tests.world.clock import NOW, at, clock
from tests.world.mail import calendar_part, deliver
from tests.world.people import user_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued")]
# Reminders 7 and 1 days before, chasers 7 days before: two notices fall due on one day.
DUE = [at(2026, 4, 27, 9), at(2026, 5, 3, 9)]


def scene():
    w = zones_scene()
    w.body.reminder_days, w.body.chaser_days = [7, 1], [7]
    w.body.save()
    return w


def plan_and_invite(w) -> dict:
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    return {m.to[0]: m for m in deliver(NOW + dt.timedelta(minutes=1))}


def subjects_by_person(messages) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in messages:
        out.setdefault(m.to[0], []).append(m.subject.split(":")[0])
    return out


def test_who_opts_out_of_a_kind_never_receives_it_and_the_alarm_is_theirs():
    w = scene()
    manila, yangon = w.people.manila, w.people.yangon
    preference_save(person=manila, reminders=False, chasers=True, delivery="immediate", alarm=False)
    preference_save(person=yangon, reminders=True, chasers=False, delivery="immediate", alarm=True)
    invites = plan_and_invite(w)
    alarms = {
        email: len(list(Calendar.from_ical(calendar_part(m)[1]).walk("VALARM")))
        for email, m in invites.items()
    }
    assert alarms[manila.email] == 0 and alarms[yangon.email] == 1 and alarms[w.people.jakarta.email] == 1
    got: dict[str, list[str]] = {}
    for moment in DUE:
        for email, subjects in subjects_by_person(deliver(moment)).items():
            got.setdefault(email, []).extend(subjects)
    assert sorted(got[manila.email]) == ["Please reply"]  # no reminder at all
    assert sorted(got[yangon.email]) == ["Reminder", "Reminder"]  # no chaser
    assert sorted(got[w.people.jakarta.email]) == ["Please reply", "Reminder", "Reminder"]
    notes = set(Message.objects.filter(recipient=manila.email, kind="reminder").values_list("status", "note"))
    assert notes == {("skipped", "opted out of reminders")}


def test_a_digest_reader_gets_one_message_a_day():
    w = scene()
    bangkok = w.people.bangkok
    preference_save(person=bangkok, reminders=True, chasers=True, delivery="digest", alarm=True)
    plan_and_invite(w)
    for moment in DUE:
        sent = subjects_by_person(deliver(moment))
        assert bangkok.email not in sent  # held, not sent one by one
        assert sent[w.people.jakarta.email]  # the others get theirs as they fall due
    # The next morning the sweep writes one digest for each day something was held; writing again adds none.
    with clock(at(2026, 5, 4, 6)):
        assert digests_plan(now=at(2026, 5, 4, 6)) == 1  # for 3 May (27 April's day has passed unplanned)
        assert digests_plan(now=at(2026, 5, 4, 6, 30)) == 0
    assert digests_plan(now=at(2026, 4, 28, 6)) == 1  # a sweep on 28 April gathers 27 April
    assert DigestNotice.objects.filter(person=bangkok).count() == 2
    digests = [m for m in deliver(at(2026, 5, 4, 7)) if m.to == [bangkok.email]]
    assert sorted(m.subject for m in digests) == [
        "Your daily digest: 1 notice, Sun 3 May 2026",
        "Your daily digest: 2 notices, Mon 27 Apr 2026",
    ]
    both = next(m for m in digests if "2 notices" in m.subject).body
    assert "- Reminder: 21st ACCMSME Meeting (7 days before)" in both
    assert "- RSVP chaser: 21st ACCMSME Meeting (7 days before)" in both


def test_the_secretariat_sees_what_each_person_will_receive(client):
    w = scene()
    preference_save(person=w.people.manila, reminders=False, chasers=False, delivery="immediate", alarm=False)
    preference_save(person=w.people.bangkok, reminders=True, chasers=True, delivery="digest", alarm=True)
    sec = user_make("secretariat", secretariat=True)
    page = client_as(sec).get("/calendar/notifications/everyone/").content.decode()
    assert "invitations and updates at once; no reminders; no alarm" in page
    assert "reminders and reply reminders in one daily digest; an alarm in the calendar entry" in page
    assert "reminders and reply reminders as they fall due" in page  # everyone else: the default
    assert client_as(w.people.jakarta.user).get("/calendar/notifications/everyone/").status_code == 403
    # A person sets their own.
    own = client_as(w.people.jakarta.user)
    r = own.post("/calendar/notifications/", {"chasers": "on", "delivery": "digest", "alarm": "on"})
    assert r.status_code == 302
    page = own.get("/calendar/notifications/").content.decode()
    assert "You receive: invitations and updates at once; reply reminders in one daily digest" in page


def test_each_reminder_day_can_be_chosen_on_its_own_and_the_sending_obeys():
    """Reminders 7 and 1 days before: one person drops the 7-day one, one wants only the day-before one
    though reminders are off, one takes the 7-day one in the digest and the day-before one at once."""
    w = scene()
    manila, yangon, bangkok = w.people.manila, w.people.yangon, w.people.bangkok
    general = dict(chasers=False, delivery="immediate", alarm=True)
    preference_save(person=manila, reminders=True, reminder_days={7: "off"}, **general)
    preference_save(person=bangkok, reminders=False, reminder_days={1: "immediate"}, **general)
    preference_save(person=yangon, reminders=True, reminder_days={"7": "digest"}, **general)
    plan_and_invite(w)
    got: dict[str, list[str]] = {}
    for moment in DUE:
        for m in deliver(moment):
            got.setdefault(m.to[0], []).append(m.subject)
    title = "21st ACCMSME Meeting"
    assert got[manila.email] == [f"Reminder: {title} tomorrow"]
    assert got[bangkok.email] == [f"Reminder: {title} tomorrow"]
    assert got[yangon.email] == [f"Reminder: {title} tomorrow"]
    # No choice made: both reminders and the chaser.
    assert sorted(s.split(":")[0] for s in got[w.people.jakarta.email]) == ["Please reply", *["Reminder"] * 2]
    notes = dict(
        Message.objects.filter(recipient=manila.email, kind="reminder").values_list("status", "note")
    )
    assert notes["skipped"] == "opted out of the 7-day reminder"
    # The 7-day one held for Yangon comes in the next day's digest, though Yangon is no digest reader.
    assert digests_plan(now=at(2026, 4, 28, 6)) == 1
    (digest,) = [m for m in deliver(at(2026, 4, 28, 7)) if m.to == [yangon.email]]
    assert "- Reminder: 21st ACCMSME Meeting (7 days before)" in digest.body
    assert DigestNotice.objects.get().person == yangon


def test_the_page_offers_each_reminder_day_and_the_secretariat_sees_the_choice():
    w = scene()
    own = client_as(w.people.jakarta.user)
    page = own.get("/calendar/notifications/").content.decode()
    assert "The reminder 7 days before" in page and "The reminder the day before" in page
    r = own.post(
        "/calendar/notifications/",
        {"reminders": "on", "delivery": "immediate", "alarm": "on", "day_7": "digest", "day_1": ""},
    )
    assert r.status_code == 302
    pref = w.people.jakarta.notification_preference
    pref.refresh_from_db()
    assert pref.reminder_days == {"7": "digest"}
    page = own.get("/calendar/notifications/").content.decode()
    assert "the reminder 7 days before in the daily digest" in page
    assert 'value="digest" selected' in page  # the page shows the choice it saved
    assert (
        own.post("/calendar/notifications/", {"delivery": "immediate", "day_7": "weekly"}).status_code == 200
    )
    pref.refresh_from_db()
    assert pref.reminder_days == {"7": "digest"}  # a choice not offered is refused, nothing saved
    sec = user_make("secretariat", secretariat=True)
    overview = client_as(sec).get("/calendar/notifications/everyone/").content.decode()
    assert "the reminder 7 days before in the daily digest" in overview


def test_the_menu_links_to_the_notifications_page_for_those_who_have_one():
    delegate = user_make("delegate-ph")
    page = client_as(delegate).get("/calendar/notifications/").content.decode()
    assert 'id="nav-notifications"' in page and 'href="/calendar/notifications/"' in page
    # An account with no person (an administrator's) has no notifications page: no link to a 404.
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_user(username="admin-only", email="admin@example.org")
    page = client_as(admin).get("/profile/").content.decode()
    assert client_as(admin).get("/calendar/notifications/").status_code == 404
    assert 'id="nav-notifications"' not in page and "Log out" in page
