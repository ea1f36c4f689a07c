"""iCalendar files (RFC 5545) and the scheduling methods of iTIP (RFC 5546), built with ``icalendar``.

- ``METHOD:REQUEST`` for invitations and updates (same UID, higher SEQUENCE), ``METHOD:CANCEL`` for a
  cancelled meeting and for an invitee taken off the list, ``METHOD:PUBLISH`` for feeds.
- Times stay in the meeting's own IANA zone (``DTSTART;TZID=Asia/Jakarta``) with the matching VTIMEZONE,
  generated from ``zoneinfo`` by ``Calendar.add_missing_timezones()`` (never pytz, whose transitions drift);
  DTSTAMP is in UTC with a ``Z``, so no needless UTC VTIMEZONE is added.
- The DESCRIPTION says the time with the same words as the email (``meetings.times``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from governance.input_rules import strip_to_single_line
from meetings.calendar.zones import cached_vtimezone
from meetings.models import Invitation, Meeting
from meetings.times import ZoneNamer, meeting_times

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PRODID = "-//ASEAN Secretariat//ACCMSME Governance//EN"

REQUEST, CANCEL, PUBLISH, REPLY = "REQUEST", "CANCEL", "PUBLISH", "REPLY"

_STATUS = {
    Meeting.Status.PLANNED: "TENTATIVE",
    Meeting.Status.CONFIRMED: "CONFIRMED",
    Meeting.Status.HELD: "CONFIRMED",
    Meeting.Status.POSTPONED: "TENTATIVE",  # with "Postponed:" in the SUMMARY; invitees get a CANCEL
    Meeting.Status.CANCELLED: "CANCELLED",
}


def meeting_url(meeting: Meeting) -> str:
    return f"{settings.SITE_URL}{meeting.get_absolute_url()}"


def agenda_url(meeting: Meeting) -> str:
    return f"{meeting_url(meeting)}#agenda"


def location_text(meeting: Meeting) -> str:
    place = ", ".join(p for p in (meeting.venue, meeting.city) if p)
    if meeting.modality == Meeting.Modality.VIRTUAL:
        return f"Online: {meeting.join_url}" if meeting.join_url else "Online"
    if meeting.modality == Meeting.Modality.HYBRID and meeting.join_url:
        return f"{place} and online" if place else "Online"
    return place


def description_text(
    meeting: Meeting, *, reader_tz: str | None = None, namer: ZoneNamer | None = None
) -> str:
    """The DESCRIPTION: the same time lines as the email, the place, and where the agenda is."""
    times = meeting_times(meeting, reader_tz, namer=namer)
    lines = list(times.lines)
    where = location_text(meeting)
    if where:
        lines.append(f"Where: {where}")
    if meeting.join_url:
        lines.append(f"Join online: {meeting.join_url}")
    lines.append(f"Agenda and documents: {agenda_url(meeting)}")
    return "\n".join(lines)


def organizer() -> vCalAddress:
    org = vCalAddress(f"mailto:{settings.SECRETARIAT_MAILBOX}")
    org.params["CN"] = vText("ASEAN Secretariat")
    return org


def attendee(invitation: Invitation, *, partstat: str | None = None) -> vCalAddress:
    person = invitation.person
    att = vCalAddress(f"mailto:{person.email}")
    att.params["CN"] = vText(person.full_name)
    att.params["CUTYPE"] = "INDIVIDUAL"
    att.params["ROLE"] = invitation.role
    att.params["PARTSTAT"] = partstat or invitation.partstat
    att.params["RSVP"] = "TRUE"
    return att


def calendar_sequence(meeting: Meeting, invitation: Invitation | None) -> int:
    """The SEQUENCE of the meeting in this invitee's calendar: the meeting's version plus their own
    offset, raised when a CANCEL went to them alone and again when they were invited back."""
    return meeting.sequence + (invitation.sequence_offset if invitation is not None else 0)


def daily_sessions(meeting: Meeting) -> int:
    """The days a meeting sits when it runs over several days, each from its start's clock time to its
    end's (13 May 09:00 – 14 May 17:00 is two sessions of 09:00–17:00); 1 when it is one block."""
    zone = ZoneInfo(meeting.timezone)
    start, end = meeting.start.astimezone(zone), meeting.end.astimezone(zone)
    days = (end.date() - start.date()).days + 1
    if days < 2 or end.time() <= start.time():
        return 1
    return days


