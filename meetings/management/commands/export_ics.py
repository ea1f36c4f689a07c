"""Write a meeting's calendar, or a user's feed, to stdout: the same files the site serves."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from governance.models import Person
from meetings.calendar.ics import PUBLISH, REQUEST, feed_calendar, meeting_calendar
from meetings.models import Meeting
from meetings.selectors import visible_meetings


class Command(BaseCommand):
    help = (
        "Write iCalendar to stdout: --meeting ID (the meeting with every invitee as ATTENDEE, METHOD:REQUEST "
        "or PUBLISH) or --user USERNAME (that user's private feed, METHOD:PUBLISH)."
    )

    def add_arguments(self, parser) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--meeting", type=int, help="Meeting id")
        who.add_argument("--user", help="Username whose feed to write")
        parser.add_argument("--method", choices=[REQUEST, PUBLISH], default=PUBLISH, help="For --meeting")

    def handle(self, *args, meeting=None, user=None, method=PUBLISH, **options) -> None:
        now = timezone.now()
        if meeting is not None:
            m = Meeting.objects.select_related("body", "host").filter(pk=meeting).first()
            if m is None:
                raise CommandError(f"No meeting with id {meeting}.")
            data = meeting_calendar(m, method=method, now=now)
        else:
            u = get_user_model().objects.filter(username=user).first()
            if u is None:
                raise CommandError(f"No user called {user!r}.")
            if not u.is_active:
                raise CommandError(f"{user} is deactivated: their feed is revoked.")
            person = Person.objects.select_related("member_state").filter(user=u).first()
            data = feed_calendar(
                visible_meetings(u).select_related("body", "host").order_by("start"),
                name=f"ACCMSME Governance: {person.full_name if person else u.username}",
                now=now,
                reader_tz=person.effective_timezone if person else None,
            )
        self.stdout.write(data.decode(), ending="")
