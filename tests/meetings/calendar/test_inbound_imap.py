"""Accept, Tentative and Decline pressed in Outlook, Gmail and Apple Mail, read from a real IMAP mailbox
(Dovecot, started by .ci/run): recorded exactly once, with the audit trail; chasers stop; what does not
match is refused or kept for the Secretariat, and filed; an oversized or malformed message is refused
without being fetched whole."""

from __future__ import annotations

import datetime as dt
import os
import tracemalloc
import uuid
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from icalendar import Calendar

from meetings.calendar.inbound import inbox_read, mailbox_settings
from meetings.calendar.intake import inbox_state
from meetings.calendar.kinds import Kind
from meetings.calendar.tasks import meeting_version_plan
from meetings.models import InboundReply, Invitation
from outbox.models import Message
from tests.machine import service_missing
from tests.meetings.calendar.test_readers import ical_js
from tests.world.build import client_as
from tests.world.calendar import zones_scene
from tests.world.clock import NOW, at, clock
from tests.world.mail import calendar_part, deliver
from tests.world.people import user_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued")]
Outcome = InboundReply.Outcome
FOLDERS = ("INBOX", "processed", "refused", "unmatched")
DEFAULT_URL = "imap://organizer:imap-test-password@127.0.0.1:10143"


@pytest.fixture
def mailbox(settings):
    """The test mailbox, emptied; the settings point at it."""
    from imap_tools import MailBoxUnencrypted

    url = os.environ.get("ITIP_TEST_IMAP_URL", DEFAULT_URL)
    box = mailbox_settings(url)
    try:
        client = MailBoxUnencrypted(box.host, box.port, timeout=10).login(box.user, box.password)
    except OSError as exc:
        service_missing(f"needs the test IMAP server ({box.host}:{box.port}, .ci/imap-server): {exc}")
    for folder in FOLDERS:
        if not client.folder.exists(folder):
            client.folder.create(folder)
        client.folder.set(folder)
        client.delete([m.uid for m in client.fetch(headers_only=True, mark_seen=False)])
    client.folder.set("INBOX")
    settings.ITIP_IMAP_URL = url
    yield client
    client.logout()


def in_folder(client, folder: str) -> list[str]:
    client.folder.set(folder)
    subjects = [m.subject for m in client.fetch(headers_only=True, mark_seen=False)]
    client.folder.set("INBOX")
    return subjects


def reply_ics(*, uid: str, seq: int, partstat: str, email: str, cn: str, prodid: str) -> str:
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            f"PRODID:{prodid}",
            "VERSION:2.0",
            "METHOD:REPLY",
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"SEQUENCE:{seq}",
            "DTSTAMP:20260303T010000Z",
            "DTSTART;TZID=Asia/Jakarta:20260504T090000",
            "ORGANIZER;CN=ASEAN Secretariat:mailto:accmsme@asean.org",
            f'ATTENDEE;PARTSTAT={partstat};CN="{cn}":mailto:{email}',
            "SUMMARY:21st ACCMSME Meeting",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )


WORD = {
    "ACCEPTED": "Accepted",
    "TENTATIVE": "Tentative",
    "DECLINED": "Declined",
    "COUNTER": "New time proposed",
    "DELEGATED": "Delegated",
}


def _head(msg, *, sender: str, cn: str, partstat: str, mid: str) -> bytes:
    msg["From"] = f'"{cn}" <{sender}>'
    msg["To"] = "accmsme@asean.org"
    msg["Subject"] = f"{WORD.get(partstat, partstat)}: 21st ACCMSME Meeting"
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@{mid}>"
    msg["Date"] = "Tue, 03 Mar 2026 08:00:00 +0700"
    return msg.as_bytes()


def outlook(*, ics: str, sender: str, cn: str, partstat: str) -> bytes:
    """Outlook: multipart/alternative of the text and ``text/calendar; method=REPLY``, both base64."""
    msg = MIMEMultipart("alternative")
    msg.attach(MIMEText(f"{cn} has {WORD[partstat].lower()} this meeting.", "plain", "utf-8"))
    cal = MIMEText(ics, "calendar", "utf-8")  # utf-8 → base64
    cal.set_param("method", "REPLY")
    msg.attach(cal)
    return _head(msg, sender=sender, cn=cn, partstat=partstat, mid="EURPRD.prod.outlook.com")


def gmail(*, ics: str, sender: str, cn: str, partstat: str) -> bytes:
    """Gmail: mixed > alternative (plain, html, ``text/calendar; method=REPLY`` in 7bit) + invite.ics."""
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(f"{cn} has {WORD[partstat].lower()} this invitation.", "plain", "us-ascii"))
    alternative.attach(MIMEText(f"<p>{cn} has {WORD[partstat].lower()}.</p>", "html", "us-ascii"))
    cal = MIMEText(ics, "calendar", "us-ascii")
    cal.set_param("method", "REPLY")
    alternative.attach(cal)
    msg = MIMEMultipart("mixed")
    msg.attach(alternative)
    attached = MIMEApplication(ics.encode(), "ics", name="invite.ics")
    attached.add_header("Content-Disposition", "attachment", filename="invite.ics")
    msg.attach(attached)
    return _head(msg, sender=sender, cn=cn, partstat=partstat, mid="mail.gmail.com")


