"""Browser journey: a delegate answers an invitation on the dashboard and finds the calendar feed link."""

from __future__ import annotations

import pytest

from meetings.models import Invitation
from tests.world.clock import JKT, upcoming_day
from tests.world.meetings import invite
from tests.world.meetings import meeting_row as make_meeting
from tests.world.people import body_make as make_body
from tests.world.people import person_make as make_person
from tests.world.people import states as make_states

pytestmark = pytest.mark.browser
PASSWORD = "a-good-password-42"


@pytest.mark.django_db(transaction=True)
def test_delegate_answers_an_invitation_on_the_dashboard_and_sees_the_feed_link(
    live_server, browser, logged_in
):
    import datetime as dt

    states = make_states()
    body = make_body()
    ben = make_person("ben-manila", state=states["PH"], body=body, password=PASSWORD)
    day = upcoming_day(30)
    meeting = make_meeting(
        body,
        host=states["ID"],
        start=dt.datetime.combine(day, dt.time(9), tzinfo=JKT),
        end=dt.datetime.combine(day, dt.time(17), tzinfo=JKT),
    )
    [invitation] = invite(meeting, [ben])

    page = browser.new_page()
    logged_in(page, "ben-manila", PASSWORD)
    row = page.locator(f"#awaiting tr[data-meeting='{meeting.pk}']")
    assert row.is_visible()
    assert "Needs action" in row.inner_text()
    row.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert "Recorded: accept" in page.locator(".messages").inner_text()
    invitation.refresh_from_db()
    assert invitation.partstat == Invitation.PartStat.ACCEPTED
    # Answered: gone from the waiting list, shown as accepted among the upcoming meetings.
    assert page.locator(f"#awaiting tr[data-meeting='{meeting.pk}']").count() == 0
    assert "Accepted" in page.locator(f"#upcoming tr[data-meeting='{meeting.pk}']").inner_text()

    feed = page.locator("#feed-webcal")
    assert feed.is_visible()
    href = feed.get_attribute("href")
    ben.refresh_from_db()
    assert href == f"webcal://127.0.0.1:8000/calendar/feed/{ben.feed_token}.ics"
    # The https form of the same address serves the feed with this meeting in it.
    response = page.request.get(f"{live_server.url}/calendar/feed/{ben.feed_token}.ics")
    assert response.ok and meeting.uid in response.text()