def month_range(meeting: Meeting) -> tuple[dt.date, dt.date]:
    """A meeting known only to the month: the whole months it falls in, as an all-day range (end
    exclusive, as DTEND;VALUE=DATE is)."""
    zone = ZoneInfo(meeting.timezone)
    first = meeting.start.astimezone(zone).date().replace(day=1)
    last = meeting.end.astimezone(zone).date().replace(day=1)
    return first, (last + dt.timedelta(days=32)).replace(day=1)


def _add_when(event: Event, meeting: Meeting, *, sessions: bool) -> None:
    """DTSTART/DTEND (docs/decisions: meeting shapes in calendars): an all-day range for a meeting known
    only to the month; in feeds and the meeting file, one occurrence per day of a multi-day meeting
    (a daily RRULE, so it stays one UID); otherwise the block from start to end in the host's zone."""
    zone = ZoneInfo(meeting.timezone)
    start, end = meeting.start.astimezone(zone), meeting.end.astimezone(zone)
    if meeting.date_precision == "month":
        first, after = month_range(meeting)
        event.add("dtstart", first)
        event.add("dtend", after)
        return
    days = daily_sessions(meeting) if sessions else 1
    event.add("dtstart", start)
    if days > 1:
        event.add("dtend", dt.datetime.combine(start.date(), end.time(), zone))
        event.add("rrule", {"FREQ": "DAILY", "COUNT": days})
    else:
        event.add("dtend", end)


def meeting_event(
    meeting: Meeting,
    *,
    dtstamp: dt.datetime,
    method: str = PUBLISH,
    invitations: Iterable[Invitation] = (),
    reader_tz: str | None = None,
    namer: ZoneNamer | None = None,
    alarm: bool = True,
    organizer_address: vCalAddress | None = None,
    sequence: int | None = None,
    attendee_cancel: bool = False,
) -> Event:
    """One VEVENT for the meeting as it stands now. Its SEQUENCE is the meeting's, or ``sequence`` (the
    meeting's plus the invitee's offset, ``calendar_sequence``) in a personal message. ``attendee_cancel``:
    a CANCEL to one invitee taken off the list, which per RFC 5546 §3.2.5 carries no STATUS (STATUS
    CANCELLED would call off the meeting itself)."""
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence if sequence is None else sequence)
    event.add("dtstamp", dtstamp.astimezone(dt.UTC))
    _add_when(event, meeting, sessions=method == PUBLISH)
    postponed = meeting.status == Meeting.Status.POSTPONED and method == PUBLISH
    event.add("summary", f"Postponed: {meeting.title} (new date to follow)" if postponed else meeting.title)
    where = location_text(meeting)
    if where:
        event.add("location", where)
    event.add("description", description_text(meeting, reader_tz=reader_tz, namer=namer))
    event.add("url", meeting_url(meeting))
    if not attendee_cancel:
        status = "CANCELLED" if method == CANCEL else _STATUS.get(meeting.status, "CONFIRMED")
        event.add("status", status)
    event.add("organizer", organizer_address or organizer())
    for invitation in invitations:
        if invitation.person.email:
            event.add("attendee", attendee(invitation))
    if alarm and method == REQUEST:
        valarm = Alarm()
        valarm.add("action", "DISPLAY")
        valarm.add("description", f"{meeting.title} starts soon")
        # An in-person meeting needs a day to travel; an online one a few minutes to join.
        lead = (
            dt.timedelta(minutes=30) if meeting.modality == Meeting.Modality.VIRTUAL else dt.timedelta(days=1)
        )
        valarm.add("trigger", -lead)
        event.add_component(valarm)
    return event


