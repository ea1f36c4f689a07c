"""The meeting list's keyset pages (meetings/api/pagination.py): every visible meeting once, in start
order, page after page; a count capped rather than a scan; ?limit= still capped at 500 and ?offset=
still served as before."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from meetings.api import pagination
from meetings.models import Meeting
from meetings.selectors import visible_meetings
from tests.world.meetings import meeting_row

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def more_meetings(world, n: int) -> None:
    start = dt.datetime(2030, 1, 6, 9, tzinfo=dt.UTC)
    for i in range(n):  # two on each day: equal starts are told apart by id
        at = start + dt.timedelta(days=i // 2)
        meeting_row(world.body, start=at, end=at + dt.timedelta(hours=8), title=f"Extra {i}")


def test_cursor_pages_walk_every_visible_meeting_once_in_start_order(world):
    more_meetings(world, 7)
    c = api(world.delegate_ph)
    expected = list(visible_meetings(world.delegate_ph).order_by("start", "id").values_list("id", flat=True))
    seen, url, pages = [], "/api/v1/meetings/?limit=3", 0
    while url:
        page = c.get(url).json()
        assert len(page["results"]) <= 3 and page["count"] == len(expected)
        seen += [m["id"] for m in page["results"]]
        url, pages = page["next"], pages + 1
    assert seen == expected and pages == -(-len(expected) // 3)
    assert Meeting.objects.exclude(pk__in=expected).exists()  # the delegate does not see everything


def test_the_count_is_null_past_the_cap_and_limit_stays_capped(world, monkeypatch):
    more_meetings(world, 4)
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    c = api(world.sec)
    page = c.get("/api/v1/meetings/?limit=2").json()
    assert page["count"] is None and len(page["results"]) == 2 and page["next"]
    monkeypatch.setattr(pagination, "COUNT_CAP", 10_000)
    assert len(c.get("/api/v1/meetings/?limit=100000000").json()["results"]) == min(
        500, Meeting.objects.count()
    )
    # A position asked for by offset: limit/offset pages with the exact count, as before.
    by_offset = c.get("/api/v1/meetings/?limit=2&offset=1").json()
    assert by_offset["count"] == Meeting.objects.count()
    ids = list(Meeting.objects.order_by("start", "id").values_list("id", flat=True))
    assert [m["id"] for m in by_offset["results"]] == ids[1:3]


def test_a_cursor_the_list_never_gave_out_is_a_400_naming_it(world):
    c = api(world.delegate_ph)
    # Not base64, not a query string, a position that is not a start.
    for bad in ("steps", "%3Fstatus%3Dfailed", "cD14"):
        r = c.get(f"/api/v1/meetings/?limit=2&cursor={bad}")
        assert r.status_code == 400 and "cursor" in r.json(), (bad, r.content)
    assert c.get("/api/v1/meetings/?limit=2").status_code == 200


def test_the_schema_describes_the_cursor_and_the_capped_count(world):
    schema = api(world.sec).get("/api/schema/?format=json").json()
    op = schema["paths"]["/api/v1/meetings/"]["get"]
    assert {"cursor", "limit", "offset"} <= {p["name"] for p in op["parameters"]}
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][ref]["properties"]["count"]["nullable"] is True


@pytest.mark.parametrize("limit", [1, 3, 9, 100])
def test_the_plain_first_page_is_the_page_the_cursor_pager_gives(world, monkeypatch, limit):
    """The first page without a filter is read in two prepared statements (``first_meetings``); with any
    other parameter (``format`` here) the view takes DRF's path. The two answer alike, ``next`` included,
    for a viewer of everything, a member, and a user who sees nothing."""
    from meetings.api import meetings as meetings_api

    more_meetings(world, 7)
    monkeypatch.setattr(pagination, "COUNT_CAP", 8)  # 9 and 100 rows: the count is capped to null
    taken = []
    real = meetings_api.first_meetings
    monkeypatch.setattr(meetings_api, "first_meetings", lambda *a, **k: taken.append(k) or real(*a, **k))
    for user in (world.sec, world.delegate_ph, world.outsider):
        c = api(user)
        fast = c.get(f"/api/v1/meetings/?limit={limit}").json()
        assert taken and taken.pop() == {"rows": limit + 1, "count_up_to": 9}
        general = c.get(f"/api/v1/meetings/?limit={limit}&format=json").json()
        assert not taken
        if general["next"]:
            general["next"] = general["next"].replace("&format=json", "").replace("format=json&", "")
        assert fast == general
    assert api(world.sec).get("/api/v1/meetings/?limit=3").json()["next"]  # a page that has a next
