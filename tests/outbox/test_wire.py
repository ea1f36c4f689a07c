"""A message flattened once per reading and filled in per copy (``outbox.wire``) is byte for byte what
Django writes for that copy alone, boundaries and Date aside; a copy that could not be is flattened by
Django; and what goes out through the SMTP backend reads the same in a mail client's parser."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

import pytest
from django.core import mail

from meetings.calendar.kinds import Kind
from meetings.calendar.tasks import meeting_version_plan
from outbox import wire
from outbox.handout import due_ids
from outbox.sending import send_batch
from outbox.wire import WireTemplate, plain_address
from tests.outbox.sink import SMTPSink
from tests.world.calendar import cancel, zones_scene
from tests.world.clock import NOW, clock
from tests.world.mail import deliver, parse_both

pytestmark = pytest.mark.django_db

BOUNDARY = re.compile(rb'boundary="([^"]+)"')
DATE = re.compile(rb"^Date: [^\r\n]+\r\n", re.MULTILINE)


def django_bytes(message, boundaries: list[bytes]) -> bytes:
    """The copy as Django flattens it, with the boundaries the filled copy used."""
    mime = message.message()
    multiparts = [p for p in mime.walk() if p.is_multipart()]
    assert len(multiparts) == len(boundaries)
    for part, boundary in zip(multiparts, boundaries, strict=True):
        part.set_boundary(boundary.decode())
    return mime.as_bytes(linesep="\r\n")


def same_as_django(message) -> bytes:
    filled = message.wire.fill(message)
    assert filled is not None
    expected = django_bytes(message, BOUNDARY.findall(filled))
    assert DATE.sub(b"", filled) == DATE.sub(b"", expected)
    assert len(DATE.findall(filled)) == 1
    return filled


def odd_people(w) -> None:
    """Readers whose parts change the encoding: a non-ASCII name that HTML escapes, a mixed-case address."""
    odd = w.everyone[-1]
    odd.full_name = 'Nguyễn <b>"Bảo" & Co</b>'
    odd.email = "Nguyen.Bao+accmsme@Example.ORG"
    odd.save()
    plain = w.everyone[-2]
    plain.full_name = "Dao Plain"
    plain.save()


def test_every_invitation_filled_in_is_what_django_writes_for_that_reader_alone(monkeypatch):
    from meetings.calendar import messages

    made = []
    monkeypatch.setattr(messages, "WireTemplate", lambda email: made.append(1) or WireTemplate(email))
    monkeypatch.setattr(messages, "_RENDERED", {})
    w = zones_scene(n_extra=2)
    odd_people(w)
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    sent = deliver(NOW)
    assert len(sent) == len(w.everyone)
    for message in sent:
        filled = same_as_django(message)
        parsed = email.message_from_bytes(filled, policy=email.policy.default)
        assert parsed["To"] == message.to[0]
        assert parsed["Message-ID"] == message.extra_headers["Message-ID"]
    # One flattening per reading (the reader's zone here), not per reader.
    assert len(made) == len(messages._RENDERED) < len(sent)
    odd = next(m for m in sent if m.to[0].startswith("Nguyen"))
    parsed = email.message_from_bytes(odd.wire.fill(odd), policy=email.policy.default)
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert 'Dear Nguyễn <b>"Bảo" & Co</b>,' in text
    assert "Nguyễn &lt;b&gt;&quot;Bảo&quot; &amp; Co&lt;/b&gt;" in html


def test_cancellations_and_reminders_are_filled_in_as_django_writes_them():
    w = zones_scene(n_extra=1)
    odd_people(w)
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW)
    reminders = deliver(w.meeting.start - dt.timedelta(hours=20))
    kinds = {m.extra_headers["X-ACCMSME-Notification"].split(":")[0] for m in reminders}
    assert kinds == {Kind.REMINDER, Kind.CHASER}
    for message in reminders:
        filled = same_as_django(message)
        assert b"text/calendar" not in filled
    later = NOW + dt.timedelta(days=1)
    cancel(w.meeting, now=later)
    cancellations = deliver(later)
    assert len(cancellations) == len(w.everyone)
    for message in cancellations:
        filled = same_as_django(message)
        assert b'method="CANCEL"' in filled and b'filename="cancel.ics"' in filled


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda m: setattr(m, "to", ["Ana <ana@example.org>"]), id="display name"),
        pytest.param(lambda m: setattr(m, "to", ["ana@bücher.example"]), id="non-ASCII domain"),
        pytest.param(lambda m: setattr(m, "to", ["a" * 70 + "@example.org"]), id="To would fold"),
        pytest.param(
            lambda m: m.extra_headers.update({"X-ACCMSME-Notification": "k" * 80}), id="key would fold"
        ),
        pytest.param(lambda m: m.extra_headers.update({"Reply-To": "x@example.org"}), id="another header"),
        pytest.param(
            lambda m: m.wire.values.update(name="Ana\nBcc: x@example.org"), id="new line in a value"
        ),
        pytest.param(lambda m: m.wire.values.update(name="x" * 1000), id="line past 998"),
        pytest.param(lambda m: m.wire.values.update(name="=" * 15 + "1=="), id="boundary-like value"),
    ],
)
def test_a_copy_that_would_differ_from_django_is_left_to_django(change):
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    message = deliver(NOW)[0]
    assert message.wire.fill(message) is not None
    change(message)
    assert message.wire.fill(message) is None


def test_plain_addresses_are_the_ones_django_leaves_as_they_are():
    from django.core.mail.message import sanitize_address

    for address in ["a@b.example", "Ana.Jakarta+x@Example.ORG", "o'neil@example.org", "a_b-c@d-e.f"]:
        assert plain_address(address)
        assert sanitize_address(address, "utf-8") == address
    for address in ["a..b@example.org", "Ana <a@b.example>", "ana@bücher.example", "a b@c.d", ".a@b.c"]:
        assert not plain_address(address)


def test_what_the_smtp_backend_sends_is_the_filled_copy_and_reads_as_the_email(settings, monkeypatch):
    from django.core.mail import EmailMessage

    flatten = EmailMessage.message

    def flattened(self):
        if self.to != [wire._TO]:  # only the template (addressed to the stand-in) is flattened
            raise AssertionError("flattened by Django instead of filled in")
        return flatten(self)

    monkeypatch.setattr(EmailMessage, "message", flattened)
    sink = SMTPSink()
    sink.set_mode("accept")
    for name, value in sink.settings(timeout=5.0).items():
        setattr(settings, name, value)
    try:
        w = zones_scene(n_extra=1)
        odd_people(w)
        with clock(NOW):
            meeting_version_plan(meeting_id=w.meeting.pk)
        send_batch(due_ids(now=NOW, limit=100), now=NOW)
    finally:
        sink.stop()
    assert len(mail.outbox) == 0
    assert sink.per_recipient == {p.email.lower(): 1 for p in w.everyone}
    for msg in sink.received:
        assert msg.get_content_type() == "multipart/mixed"
        calendar = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
        assert calendar.get_param("method") == "REQUEST"
        ics = calendar.get_content()
        _, event, _ = parse_both(ics)
        assert str(event["ATTENDEE"]).lower() == f"mailto:{msg['To']}".lower()
        attachment = next(p for p in msg.walk() if p.get_filename() == "invite.ics")
        assert attachment.get_content().decode() == ics
        assert str(msg["X-ACCMSME-Notification"]).startswith("request:")
