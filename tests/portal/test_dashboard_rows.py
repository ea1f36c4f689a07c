"""The dashboard's rows, written in Python for speed (issue 21), say exactly what the shared partials say:
``meetings/_rsvp.html`` and ``meetings/_meeting_time.html`` are the reference, with hostile text."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.test import RequestFactory

from meetings.models import Invitation, Meeting
from meetings.times import ZoneNamer, meeting_times
from portal.dashboard_rows import meeting_time_html, rsvp_html

UTC = dt.UTC
NEXT = "/?month=2027-03&x=<b>"


def _meeting(status: str) -> Meeting:
    return Meeting(
        pk=7,
        title="M",
        status=status,
        timezone="Asia/Jakarta",
        city="Bali <&>",
        start=dt.datetime(2027, 3, 1, 20, 0, tzinfo=UTC),
        end=dt.datetime(2027, 3, 2, 1, 0, tzinfo=UTC),
    )


def test_rsvp_controls_match_the_partial():
    seen = set()
    request = RequestFactory().get("/elsewhere/")  # the partial's fallback for ``next``
    for status in Meeting.Status.values:
        for partstat in Invitation.PartStat.values:
            for withdrawn in (False, True):
                meeting = _meeting(status)
                inv = Invitation(pk=5, meeting=meeting, partstat=partstat, is_withdrawn=withdrawn)
                expected = render_to_string(
                    "meetings/_rsvp.html",
                    {"invitation": inv, "next": NEXT, "csrf_token": "tok<en>", "request": request},
                )
                got = rsvp_html(inv, status=status, csrf_token="tok<en>", next_url=NEXT)
                assert got == expected, (status, partstat, withdrawn)
                seen.add("<form" in got)
    assert seen == {True, False}  # both with and without the form


def test_meeting_time_matches_the_partial():
    for reader_tz in ("Europe/Brussels", "America/New_York", "Asia/Jakarta", None):
        meeting = _meeting(Meeting.Status.PLANNED)
        namer = ZoneNamer(labels={})
        expected = render_to_string(
            "meetings/_meeting_time.html",
            {"meeting": meeting, "reader_tz": reader_tz, "_zone_namer": namer},
        )
        assert meeting_time_html(meeting_times(meeting, reader_tz, namer=namer)) == expected
