"""iTIP replies: a calendar client's answer to an invitation, parsed and applied only for its own sender."""

from __future__ import annotations

import pytest

from meetings.calendar.itip import parse_reply
from meetings.models import Invitation
from tests.world.build import client_as


def test_a_hand_written_itip_reply_for_someone_else_is_refused(roles):
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//attack//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        f"UID:{roles.m_acc.uid}\r\nSEQUENCE:0\r\nDTSTAMP:20260101T000000Z\r\n"
        f"ATTENDEE;PARTSTAT=DECLINED:mailto:{roles.head.person.email}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    r = client_as(roles.delegate).post("/api/v1/itip/reply/", data=ics, content_type="text/calendar")
    assert r.status_code == 403
    roles.inv_head.refresh_from_db()
    assert roles.inv_head.partstat == Invitation.PartStat.NEEDS_ACTION


REPLY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
METHOD:REPLY
BEGIN:VEVENT
UID:{uid}
SEQUENCE:{seq}
DTSTAMP:20260303T010000Z
ATTENDEE;PARTSTAT={partstat};CN="Ben Manila":mailto:{email}
END:VEVENT
END:VCALENDAR
"""


def test_parse_an_itip_reply():
    [reply] = parse_reply(REPLY.format(uid="u@x", seq=3, partstat="ACCEPTED", email="BEN@example.org"))
    assert (reply.uid, reply.sequence, reply.email, reply.partstat) == (
        "u@x",
        3,
        "BEN@example.org",
        "ACCEPTED",
    )
    from meetings.calendar.itip import ReplyError

    with pytest.raises(ReplyError):
        parse_reply(REPLY.replace("METHOD:REPLY", "METHOD:REQUEST"))
    with pytest.raises(ReplyError):
        parse_reply("not a calendar")
