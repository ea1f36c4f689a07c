"""Inbound iTIP: the answers Outlook, Gmail and Apple Mail e-mail to the organizer mailbox when a delegate
presses Accept, Tentative or Decline (RFC 6047 iMIP), read over IMAP with ``imap-tools``.

Each message is read once and filed:

- a REPLY that matches an invitation by UID, ATTENDEE and SEQUENCE (``itip.reply_match``, the same rule as
  the API) and comes from the attendee's own address is recorded (``invitation_respond``, in the
  invitation's history) and filed in ``processed``;
- a COUNTER (a proposed new time) is declined politely by mail and filed in ``processed``;
- a REPLY for an older SEQUENCE, from someone not on the list or from another address than the attendee's,
  a message with no calendar part, a malformed one, or one over ``ITIP_MAX_MESSAGE_BYTES`` (judged from the
  size the server reports, before its body is fetched) is refused with its reason and filed in ``refused``;
- a REPLY whose UID matches no meeting is kept for the Secretariat (``unmatched``).

What became of every message is an ``InboundReply`` row keyed by its Message-ID: the row and the answer
commit together, then the message is moved. A message read again (the worker died before moving it) is
moved as recorded, never applied twice. A mail provider's inbound webhook (``meetings.calendar.webhook``)
files the messages it posts through the same ``reply_file``; ``meetings.calendar.intake`` shows both.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
from dataclasses import dataclass
from email.message import Message as MimeMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from meetings.calendar.itip import Reply, ReplyError, ReplyRejected, parse_reply, reply_match
from meetings.calendar.kinds import Kind
from meetings.calendar.plan import meeting_key
from meetings.calendar.rsvp import RsvpError, invitation_respond
from meetings.models import InboundReply, Invitation, MeetingNotice
from outbox.models import Message
from outbox.planning import message_save

log = logging.getLogger(__name__)
Outcome = InboundReply.Outcome
FOLDER_OF = {
    Outcome.APPLIED: "processed",
    Outcome.COUNTER: "processed",
    Outcome.REFUSED: "refused",
    Outcome.UNMATCHED: "unmatched",
}


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    user: str
    password: str
    ssl: bool

    @property
    def label(self) -> str:
        return f"{self.user}@{self.host}"


def mailbox_settings(url: str | None = None) -> MailboxSettings | None:
    """The organizer mailbox from ``settings.ITIP_IMAP_URL`` (imaps://user:password@host:993); None when
    none is configured: reading replies is then off."""
    url = settings.ITIP_IMAP_URL if url is None else url
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
        raise ValueError("ITIP_IMAP_URL must look like imaps://user:password@host:993")
    ssl = parts.scheme == "imaps"
    return MailboxSettings(
        host=parts.hostname,
        port=parts.port or (993 if ssl else 143),
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        ssl=ssl,
    )


def mailbox_state() -> str:
    """One line for the Outbox page: reading the mailbox on (which one) or off, and why."""
    try:
        box = mailbox_settings()
    except ValueError as exc:
        return f"Calendar replies by e-mail: off, the mailbox setting is wrong ({exc})."
    if box is None:
        return (
            "Calendar replies by e-mail: off, no organizer mailbox is configured (ITIP_IMAP_URL). Answers "
            "come by RSVP links and the API only; Accept pressed in Outlook or Gmail is not read."
        )
    return f"Calendar replies by e-mail: read from {box.label} every minute."


# --- One message -------------------------------------------------------------------------------------------


def message_key(msg: MimeMessage | None, raw_header: bytes = b"") -> str:
    message_id = (msg.get("Message-ID", "") if msg is not None else "").strip()
    if message_id:
        return message_id[:300]
    return "sha256:" + hashlib.sha256(raw_header or (msg.as_bytes() if msg is not None else b"")).hexdigest()


def calendar_parts(msg: MimeMessage) -> list[bytes]:
    """The calendar files in a message, however the client put them: ``text/calendar; method=REPLY`` inline
    (Outlook), in a multipart/alternative beside an ``.ics`` attachment (Gmail), as a ``text/calendar``
    attachment (Apple Mail); base64 or quoted-printable."""
    found = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        name = (part.get_filename() or "").lower()
        if ctype in ("text/calendar", "application/ics") or name.endswith(".ics"):
            payload = part.get_payload(decode=True)
            if payload:
                found.append(payload)
    # Gmail sends the same file twice (inline and attached): answer once.
    return list(dict.fromkeys(found))


@dataclass
class Judgement:
    outcome: str
    reason: str = ""
    reply: Reply | None = None
    invitation: Invitation | None = None


def _method(part: bytes) -> str:
    try:
        return str(Calendar.from_ical(part).get("method", "")).upper()
    except ValueError as exc:
        raise ReplyError(f"Not an iCalendar file: {exc}") from None


def _counter(part: bytes, sender: str) -> Judgement:
    """A proposed new time: the meeting's time is the Secretariat's to set, so it is declined politely."""
    cal = Calendar.from_ical(part)
    event = next(iter(cal.walk("VEVENT")), None)
    uid = str(event.get("uid", "")) if event is not None else ""
    invitation = (
        Invitation.objects.select_related("meeting", "person")
        .filter(meeting__uid=uid, person__email__iexact=sender, is_withdrawn=False)
        .first()
    )
    if invitation is None:
        return Judgement(
            Outcome.UNMATCHED, f"a counter-proposal for {uid or 'no UID'} from {sender} matches nothing"
        )
    return Judgement(Outcome.COUNTER, "counter-proposal declined politely", invitation=invitation)


def _reply(part: bytes, sender: str) -> Judgement:
    replies = parse_reply(part)
    reply = replies[0]
    if len({r.email.lower() for r in replies}) > 1:
        return Judgement(Outcome.REFUSED, "a REPLY answering for several attendees", reply)
    if reply.email.lower() != sender.lower():
        return Judgement(Outcome.REFUSED, f"sent from {sender}, answering for {reply.email}", reply)
    try:
        invitation = reply_match(reply)
    except ReplyRejected as exc:
        unknown = exc.status == 404 and str(exc).startswith("No meeting")
        return Judgement(Outcome.UNMATCHED if unknown else Outcome.REFUSED, str(exc), reply)
    return Judgement(Outcome.APPLIED, "", reply, invitation)


def judge(msg: MimeMessage) -> Judgement:
    """What to do with one message (nothing written)."""
    sender = parseaddr(str(msg.get("From", "")))[1]
    parts = calendar_parts(msg)
    if not parts:
        return Judgement(Outcome.REFUSED, "no calendar reply in the message")
    part = parts[0]
    try:
        method = _method(part)
        if method == "COUNTER":
            return _counter(part, sender)
        return _reply(part, sender)
    except (ReplyError, ValueError, KeyError, IndexError) as exc:
        return Judgement(Outcome.REFUSED, f"malformed: {exc}"[:300])


def reply_file(*, msg: MimeMessage, size: int, key: str | None = None) -> InboundReply:
    """Read one message and record what became of it, once (its key). The answer is recorded in the same
    transaction as the row."""
    key = key or message_key(msg)
    existing = InboundReply.objects.filter(key=key).first()
    if existing is not None:
        return existing
    sender = parseaddr(str(msg.get("From", "")))[1]
    decided = judge(msg)
    with transaction.atomic():
        row = InboundReply(
            key=key,
            sender=sender[:320],
            subject=str(msg.get("Subject", ""))[:300],
            size=size,
            outcome=decided.outcome,
            reason=decided.reason[:300],
        )
        if decided.reply is not None:
            r = decided.reply
            row.uid, row.sequence, row.attendee, row.partstat = (
                r.uid[:250],
                r.sequence,
                r.email[:320],
                r.partstat,
            )
        if decided.invitation is not None:
            row.invitation, row.meeting = decided.invitation, decided.invitation.meeting
        if decided.outcome == Outcome.APPLIED:
            try:
                with transaction.atomic():
                    invitation_respond(
                        invitation=decided.invitation,
                        partstat=decided.reply.partstat,
                        via=f"iTIP REPLY by e-mail {key}",
                    )
            except RsvpError as exc:
                row.outcome, row.reason = Outcome.REFUSED, str(exc)[:300]
        row.save()
        if row.outcome == Outcome.COUNTER:
            counter_decline_plan(row)
    return row


def counter_decline_plan(row: InboundReply) -> None:
    """The polite answer to a counter-proposal, through the outbox (once per message read)."""
    inv = row.invitation
    message = Message(
        key=meeting_key(Kind.COUNTER_DECLINED, inv.meeting_id, inv.person_id, f"r{row.pk}"),
        kind=Kind.COUNTER_DECLINED,
        recipient=inv.person.email,
        due_at=timezone.now(),
    )
    notice = MeetingNotice(meeting=inv.meeting, person_id=inv.person_id, sequence=inv.meeting.sequence)
    message_save(message, notice)


def raw_message(data: bytes) -> MimeMessage:
    return email.message_from_bytes(data, policy=email.policy.compat32)


# --- The mailbox -------------------------------------------------------------------------------------------


def _connect(box: MailboxSettings):
    from imap_tools import MailBox, MailBoxUnencrypted

    cls = MailBox if box.ssl else MailBoxUnencrypted
    return cls(box.host, box.port, timeout=30).login(box.user, box.password)


def _ensure_folders(mailbox) -> None:
    for name in set(FOLDER_OF.values()):
        if not mailbox.folder.exists(name):
            mailbox.folder.create(name)


def inbox_read(*, box: MailboxSettings | None = None) -> dict[str, int]:
    """Read the organizer mailbox's INBOX once: file every message. Returns counts by outcome. Headers
    first (with the size the server reports), so an oversized message is refused without being fetched."""
    from imap_tools import AND

    box = box or mailbox_settings()
    if box is None:
        return {}
    counts: dict[str, int] = {}
    limit = settings.ITIP_MAX_MESSAGE_BYTES
    with _connect(box) as mailbox:
        _ensure_folders(mailbox)
        mailbox.folder.set("INBOX")
        heads = list(
            mailbox.fetch(headers_only=True, mark_seen=False, limit=settings.ITIP_IMAP_BATCH, bulk=True)
        )
        for head in heads:
            if head.size_rfc822 > limit:
                row = _refuse_oversize(head, limit)
            else:
                full = next(iter(mailbox.fetch(AND(uid=head.uid), mark_seen=False)), None)
                if full is None:
                    continue  # gone meanwhile (another reader moved it)
                row = reply_file(msg=full.obj, size=head.size_rfc822, key=message_key(full.obj))
            mailbox.move(head.uid, FOLDER_OF[row.outcome])
            counts[row.outcome] = counts.get(row.outcome, 0) + 1
    return counts


def _refuse_oversize(head, limit: int) -> InboundReply:
    key = message_key(head.obj, raw_header=f"{head.uid}:{head.size_rfc822}".encode())
    row, _ = InboundReply.objects.get_or_create(
        key=key,
        defaults=dict(
            sender=parseaddr(head.from_)[1][:320],
            subject=(head.subject or "")[:300],
            size=head.size_rfc822,
            outcome=Outcome.REFUSED,
            reason=f"too large: {head.size_rfc822} bytes, the limit is {limit}",
        ),
    )
    return row