def apple(*, ics: str, sender: str, cn: str, partstat: str) -> bytes:
    """Apple Mail: mixed of the text and a ``text/calendar`` attachment, quoted-printable."""
    from email import charset

    msg = MIMEMultipart("mixed")
    msg.attach(MIMEText(f"{cn} {WORD[partstat].lower()}.", "plain", "us-ascii"))
    qp = charset.Charset("utf-8")
    qp.body_encoding = charset.QP
    cal = MIMEText(ics, "calendar", qp)
    cal.set_param("method", "REPLY")
    cal.set_param("name", "iCal-20260303-080000.ics")
    cal.add_header("Content-Disposition", "attachment", filename="iCal-20260303-080000.ics")
    msg.attach(cal)
    return _head(msg, sender=sender, cn=cn, partstat=partstat, mid="icloud.com")


SHAPES = {"outlook": outlook, "gmail": gmail, "apple": apple}
PRODIDS = {
    "outlook": "Microsoft Exchange Server 2010",
    "gmail": "-//Google Inc//Google Calendar 70.9054//EN",
    "apple": "-//Apple Inc.//macOS 14.4//EN",
}


def reply_from(shape: str, person, meeting, partstat: str, *, seq: int | None = None, uid: str = "") -> bytes:
    ics = reply_ics(
        uid=uid or meeting.uid,
        seq=meeting.sequence if seq is None else seq,
        partstat=partstat,
        email=person.email,
        cn=person.full_name,
        prodid=PRODIDS[shape],
    )
    return SHAPES[shape](ics=ics, sender=person.email, cn=person.full_name, partstat=partstat)


def invited_scene():
    w = zones_scene(n_extra=5)  # ten invitees: nine answer from their calendars, one does not
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW + dt.timedelta(minutes=1))
    return w


