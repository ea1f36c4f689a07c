"""Each user's everyday journey on a laptop (1366×900) and on a phone (390×844): every link of the menu is
reachable and opens, nothing is off-screen (measured in the page), no console error, no failed request, and
axe-core finds no serious or critical accessibility violation on the key pages."""

from __future__ import annotations

import datetime as dt

import pytest

from chairmanship.models import ChairTerm
from governance.rights import sync_user_rights
from meetings import services
from meetings.models import Meeting
from tests.browser.conftest import (
    PHONE,
    VIEWPORTS,
    WAIT_MS,
    off_screen,
    open_menu,
    serious_accessibility_violations,
    small_targets,
    watch,
)
from tests.world.clock import JKT, upcoming_day

pytestmark = pytest.mark.browser

# Pages another project draws (the Django admin, Swagger UI): reachable and error-free, their layout theirs.
THIRD_PARTY = ("/admin/", "/api/docs/")
# What shows a page has finished loading where its scripts fetch more after the load event.
READY = {"/api/docs/": ".swagger-ui .info .title"}


@pytest.fixture
def journey_world(world, media):
    """The meetings scene on the real clock: the chair's term runs today, and the next ACCMSME meeting,
    a month ahead, is confirmed with the delegations invited and its agenda circulated."""
    ChairTerm.objects.filter(body=world.body, member_state__iso2="VN").update(end_date=dt.date(2098, 12, 31))
    for user in (world.chair, world.head_ph, world.delegate_ph):
        sync_user_rights(user)
    day = upcoming_day(30)
    m = services.meeting_create(
        body=world.body,
        series=world.series,
        number=21,
        start=dt.datetime.combine(day, dt.time(9)),
        end=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(17)),
        host=world.chair.person.member_state,
    )
    m = services.meeting_confirm(meeting=m)
    services.invitations_for_delegations(meeting=m)
    services.agenda_default_create(meeting=m)
    services.agenda_item_add(meeting=m, title="Access to finance for MSMEs", purpose="decision")
    services.agenda_circulate(meeting=m)
    assert m.start.astimezone(JKT).date() == day
    return world, m


JOURNEYS = {
    # user: the pages of their journey beyond the menu ({m}: the meeting's id)
    "sec": [
        "/meetings/{m}/",
        "/meetings/{m}/edit/",
        "/meetings/{m}/agenda/",
        "/meetings/{m}/participants/",
        "/meetings/{m}/record/",
        "/meetings/{m}/report/",
        "/meetings/{m}/cancel/",
        "/meetings/{m}/agenda/circulate/",
        "/meetings/plan/",
    ],
    "chair-vn": [
        "/meetings/{m}/",
        "/meetings/{m}/agenda/",
        "/meetings/{m}/participants/",
        "/meetings/{m}/record/",
        "/meetings/{m}/held/",
    ],
    "delegate-ph": ["/meetings/{m}/", "/meetings/{m}/participants/", "/meetings/{m}/agenda/v1/"],
}
# Where axe-core looks: the pages each user works in most.
KEY_PAGES = {
    "/",
    "/meetings/",
    "/meetings/{m}/",
    "/meetings/{m}/agenda/",
    "/meetings/{m}/participants/",
    "/meetings/{m}/record/",
    "/meetings/{m}/cancel/",
    "/chairmanship/handovers/",
    "/accounts/profile/",
}


def _check(page, seen, path: str, problems: list[str], *, axe: bool) -> None:
    where = f"{page.viewport_size['width']}px {path}"
    problems += [f"{where}: {p}" for p in seen.problems()]
    if not path.startswith(THIRD_PARTY):
        problems += [f"{where}: {p}" for p in off_screen(page)]
        if page.viewport_size["width"] <= PHONE["width"]:
            problems += [f"{where}: {p}" for p in small_targets(page)]
    if axe:
        problems += [f"{where}: {p}" for p in serious_accessibility_violations(page)]


def _menu_links(page, base: str) -> list[str]:
    open_menu(page)
    links = page.locator("#main-menu nav a")
    hrefs = []
    for i in range(links.count()):
        link = links.nth(i)
        assert link.is_visible(), link.inner_text()
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], (
            link.inner_text()
        )
        hrefs.append(link.get_attribute("href"))
    assert page.locator("#log-out").is_visible()
    return hrefs


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("username", list(JOURNEYS))
def test_everyday_journey(journey_world, live_server, browser, logged_in, username, viewport):
    world, meeting = journey_world
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    seen = watch(page)
    logged_in(page, username)
    problems: list[str] = []
    _check(page, seen, "/", problems, axe=True)

    # The menu: on a phone it is folded behind its toggle; every link in it is on screen and opens.
    hrefs = _menu_links(page, base)
    assert {"/", "/meetings/", "/chairmanship/handovers/", "/accounts/profile/"} <= set(hrefs), hrefs
    if viewport == "phone":
        page.locator("#main-menu nav a", has_text="Meetings").click()
        page.wait_for_url(f"{base}/meetings/")
        assert page.locator("#main-menu").is_hidden()  # a new page starts with the menu folded
    for href in hrefs:
        response = page.goto(base + href, wait_until="networkidle")
        assert response is not None and response.ok, (href, response and response.status)
        if href in READY:
            page.wait_for_selector(READY[href])
            page.wait_for_load_state("networkidle")
        _check(page, seen, href, problems, axe=href in KEY_PAGES)

    for path in JOURNEYS[username]:
        url = path.format(m=meeting.pk)
        response = page.goto(base + url, wait_until="networkidle")
        assert response is not None and response.ok, (url, response and response.status)
        _check(page, seen, url, problems, axe=path in KEY_PAGES)

    # Nothing on the way changed anything: the confirmation pages only asked.
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CONFIRMED
    context.close()
    assert not problems, "\n".join(problems)
