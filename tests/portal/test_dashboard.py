"""Times on the pages: the dashboard (upcoming list, month calendar, awaiting answers, action items), the
shared partial the meeting pages include, and the profile's time zone setting. Fixed clock via freezegun."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from freezegun import freeze_time

from meetings.models import ActionItem
from tests.world.clock import NOW
from tests.world.people import person_make

pytestmark = pytest.mark.django_db


@freeze_time(NOW)
def test_dashboard_shows_both_times_and_places_the_meeting_on_the_readers_day(client, zones):
    ny = person_make("fay-newyork", state=zones.states["PH"], tz="America/New_York", body=zones.body)
    zones.meeting.invitations.create(person=ny)
    client.force_login(ny.user)
    html = client.get("/?month=2026-05").content.decode()
    assert "Mon 4 May 2026, 09:00–17:00 Jakarta time (UTC+7)" in html
    assert "Sun 3 May, 22:00 in your time, New York (UTC-4); ends 06:00 next day, your time" in html
    assert "Sunday 3 May 2026" in html  # listed under the reader's day
    assert '<span class="host-date">Mon 4 May in Jakarta</span>' in html
    assert "May 2026" in html and "(Mon 4 May in Jakarta)" in html  # the month calendar says it too


@freeze_time(NOW)
def test_dashboard_lists_awaiting_invitations_and_the_users_action_items(client, zones):
    ActionItem.objects.create(
        body=zones.body,
        meeting=zones.meeting,
        title="Our state's survey",
        owner_state=zones.states["PH"],
        due_date=dt.date(2026, 4, 1),
    )
    ActionItem.objects.create(
        body=zones.body,
        meeting=zones.meeting,
        title="Someone else's task",
        owner_state=zones.states["MM"],
        due_date=dt.date(2026, 4, 1),
    )
    ActionItem.objects.create(
        body=zones.body, meeting=zones.meeting, title="My own note", owner_person=zones.people.manila
    )
    client.force_login(zones.people.manila.user)
    html = client.get("/").content.decode()
    awaiting = html.split('id="awaiting"')[1].split("</section>")[0]
    assert f'data-meeting="{zones.meeting.pk}"' in awaiting and 'value="accept"' in awaiting
    actions = html.split('id="actions"')[1].split("</section>")[0]
    assert "Our state&#x27;s survey" in actions and "My own note" in actions
    assert "Someone else" not in actions
    # The owner column names the person when there is one, else the state.
    assert f"<td>{zones.states['PH'].short_name}</td>" in actions
    assert f"<td>{zones.people.manila.full_name}</td>" in actions


@freeze_time(NOW)
def test_the_partial_says_host_time_and_the_readers_when_it_differs(zones):
    request = RequestFactory().get("/")
    request.user = zones.people.yangon.user
    html = render_to_string("meetings/_meeting_time.html", {"meeting": zones.meeting, "request": request})
    assert '<span class="time-host">Mon 4 May 2026, 09:00–17:00 Jakarta time (UTC+7)</span>' in html
    assert '<span class="time-local">08:30–16:30 in your time, Nay Pyi Taw (UTC+6:30)</span>' in html
    request.user = zones.people.bangkok.user
    html = render_to_string("meetings/_meeting_time.html", {"meeting": zones.meeting, "request": request})
    assert "time-local" not in html
    html = render_to_string(
        "meetings/_meeting_time.html", {"meeting": zones.meeting, "reader_tz": "Asia/Manila"}
    )
    assert "10:00–18:00 in your time, Manila (UTC+8)" in html


@freeze_time(NOW)
def test_dashboard_queries_do_not_grow_with_meetings(client, zones):
    from meetings.models import ActionItem as AI
    from tests.world.clock import at
    from tests.world.meetings import invite, meeting_row

    client.force_login(zones.people.manila.user)
    client.get("/")  # the feed token is made on the first visit

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/?month=2026-05").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for day in range(5, 20):
        m = meeting_row(
            zones.body, host=zones.states["ID"], start=at(2026, 5, day, 9), end=at(2026, 5, day, 17)
        )
        invite(m, [zones.people.manila])
        AI.objects.create(body=zones.body, meeting=m, title=f"Task {day}", owner_person=zones.people.manila)
    assert count() == few