def test_three_answers_from_three_clients_are_recorded_exactly_once(mailbox):
    w = invited_scene()
    sent = []
    for i, person in enumerate(w.everyone[:9]):
        shape, partstat = list(SHAPES)[i % 3], ["ACCEPTED", "TENTATIVE", "DECLINED"][i // 3]
        raw = reply_from(shape, person, w.meeting, partstat)
        mailbox.append(raw, "INBOX")
        sent.append((person, partstat, raw))
    with clock(NOW + dt.timedelta(hours=1)):
        assert inbox_read() == {Outcome.APPLIED: 9}
        assert inbox_read() == {}  # nothing left to read
    assert in_folder(mailbox, "INBOX") == [] and len(in_folder(mailbox, "processed")) == 9
    for person, partstat, _ in sent:
        inv = Invitation.objects.get(meeting=w.meeting, person=person)
        assert inv.partstat == partstat
        trail = [
            h for h in inv.history.all() if (h.history_change_reason or "").startswith("iTIP REPLY by e-mail")
        ]
        assert len(trail) == 1 and trail[0].partstat == partstat  # the audit trail says how it came
    # The same messages delivered again (a second copy in the inbox): filed, never applied twice.
    for _, _, raw in sent[:3]:
        mailbox.append(raw, "INBOX")
    with clock(NOW + dt.timedelta(hours=2)):
        assert inbox_read() == {Outcome.APPLIED: 3}
    assert InboundReply.objects.count() == 9
    for person, _, _ in sent[:3]:
        inv = Invitation.objects.get(meeting=w.meeting, person=person)
        assert sum(1 for h in inv.history.all() if h.history_change_reason) == 1
    # Chasers go only to who has not answered: the tenth.
    for day in (at(2026, 4, 20), at(2026, 4, 29)):
        deliver(day)
    chased = set(
        Message.objects.filter(kind=Kind.CHASER, status=Message.Status.SENT).values_list(
            "recipient", flat=True
        )
    )
    assert chased == {w.everyone[9].email}


def test_stale_foreign_unknown_oversized_and_malformed_replies_are_filed_never_applied(mailbox, settings):
    w = invited_scene()
    manila, yangon = w.people.manila, w.people.yangon
    stranger = user_make("stranger", email="stranger@example.org").person
    w.meeting.sequence += 1  # the meeting changed since the invitation these answers reply to
    w.meeting.save()
    cases = {
        "older sequence": reply_from("outlook", manila, w.meeting, "ACCEPTED", seq=w.meeting.sequence - 1),
        "not on the list": reply_from("gmail", stranger, w.meeting, "ACCEPTED"),
        "unknown uid": reply_from("apple", yangon, w.meeting, "DECLINED", uid="nobody@example.org"),
        "from another address": outlook(
            ics=reply_ics(
                uid=w.meeting.uid,
                seq=w.meeting.sequence,
                partstat="DECLINED",
                email=yangon.email,
                cn="X",
                prodid=PRODIDS["outlook"],
            ),
            sender="someone-else@example.org",
            cn="Someone Else",
            partstat="DECLINED",
        ),
        "malformed": outlook(
            ics="BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nthis is not",
            sender=yangon.email,
            cn="Cho",
            partstat="ACCEPTED",
        ),
    }
    for raw in cases.values():
        mailbox.append(raw, "INBOX")
    big = MIMEMultipart("mixed")
    big.attach(MIMEText("A very large reply", "plain"))
    big.attach(
        MIMEApplication(os.urandom(16 * 1024 * 1024), "octet-stream", name="huge.bin")
    )  # ~21 MB in base64
    big_raw = _head(big, sender=yangon.email, cn="Cho", partstat="ACCEPTED", mid="example.org")
    assert len(big_raw) > 20 * 1024 * 1024
    mailbox.append(big_raw, "INBOX")
    del big, big_raw

    tracemalloc.start()
    with clock(NOW + dt.timedelta(hours=1)):
        counts = inbox_read()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # the 21 MB message was judged by its reported size, never fetched
    assert counts == {Outcome.REFUSED: 5, Outcome.UNMATCHED: 1}
    reasons = " | ".join(InboundReply.objects.values_list("reason", flat=True))
    assert "the meeting has changed since" in reasons
    assert "stranger@example.org is not on the list" in reasons
    assert "No meeting has UID nobody@example.org" in reasons
    assert "sent from someone-else@example.org, answering for" in reasons
    assert "malformed" in reasons and "too large" in reasons
    assert InboundReply.objects.count() == 6  # every message has its row
    assert sorted(in_folder(mailbox, "unmatched")) == ["Declined: 21st ACCMSME Meeting"]
    assert len(in_folder(mailbox, "refused")) == 5 and in_folder(mailbox, "INBOX") == []
    assert not Invitation.objects.filter(meeting=w.meeting).exclude(partstat="NEEDS-ACTION").exists()
    # The Secretariat sees them on the Outbox page.
    sec = user_make("secretariat", secretariat=True)
    page = client_as(sec).get("/outbox/").content.decode()
    assert "read from organizer@127.0.0.1" in page
    assert "No meeting has UID nobody@example.org" in page and "too large" in page


def test_a_counter_proposal_is_declined_politely_and_by_declinecounter(mailbox, tmp_path):
    w = invited_scene()
    ics = (
        reply_ics(
            uid=w.meeting.uid,
            seq=w.meeting.sequence,
            partstat="ACCEPTED",
            email=w.people.manila.email,
            cn="Ben",
            prodid=PRODIDS["outlook"],
        )
        .replace("METHOD:REPLY", "METHOD:COUNTER")
        .replace("20260504T090000", "20260505T090000")
    )
    mailbox.append(outlook(ics=ics, sender=w.people.manila.email, cn="Ben", partstat="COUNTER"), "INBOX")
    with clock(NOW):
        assert inbox_read() == {Outcome.COUNTER: 1}
    sent = [m for m in deliver(NOW + dt.timedelta(minutes=1)) if m.to == [w.people.manila.email]]
    assert [m.subject for m in sent] == ["Re: your proposed new time for 21st ACCMSME Meeting"]
    assert "we cannot change it from a calendar reply" in sent[0].body
    # Beside the polite text, an iTIP DECLINECOUNTER (RFC 5546 §3.2.8) the calendar itself understands.
    params, body = calendar_part(sent[0])
    assert params["method"] == "DECLINECOUNTER"
    cal = Calendar.from_ical(body)
    (event,) = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "DECLINECOUNTER"
    assert str(event["UID"]) == w.meeting.uid and int(event["SEQUENCE"]) == w.meeting.sequence
    assert str(event["ATTENDEE"]) == f"mailto:{w.people.manila.email}"
    assert str(event["ORGANIZER"]) == "mailto:accmsme@asean.org"
    assert "DTSTAMP" in event and "DTSTART" not in event
    path = tmp_path / "declinecounter.ics"
    path.write_text(body)
    (read,) = ical_js([path])
    assert read["method"] == "DECLINECOUNTER"
    (js_event,) = read["events"]
    assert js_event["uid"] == w.meeting.uid and js_event["sequence"] == w.meeting.sequence
    assert js_event["attendees"] == [f"mailto:{w.people.manila.email}"]
    assert js_event["organizer"] == "mailto:accmsme@asean.org"
    w.meeting.refresh_from_db()
    assert w.meeting.start == at(2026, 5, 4, 9)  # nothing moved
    assert Invitation.objects.get(meeting=w.meeting, person=w.people.manila).partstat == "NEEDS-ACTION"


def test_without_a_mailbox_reading_is_off_and_the_outbox_page_says_so(settings):
    settings.ITIP_IMAP_URL = ""
    assert inbox_read() == {}
    assert "off, no organizer mailbox is configured" in inbox_state()
    sec = user_make("secretariat", secretariat=True)
    page = client_as(sec).get("/outbox/").content.decode()
    assert "Calendar replies by e-mail: off, no organizer mailbox is configured (ITIP_IMAP_URL)" in page
