"""iTIP replies: a calendar client's answer to an invitation, parsed and applied only for its own sender."""

from __future__ import annotations

import pytest

from meetings.calendar.itip import parse_reply
from meetings.models import Invitation
from tests.world.build import client_as
from tests.world.mail import itip_reply


def test_a_hand_written_itip_reply_for_someone_else_is_refused(roles):
    ics = itip_reply(uid=roles.m_acc.uid, seq=0, partstat="DECLINED", email=roles.head.person.email)
    r = client_as(roles.delegate).post("/api/v1/itip/reply/", data=ics, content_type="text/calendar")
    assert r.status_code == 403
    roles.inv_head.refresh_from_db()
    assert roles.inv_head.partstat == Invitation.PartStat.NEEDS_ACTION


def test_parse_an_itip_reply():
    outlook = dict(cn="Ben Manila", prodid="-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
    answer = dict(uid="u@x", seq=3, partstat="ACCEPTED", email="BEN@example.org", **outlook)
    [reply] = parse_reply(itip_reply(**answer))
    assert (reply.uid, reply.sequence, reply.email, reply.partstat) == (
        "u@x",
        3,
        "BEN@example.org",
        "ACCEPTED",
    )
    from meetings.calendar.itip import ReplyError

    with pytest.raises(ReplyError):
        parse_reply(itip_reply(**answer, method="REQUEST"))
    with pytest.raises(ReplyError):
        parse_reply("not a calendar")
