"""iTIP REPLY (RFC 5546): what Outlook or Thunderbird sends back when a delegate clicks Accept, read with
``icalendar`` and applied to the matching invitations; and the DECLINECOUNTER that answers a COUNTER."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from icalendar import Calendar, Event, vCalAddress, vText

from governance.permissions import is_secretariat
from meetings.calendar.ics import REPLY, calendar_sequence, new_calendar, organizer
from meetings.calendar.rsvp import ANSWER_LABELS, RsvpError, invitation_respond
from meetings.models import Invitation, Meeting


class ReplyError(ValueError):
    """The posted file is not a usable iTIP REPLY."""


@dataclass(frozen=True)
class Reply:
    uid: str
    sequence: int
    email: str
    partstat: str


def parse_reply(data: bytes | str) -> list[Reply]:
    """The answers in an iTIP REPLY (what Outlook or Thunderbird sends back when a delegate clicks
    Accept): one per VEVENT and ATTENDEE."""
    try:
        cal = Calendar.from_ical(data)
    except ValueError as exc:
        raise ReplyError(f"Not an iCalendar file: {exc}") from None
    method = str(cal.get("method", "")).upper()
    if method != REPLY:
        raise ReplyError(f"Expected METHOD:REPLY, got {method or 'none'}.")
    replies = []
    for event in cal.walk("VEVENT"):
        uid = str(event.get("uid", ""))
        if not uid:
            raise ReplyError("A VEVENT has no UID.")
        sequence = int(event.get("sequence", 0))
        attendees = event.get("attendee")
        if attendees is None:
            raise ReplyError("A REPLY must name the attendee who answers.")
        if not isinstance(attendees, list):
            attendees = [attendees]
        for att in attendees:
            email = str(att)
            if email.lower().startswith("mailto:"):
                email = email[len("mailto:") :]
            partstat = str(att.params.get("PARTSTAT", "NEEDS-ACTION")).upper()
            replies.append(Reply(uid=uid, sequence=sequence, email=email.strip(), partstat=partstat))
    if not replies:
        raise ReplyError("The file has no VEVENT.")
    return replies


class ReplyRejected(RsvpError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def reply_match(reply: Reply) -> Invitation:
    """The invitation a REPLY answers, matched by UID, ATTENDEE and SEQUENCE (at least the invitee's own
    current one: an answer to an earlier version is refused). Raises ``ReplyRejected`` with why."""
    meeting = Meeting.objects.filter(uid=reply.uid).first()
    if meeting is None:
        raise ReplyRejected(f"No meeting has UID {reply.uid}.", 404)
    invitation = (
        Invitation.objects.select_related("meeting", "person")
        .filter(meeting=meeting, person__email__iexact=reply.email, is_withdrawn=False)
        .first()
    )
    if invitation is None:
        raise ReplyRejected(f"{reply.email} is not on the list for this meeting.", 404)
    current = calendar_sequence(meeting, invitation)
    if reply.sequence < current:
        raise ReplyRejected(
            f"This answers version {reply.sequence}; the meeting has changed since (version "
            f"{current}). Answer the latest invitation.",
            409,
        )
    if reply.partstat not in ANSWER_LABELS:
        raise ReplyRejected(f"PARTSTAT {reply.partstat} is not accepted here.", 400)
    return invitation


@transaction.atomic
def itip_reply_apply(*, data: bytes, user) -> list[dict]:
    """Apply an iTIP REPLY file: each answer updates the matching invitation's PARTSTAT. The Secretariat
    may post anyone's reply (from its mailbox); a delegate only their own."""
    try:
        replies = parse_reply(data)
    except ReplyError as exc:
        raise ReplyRejected(str(exc), 400) from None
    own = {e.lower() for e in (user.email, getattr(getattr(user, "person", None), "email", "")) if e}
    results = []
    for reply in replies:
        if not is_secretariat(user) and reply.email.lower() not in own:
            raise ReplyRejected("You may only send your own answer.", 403)
        invitation = reply_match(reply)
        invitation_respond(invitation=invitation, partstat=reply.partstat, via="iTIP REPLY posted to the API")
        results.append(
            {
                "meeting": invitation.meeting_id,
                "uid": reply.uid,
                "attendee": reply.email,
                "partstat": reply.partstat,
            }
        )
    return results


DECLINECOUNTER = "DECLINECOUNTER"


def decline_counter_calendar(*, invitation: Invitation, now: dt.datetime, comment: str = "") -> bytes:
    """The organizer's DECLINECOUNTER (RFC 5546 §3.2.8) to an attendee's counter-proposal: the meeting's UID,
    the attendee's current SEQUENCE, the attendee and the organizer. A calendar client drops the proposed
    time on reading it; the meeting itself is unchanged (so no DTSTART, no VTIMEZONE)."""
    meeting, person = invitation.meeting, invitation.person
    cal = new_calendar(DECLINECOUNTER)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", calendar_sequence(meeting, invitation))
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("organizer", organizer())
    att = vCalAddress(f"mailto:{person.email}")
    att.params["CN"] = vText(person.full_name)
    event.add("attendee", att)
    event.add("summary", meeting.title)
    if comment:
        event.add("comment", comment)
    cal.add_component(event)
    return cal.to_ical()
