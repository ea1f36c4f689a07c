"""The "please reply" reminders follow a person's choice day by day, as the reminders do: a chaser day
dropped is never sent, a day wanted at once is sent though chasers are off, a day put in the digest comes
in the next day's digest; a reminder day's choice leaves the chaser of that day alone."""

from __future__ import annotations

import datetime as dt

import pytest

from meetings.calendar.preferences import digests_plan, preference_save
from meetings.calendar.tasks import meeting_version_plan
from outbox.models import Message
from tests.world.build import client_as
from tests.world.calendar import zones_scene
from tests.world.clock import NOW, at, clock
from tests.world.mail import deliver
from tests.world.people import user_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued")]
# Reminders and chasers 7 days and 1 day before the meeting of Mon 4 May 2026, 09:00 Jakarta.
WEEK_BEFORE, DAY_BEFORE = at(2026, 4, 27, 9), at(2026, 5, 3, 9)


def scene():
    w = zones_scene()
    w.body.reminder_days, w.body.chaser_days = [7, 1], [7, 1]
    w.body.save()
    return w


def received(w) -> dict[str, list[tuple[str, str]]]:
    """(when, subject prefix) per address, for the two moments notices fall due."""
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW + dt.timedelta(minutes=1))  # the invitations
    got: dict[str, list[tuple[str, str]]] = {}
    for name, moment in (("week", WEEK_BEFORE), ("day", DAY_BEFORE)):
        for m in deliver(moment):
            got.setdefault(m.to[0], []).append((name, m.subject.split(":")[0]))
    return got


def test_each_chaser_day_follows_its_own_choice_like_the_reminders():
    w = scene()
    p = w.people
    quiet = dict(reminders=False, delivery="immediate", alarm=True)
    preference_save(person=p.manila, chasers=True, chaser_days={7: "off"}, **quiet)
    preference_save(person=p.bangkok, chasers=False, chaser_days={1: "immediate"}, **quiet)
    preference_save(person=p.yangon, chasers=True, chaser_days={"7": "digest"}, **quiet)
    # A reminder day dropped: the chaser of that day still goes (each kind is chosen on its own).
    preference_save(
        person=p.jakarta,
        reminders=True,
        chasers=True,
        delivery="immediate",
        alarm=True,
        reminder_days={7: "off"},
    )
    got = received(w)
    assert got[p.manila.email] == [("day", "Please reply")]
    assert got[p.bangkok.email] == [("day", "Please reply")]  # chasers off, but the day before wanted
    assert got[p.yangon.email] == [("day", "Please reply")]  # the 7-day one is held for the digest
    assert sorted(got[p.jakarta.email]) == [
        ("day", "Please reply"),
        ("day", "Reminder"),
        ("week", "Please reply"),
    ]
    notes = set(Message.objects.filter(recipient=p.manila.email, kind="chaser").values_list("status", "note"))
    assert notes == {("skipped", "opted out of the 7-day reply reminder"), ("sent", "")}
    held = Message.objects.get(recipient=p.yangon.email, kind="chaser", status="skipped")
    assert held.note == "held for the daily digest"
    assert digests_plan(now=at(2026, 4, 28, 6)) == 1
    (digest,) = [m for m in deliver(at(2026, 4, 28, 7)) if m.to == [p.yangon.email]]
    assert "- RSVP chaser: 21st ACCMSME Meeting (7 days before)" in digest.body


def test_an_answer_still_stops_a_chaser_day_chosen_at_once():
    w = scene()
    p = w.people
    preference_save(
        person=p.bangkok,
        reminders=False,
        chasers=False,
        delivery="immediate",
        alarm=True,
        chaser_days={1: "immediate"},
    )
    from meetings.models import Invitation

    Invitation.objects.filter(meeting=w.meeting, person=p.bangkok).update(partstat="ACCEPTED")
    assert p.bangkok.email not in received(w)


def test_the_page_offers_each_chaser_day_and_the_secretariat_sees_the_choice():
    w = scene()
    own = client_as(w.people.jakarta.user)
    page = own.get("/calendar/notifications/").content.decode()
    assert "The &quot;please reply&quot; reminder 7 days before" in page
    assert "The &quot;please reply&quot; reminder the day before" in page
    form = {"reminders": "on", "chasers": "on", "delivery": "immediate", "alarm": "on"}
    assert (
        own.post("/calendar/notifications/", {**form, "day_7": "digest", "chase_1": "off"}).status_code == 302
    )
    pref = w.people.jakarta.notification_preference
    pref.refresh_from_db()
    assert (pref.reminder_days, pref.chaser_days) == ({"7": "digest"}, {"1": "off"})
    page = own.get("/calendar/notifications/").content.decode()
    assert (
        "the reminder 7 days before in the daily digest; the reply reminder the day before not at all" in page
    )
    assert own.post("/calendar/notifications/", {**form, "chase_1": "weekly"}).status_code == 200
    pref.refresh_from_db()
    assert pref.chaser_days == {"1": "off"}  # a choice not offered is refused, nothing saved
    sec = user_make("secretariat", secretariat=True)
    overview = client_as(sec).get("/calendar/notifications/everyone/").content.decode()
    assert "the reply reminder the day before not at all" in overview