def new_calendar(method: str, *, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        # An X- property is written as given, unescaped: a line break in it would end the line (and
        # icalendar refuses with an assert). Titles are one line since 0042; older text is made so here.
        cal.add("x-wr-calname", strip_to_single_line(name))
    return cal


def _finish(cal: Calendar, starts: Iterable[dt.datetime], tzids: set[str]) -> bytes:
    """Add the VTIMEZONEs of the zones the events use, first in the file (RFC 5545 readers expect them
    before use), and serialise. Transitions cover whole years around the events: smaller files than
    icalendar's 1970–2038 default. They are written by ``meetings.calendar.zones`` (yearly RRULEs where
    the zone's rule holds, one RDATE per line otherwise), which every parser reads right for every year;
    ``Calendar.add_missing_timezones()`` (from zoneinfo) is left only to check that nothing is missing."""
    starts = list(starts)
    if starts:
        first = dt.date(min(starts).year - 1, 1, 1)
        last = dt.date(max(starts).year + 2, 1, 1)
        known = []
        for tzid in sorted(tzids):
            try:
                known.append(cached_vtimezone(tzid, first, last))
            except (KeyError, ValueError):
                continue  # not a zone zoneinfo knows: add_missing_timezones decides
        cal.subcomponents[0:0] = known
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def meeting_calendar(
    meeting: Meeting,
    *,
    method: str,
    now: dt.datetime,
    invitations: Iterable[Invitation] | None = None,
    reader_tz: str | None = None,
    namer: ZoneNamer | None = None,
) -> bytes:
    """A REQUEST, CANCEL or PUBLISH calendar for one meeting. ``invitations`` are the ATTENDEEs: every
    invitee for the Secretariat's export, only the recipient in a personal message (a delegate's invite
    does not hand out every other delegate's address, and stays small for lists of thousands)."""
    if invitations is None:
        invitations = meeting.invitations.filter(is_withdrawn=False).select_related("person")
    cal = new_calendar(method)
    cal.add_component(
        meeting_event(
            meeting, dtstamp=now, method=method, invitations=invitations, reader_tz=reader_tz, namer=namer
        )
    )
    return _finish(cal, [meeting.start], {meeting.timezone})


# A stand-in property where the ATTENDEE goes: it sorts right after ATTENDEE in icalendar's output, so a
# template with it replaced is byte for byte what ``meeting_calendar`` writes for that one attendee.
_ATTENDEE_SLOT = "ATTENDEE-SLOT"
_SLOT_LINE = b"ATTENDEE-SLOT:1\r\n"
_EVENT_HEAD, _EVENT_TAIL = b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n"


def attendee_lines(invitation: Invitation | None) -> bytes:
    """The folded ATTENDEE content line of one invitee, as ``meeting_calendar`` writes it."""
    if invitation is None or not invitation.person.email:
        return b""
    event = Event()
    event.add("attendee", attendee(invitation))
    return event.to_ical()[len(_EVENT_HEAD) : -len(_EVENT_TAIL)]


class PersonalCalendars:
    """The calendars of a batch of personal messages. Each recipient's copy of a meeting version differs
    from the others only by its ATTENDEE line (and by the reader's zone in the DESCRIPTION), so the rest
    is built and serialised once per batch, not once per message of a 10,000-invitee fan-out. DTSTAMP is
    the batch's moment."""

    def __init__(self, now: dt.datetime, namer: ZoneNamer | None = None) -> None:
        self.now, self.namer = now, namer
        self._templates: dict[tuple, bytes] = {}

    def calendar(
        self,
        meeting: Meeting,
        *,
        method: str,
        invitation: Invitation | None,
        reader_tz: str | None,
        attendee_cancel: bool = False,
        alarm: bool = True,
    ) -> bytes:
        sequence = calendar_sequence(meeting, invitation)
        key = (meeting.pk, sequence, meeting.status, meeting.start, meeting.end, method, reader_tz)
        key += (meeting.title, attendee_cancel, alarm)
        template = self._templates.get(key)
        if template is None:
            cal = new_calendar(method)
            event = meeting_event(
                meeting,
                dtstamp=self.now,
                method=method,
                reader_tz=reader_tz,
                namer=self.namer,
                sequence=sequence,
                attendee_cancel=attendee_cancel,
                alarm=alarm,
            )
            event.add(_ATTENDEE_SLOT, "1")
            cal.add_component(event)
            template = self._templates[key] = _finish(cal, [meeting.start], {meeting.timezone})
        return template.replace(_SLOT_LINE, attendee_lines(invitation), 1)


# Events of a feed are kept serialised with this stand-in DTSTAMP, put back to the request's moment on the way
# out: DTSTAMP is when the file was made (RFC 5545 §3.8.7.2), the rest is the meeting's version.
_STAMP_SLOT = b"DTSTAMP:19700101T000000Z\r\n"
_END_CALENDAR = b"END:VCALENDAR\r\n"


def feed_event_key(meeting: Meeting, reader_tz: str | None) -> str:
    """The cache key of one meeting's serialised feed event: its version and every field the event is
    made of (a queryset ``update()`` leaves ``updated_at`` as it was), and the reader's zone, which the
    DESCRIPTION names. Nothing of the reader but the zone: a feed event holds no attendee, no alarm. The UID
    is in it because a pk is only unique within one database, and a Redis may outlive it (a restore, a
    staging copy sharing the server)."""
    parts = (
        meeting.uid, meeting.pk, meeting.sequence, meeting.updated_at, meeting.status, meeting.start, meeting.end,
        meeting.timezone, meeting.title, meeting.venue, meeting.city, meeting.modality, meeting.join_url,
        meeting.host_id, meeting.date_precision, reader_tz, settings.SITE_URL,
    )  # fmt: skip
    return "feed-event:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


def _feed_event_bytes(
    meeting: Meeting, *, reader_tz: str | None, namer: ZoneNamer, org: vCalAddress
) -> bytes:
    event = meeting_event(
        meeting,
        dtstamp=_EPOCH,
        method=PUBLISH,
        reader_tz=reader_tz,
        namer=namer,
        alarm=False,
        organizer_address=org,
    )
    return event.to_ical()


def feed_calendar(
    meetings: Iterable[Meeting],
    *,
    name: str,
    now: dt.datetime,
    reader_tz: str | None = None,
    namer: ZoneNamer | None = None,
) -> bytes:
    """A PUBLISH feed of many meetings: no attendees, no alarms (a subscriber sets their own). Each event
    is serialised once per meeting version and reader zone and kept in the cache (``feed_event_key``), so
    a feed not yet cached costs the join of events that other readers' feeds already made."""
    from django.core.cache import cache

    namer = namer or ZoneNamer()
    meetings = list(meetings)
    keys = [feed_event_key(m, reader_tz) for m in meetings]
    found = cache.get_many(keys) if keys else {}
    made = {}
    org = organizer()  # one address object for every event
    for meeting, key in zip(meetings, keys, strict=True):
        if key not in found:
            made[key] = _feed_event_bytes(meeting, reader_tz=reader_tz, namer=namer, org=org)
    if made:
        cache.set_many(made, settings.FEED_CACHE_SECONDS * 24)
    cal = new_calendar(PUBLISH, name=name)
    cal.add("x-published-ttl", "PT1H")
    starts = [m.start for m in meetings]
    zones = {m.timezone for m in meetings}
    if starts:
        first = dt.date(min(starts).year - 1, 1, 1)
        last = dt.date(max(starts).year + 2, 1, 1)
        try:
            cal.subcomponents[0:0] = [cached_vtimezone(tzid, first, last) for tzid in sorted(zones)]
        except (KeyError, ValueError):
            return _feed_calendar_whole(meetings, name=name, now=now, reader_tz=reader_tz, namer=namer)
    stamp = b"DTSTAMP:" + now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ").encode() + b"\r\n"
    events = b"".join(found.get(key) or made[key] for key in keys).replace(_STAMP_SLOT, stamp)
    head = cal.to_ical()
    return head[: -len(_END_CALENDAR)] + events + _END_CALENDAR


def _feed_calendar_whole(
    meetings: list[Meeting], *, name: str, now: dt.datetime, reader_tz: str | None, namer: ZoneNamer
) -> bytes:
    """The feed built in one piece, for a zone ``zoneinfo`` does not know (icalendar decides about it)."""
    cal = new_calendar(PUBLISH, name=name)
    cal.add("x-published-ttl", "PT1H")
    org = organizer()
    for meeting in meetings:
        cal.add_component(
            meeting_event(
                meeting,
                dtstamp=now,
                method=PUBLISH,
                reader_tz=reader_tz,
                namer=namer,
                alarm=False,
                organizer_address=org,
            )
        )
    return _finish(cal, [m.start for m in meetings], {m.timezone for m in meetings})
