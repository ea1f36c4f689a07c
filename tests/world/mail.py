"""Mail: sending in-process, reading what went out (MIME parts, calendar files through both parsers), and
the iTIP replies calendar clients send back."""

from __future__ import annotations

import email
import email.policy

import ics
from icalendar import Calendar


def deliver(now) -> list:
    """What the sweep and a worker would send at ``now``; returns the messages sent (locmem backend)."""
    from django.core import mail

    from outbox.handout import due_ids
    from outbox.sending import send_batch

    before = len(mail.outbox)
    send_batch(due_ids(now=now, limit=100000), now=now)
    return mail.outbox[before:]


def mime(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def calendar_part(message):
    """(content-type params, text) of the text/calendar alternative."""
    for part in mime(message).walk():
        if part.get_content_type() == "text/calendar":
            return dict(part.get_params()), part.get_content()
    return None, None


def text_part(message) -> str:
    for part in mime(message).walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            return part.get_content()
    return ""


def ics_attachment(message) -> bytes | None:
    for part in mime(message).walk():
        if part.get_filename() and part.get_filename().endswith(".ics"):
            return part.get_payload(decode=True)
    return None


def outgoing(rows) -> list[tuple[str, str]]:
    """(kind, recipient) pairs, sorted, for "exactly which notifications go out" assertions."""
    return sorted((r.kind, r.recipient) for r in rows)


def parse_both(text: str | bytes):
    """The same file through both parsers; returns (icalendar Calendar, its VEVENT, ics Event)."""
    raw = text if isinstance(text, bytes) else text.encode()
    cal = Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    other = ics.Calendar(raw.decode())
    assert len(other.events) == 1
    return cal, events[0], next(iter(other.events))


def itip_reply(
    *,
    uid: str,
    seq: int,
    partstat: str,
    email: str,
    cn: str = "Someone",
    method: str = "REPLY",
    prodid: str = "-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN",
) -> str:
    """An attendee's answer as a calendar client sends it (RFC 5546 REPLY)."""
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:{prodid}",
            f"METHOD:{method}",
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"SEQUENCE:{seq}",
            "DTSTAMP:20260303T010000Z",
            f'ATTENDEE;PARTSTAT={partstat};CN="{cn}":mailto:{email}',
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
