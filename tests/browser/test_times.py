"""Browser journey: a delegate whose zone differs from the host's sees both times on the dashboard and on
the meeting page, and the profile offers the browser's own zone when it differs."""

from __future__ import annotations

import datetime as dt

import pytest

from governance.models import Person
from tests.world.clock import JKT, upcoming_day
from tests.world.meetings import invite
from tests.world.meetings import meeting_row as make_meeting
from tests.world.people import body_make as make_body
from tests.world.people import person_make as make_person
from tests.world.people import states as make_states

pytestmark = pytest.mark.browser
PASSWORD = "a-good-password-42"


@pytest.fixture
def yangon_delegate(transactional_db):
    states = make_states()
    body = make_body()
    cho = make_person("cho-yangon", state=states["MM"], body=body, password=PASSWORD)
    day = upcoming_day(40)
    meeting = make_meeting(
        body,
        host=states["ID"],
        start=dt.datetime.combine(day, dt.time(9), tzinfo=JKT),
        end=dt.datetime.combine(day, dt.time(17), tzinfo=JKT),
    )
    invite(meeting, [cho])
    return cho, meeting


@pytest.mark.django_db(transaction=True)
def test_delegate_in_another_zone_sees_both_times_on_dashboard_and_meeting_page(
    live_server, browser, yangon_delegate, logged_in
):
    cho, meeting = yangon_delegate
    page = browser.new_page()
    logged_in(page, "cho-yangon", PASSWORD)
    for where in (f"#upcoming tr[data-meeting='{meeting.pk}']", f"#awaiting tr[data-meeting='{meeting.pk}']"):
        cell = page.locator(where).locator(".meeting-time")
        assert "09:00–17:00 Jakarta time (UTC+7)" in cell.locator(".time-host").inner_text()
        assert cell.locator(".time-local").inner_text() == "08:30–16:30 in your time, Nay Pyi Taw (UTC+6:30)"
    page.click(f"#upcoming tr[data-meeting='{meeting.pk}'] a[href='/meetings/{meeting.pk}/']")
    page.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/")
    main = page.locator("main")
    assert "09:00–17:00 Jakarta time (UTC+7)" in main.locator(".time-host").first.inner_text()
    assert (
        "08:30–16:30 in your time, Nay Pyi Taw (UTC+6:30)" in main.locator(".time-local").first.inner_text()
    )
    assert "WIB" not in main.inner_text() and "MMT" not in main.inner_text()


@pytest.mark.django_db(transaction=True)
def test_profile_offers_the_browsers_zone_and_times_follow_it(
    live_server, browser, yangon_delegate, logged_in
):
    cho, meeting = yangon_delegate
    context = browser.new_context(timezone_id="Asia/Manila")
    page = context.new_page()
    logged_in(page, "cho-yangon", PASSWORD)
    page.goto(f"{live_server.url}/accounts/profile/")
    assert page.locator("#effective-zone").inner_text() == "Asia/Yangon"  # the capital of Myanmar
    offer = page.locator("#browser-zone")
    offer.wait_for(state="visible")
    assert "Asia/Manila" in offer.inner_text()
    page.click("#use-browser-zone")
    page.wait_for_load_state()
    assert page.locator("#effective-zone").inner_text() == "Asia/Manila"
    assert page.locator("#browser-zone").is_hidden()  # nothing left to offer
    assert Person.objects.get(pk=cho.pk).timezone == "Asia/Manila"
    page.goto(f"{live_server.url}/")
    local = page.locator(f"#upcoming tr[data-meeting='{meeting.pk}'] .time-local").inner_text()
    assert local == "10:00–18:00 in your time, Manila (UTC+8)"
    context.close()
