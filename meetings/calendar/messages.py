"""The messages about a meeting, built when they are sent from the meeting as it stands (a message keeps no
copy of it): invitation, update, cancellation, reminder, coming-up notice, chaser, agenda. Each is checked
first (``meetings.calendar.checks``), so a superseded version is withheld, never sent.

Registered with the outbox for every meeting kind (``register``), with the Outbox page's meeting filter."""

from __future__ import annotations

import datetime as dt
from email.mime.text import MIMEText
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils.html import conditional_escape

from meetings.calendar import ics as ical
from meetings.calendar.checks import invitation_for, why_not_send
from meetings.calendar.currency import lock_chunk
from meetings.calendar.itip import DECLINECOUNTER, decline_counter_calendar
from meetings.calendar.kinds import LATE_POLICY, VERSIONED_KINDS, Kind
from meetings.calendar.preferences import digest_lines, preference_of, preferences_preload
from meetings.calendar.rsvp import earlier_answer_line, rsvp_links
from meetings.models import AgendaVersion, DigestNotice, Invitation, Meeting, MeetingNotice
from meetings.times import ZoneNamer, agenda_item_time, fmt_date, meeting_times
from outbox import wire
from outbox.models import Message
from outbox.registry import About, KindSpec, Withheld, register_kind, register_page_filter
from outbox.sending import SendContext
from outbox.wire import WireCopy, WireTemplate


def zone_namer(ctx: SendContext) -> ZoneNamer:
    if "zone_namer" not in ctx.cache:
        ctx.cache["zone_namer"] = ZoneNamer()
    return ctx.cache["zone_namer"]


def personal_calendars(ctx: SendContext) -> ical.PersonalCalendars:
    if "calendars" not in ctx.cache:
        ctx.cache["calendars"] = ical.PersonalCalendars(ctx.now, zone_namer(ctx))
    return ctx.cache["calendars"]


def preload(messages: list[Message], ctx: SendContext) -> None:
    """The batch's notices with their meetings and people, and the matching invitations: two queries for
    the batch instead of several per message. Notices about one meeting share one Meeting object."""
    notices = ctx.cache.setdefault("meeting_notices", {})
    meetings: dict[int, Meeting] = {}
    for notice in MeetingNotice.objects.filter(pk__in=[m.pk for m in messages]).select_related(
        "meeting__body", "meeting__host", "person__member_state"
    ):
        notice.meeting = meetings.setdefault(notice.meeting_id, notice.meeting)
        notices[notice.pk] = notice
    pairs = {(n.meeting_id, n.person_id) for n in notices.values() if n.person_id}
    preferences_preload({p for _, p in pairs}, ctx.cache)
    invitations = ctx.cache.setdefault("invitations", {})
    if pairs:
        for inv in Invitation.objects.filter(
            meeting_id__in={m for m, _ in pairs}, person_id__in={p for _, p in pairs}
        ).select_related("person"):
            if (inv.meeting_id, inv.person_id) in pairs:
                invitations[(inv.meeting_id, inv.person_id)] = inv


def lock(messages: list[Message], ctx: SendContext) -> None:
    """At the start of a chunk's send transaction: the meetings and invitations its messages are checked
    against, read and locked for share in two queries (``currency.lock_chunk``)."""
    notices = ctx.cache.get("meeting_notices", {})
    lock_chunk([notices[m.pk] for m in messages if m.pk in notices], ctx.locked)


def build(message: Message, ctx: SendContext) -> EmailMultiAlternatives | Withheld:
    notices = ctx.cache.get("meeting_notices", {})
    notice = notices.get(message.pk)
    if notice is None:
        notice = (
            MeetingNotice.objects.select_related("meeting__body", "meeting__host", "person")
            .filter(pk=message.pk)
            .first()
        )
    stop = why_not_send(message, notice, ctx)
    if stop is not None:
        return stop
    return meeting_message(message, notice, ctx)


def describe(messages: list[Message]) -> dict[int, About]:
    notices = MeetingNotice.objects.filter(pk__in=[m.pk for m in messages]).select_related("meeting")
    return {
        n.pk: About(
            title=n.meeting.title,
            url=n.meeting.get_absolute_url(),
            version=n.sequence,
            current_version=n.meeting.sequence,
        )
        for n in notices
    }


def about_meeting(messages: QuerySet[Message], meeting_id: str) -> QuerySet[Message]:
    """The Outbox page's ``?meeting=<id>``: the messages about that meeting and its action items."""
    if not meeting_id.isdigit():
        return messages
    return messages.filter(
        Q(meeting_notice__meeting_id=int(meeting_id))
        | Q(action_item_notice__action_item__meeting_id=int(meeting_id))
    )


def counter_declined(message: Message, ctx: SendContext) -> EmailMultiAlternatives | Withheld:
    """The polite answer to a counter-proposal (a new time proposed from a calendar): the text, and an iTIP
    DECLINECOUNTER (``text/calendar; method=DECLINECOUNTER``) so the calendar drops the proposed time."""
    notice = MeetingNotice.objects.select_related("meeting", "person").filter(pk=message.pk).first()
    if notice is None or notice.person is None:
        return Withheld(Message.Status.CANCELLED, "meeting or person deleted")
    meeting, person = notice.meeting, notice.person
    inv = invitation_for(notice)
    if inv is None:
        return Withheld(Message.Status.CANCELLED, "no invitation to answer for")
    times = meeting_times(meeting, person.effective_timezone, namer=zone_namer(ctx))
    lines = [
        f"Dear {person.full_name},",
        "",
        f"Thank you for proposing another time for {meeting.title}. The time of the meeting is agreed by "
        "the chair with the Member States, so we cannot change it from a calendar reply; the meeting "
        "stays as it is:",
        "",
        *times.lines,
        "",
        f"If the time does not suit your delegation, please write to us at {settings.SECRETARIAT_MAILBOX}.",
        f"Meeting page: {ical.meeting_url(meeting)}",
        "",
        "ASEAN Secretariat, for the ACCMSME",
    ]
    msg = CalendarEmail(
        f"Re: your proposed new time for {meeting.title}",
        "\n".join(lines) + "\n",
        settings.DEFAULT_FROM_EMAIL,
        [message.recipient],
    )
    msg.calendar_method = DECLINECOUNTER
    comment = "The time of the meeting is agreed by the chair with the Member States; it stays as it is."
    ics = decline_counter_calendar(invitation=inv, now=ctx.now, comment=comment)
    msg.attach_alternative(ics.decode(), "text/calendar")
    return msg


def digest(message: Message, ctx: SendContext) -> EmailMultiAlternatives | Withheld:
    """One message a day with the reminders held for a digest reader."""
    notice = DigestNotice.objects.select_related("person__member_state").filter(pk=message.pk).first()
    if notice is None:
        return Withheld(Message.Status.CANCELLED, "person deleted")
    lines = digest_lines(notice.person, notice.day)
    if not lines:
        return Withheld(Message.Status.SKIPPED, "nothing was held for this day")
    text = "\n".join(
        [
            f"Dear {notice.person.full_name},",
            "",
            f"Your daily digest for {fmt_date(notice.day)}:",
            "",
            *lines,
            "",
            "You chose one daily digest instead of separate reminders; change it under Notifications.",
            "ASEAN Secretariat, for the ACCMSME",
        ]
    )
    subject = (
        f"Your daily digest: {len(lines)} notice{'s' if len(lines) != 1 else ''}, {fmt_date(notice.day)}"
    )
    return EmailMultiAlternatives(subject, text + "\n", settings.DEFAULT_FROM_EMAIL, [message.recipient])


def register() -> None:
    register_page_filter("meeting", about_meeting)
    register_kind(KindSpec(kind=Kind.DIGEST, label=Kind.DIGEST.label, build=digest))
    register_kind(
        KindSpec(kind=Kind.COUNTER_DECLINED, label=Kind.COUNTER_DECLINED.label, build=counter_declined)
    )
    for kind in VERSIONED_KINDS:
        register_kind(
            KindSpec(
                kind=kind,
                label=Kind(kind).label,
                build=build,
                preload=preload,
                lock=lock,
                describe=describe,
                late_policy=LATE_POLICY.get(kind, "skip"),
            )
        )


class CalendarEmail(EmailMultiAlternatives):
    """An email whose ``text/calendar`` alternative carries ``method=`` equal to the body's METHOD, as
    Outlook and Gmail require before they show Accept/Decline."""

    calendar_method = "REQUEST"

    def _create_mime_attachment(self, content, mimetype):
        if mimetype == "text/calendar":
            part = MIMEText(content, "calendar", self.encoding or settings.DEFAULT_CHARSET)
            part.set_param("method", self.calendar_method)
            return part
        return super()._create_mime_attachment(content, mimetype)


def _relative_day(meeting: Meeting, now: dt.datetime) -> str:
    zone = ZoneInfo(meeting.timezone)
    days = (meeting.start.astimezone(zone).date() - now.astimezone(zone).date()).days
    return {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")


def _agenda_lines(version: AgendaVersion | None, meeting: Meeting, reader_tz: str | None, namer) -> list[str]:
    """The frozen items of a circulated agenda, with their times in host time and the reader's."""
    if version is None:
        return []
    lines = []
    items = version.items if isinstance(version.items, list) else []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            lines.append(f"{i}. {item}")
            continue
        number = item.get("number") or item.get("position") or i
        title = item.get("title", "")
        when = ""
        if item.get("starts_at"):
            try:
                starts = dt.datetime.fromisoformat(str(item["starts_at"]))
                when = agenda_item_time(starts, meeting, reader_tz, show_reader=True, namer=namer)
            except ValueError:
                when = ""
        lines.append(f"{number}. {title}" + (f" — {when}" if when else ""))
    return lines


# Where the per-person parts go in a rendering shared by everyone who reads the same thing (``outbox.wire``
# markers: characters no name, link or template holds, and that HTML escaping leaves alone). The HTML has
# markers of its own, since its values are escaped.
_RENDERED: dict[tuple, Reading] = {}
_RENDERED_MAX = 256


class Reading:
    """The text and HTML of one reading with markers for the person's parts, and, made when first asked
    for, the whole email flattened once per calendar method (``outbox.wire.WireTemplate``)."""

    __slots__ = ("text", "html", "wires")

    def __init__(self, text: str, html: str) -> None:
        self.text, self.html = text, html
        self.wires: dict[tuple, WireTemplate] = {}

    def wire(self, subject: str, method: str | None, filename: str) -> WireTemplate:
        key = (subject, method, filename, settings.DEFAULT_FROM_EMAIL)
        if key not in self.wires:
            self.wires[key] = WireTemplate(_email(subject, self.text, self.html, method, b"", filename, ""))
        return self.wires[key]


def _slots(person, links: list, *, html: bool) -> tuple[dict | None, list]:
    prefix = "html-" if html else ""
    slotted_person = {"full_name": wire.marker(prefix + "name")} if person is not None else None
    return slotted_person, [
        (p, label, wire.marker(f"{prefix}link-{i}")) for i, (p, label, _) in enumerate(links)
    ]


def render_bodies(context: dict, person) -> tuple[str, str, Reading, dict[str, str]]:
    """The plain text and HTML of a message: the two templates rendered once per distinct reading (the
    meeting as it is, the kind, the reader's zone, their answer so far...), with the person's name and
    their signed links put in the slots. The key holds everything the templates read except those, so a
    copy is never shared between two readings that differ (a new title, another zone, another answer).
    Also returns the reading and the person's values by marker, for the email made once per reading."""
    links = context["rsvp_links"]
    meeting = context["meeting"]
    key = (
        context["kind"],
        context["subject"],
        tuple(context["intro"]),
        meeting.title,
        meeting.join_url,
        tuple(context["times"].lines),
        context["where"],
        context["meeting_url"],
        context["agenda_url"],
        context["partstat"],
        tuple(context["agenda"]),
        context["calendar_attached"],
        person is not None,
        tuple((p, label) for p, label, _ in links),
    )
    reading = _RENDERED.get(key)
    if reading is None:
        text_person, text_links = _slots(person, links, html=False)
        html_person, html_links = _slots(person, links, html=True)
        if len(_RENDERED) >= _RENDERED_MAX:
            _RENDERED.clear()
        reading = _RENDERED[key] = Reading(
            render_to_string(
                "meetings/email/message.txt", {**context, "person": text_person, "rsvp_links": text_links}
            ),
            render_to_string(
                "meetings/email/message.html", {**context, "person": html_person, "rsvp_links": html_links}
            ),
        )
    name = person.full_name if person is not None else ""
    values = {"name": name, "html-name": str(conditional_escape(name))}
    for i, (_, _, url) in enumerate(links):
        values[f"link-{i}"], values[f"html-link-{i}"] = url, str(conditional_escape(url))
    text, html = reading.text, reading.html
    for slot, value in values.items():
        if slot.startswith("html-"):
            html = html.replace(wire.marker(slot), value)
        else:
            text = text.replace(wire.marker(slot), value)
    return text, html, reading, values


def _email(
    subject: str, text: str, html: str, method: str | None, ics: bytes, filename: str, to: str
) -> EmailMultiAlternatives:
    """The email of a meeting message: text and HTML, and for the calendar kinds the ``text/calendar``
    part and an ``.ics`` file with the same content."""
    if method is None:
        msg = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
        msg.attach_alternative(html, "text/html")
        return msg
    msg = CalendarEmail(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    msg.calendar_method = method
    msg.attach_alternative(html, "text/html")
    msg.attach_alternative(ics.decode(), "text/calendar")
    msg.attach(filename, ics, "application/ics")
    return msg


def meeting_message(row: Message, notice: MeetingNotice, ctx: SendContext) -> EmailMultiAlternatives:
    """Invitation, update, cancellation, reminder, chaser or agenda: text, HTML and, for the calendar
    kinds, the ``text/calendar`` part and an ``.ics`` file with the same content."""
    meeting, person, kind = notice.meeting, notice.person, row.kind
    namer = zone_namer(ctx)
    reader_tz = person.effective_timezone if person else None
    times = meeting_times(meeting, reader_tz, namer=namer)
    inv = invitation_for(notice, ctx)
    when = fmt_date(times.host_day)
    title = meeting.title
    method = None
    links = []
    agenda = []
    days = notice.days
    if kind == Kind.INVITE:
        method, subject = ical.REQUEST, f"Invitation: {title}, {when}"
        intro = [f"You are invited to {title}."]
    elif kind == Kind.UPDATE:
        method, subject = ical.REQUEST, f"Updated: {title}, {when}"
        intro = [
            f"{title} has changed. Your calendar entry is updated; here is the meeting as it now stands."
        ]
        if inv is not None and inv.earlier_start is not None:
            earlier = fmt_date(inv.earlier_start.astimezone(ZoneInfo(meeting.timezone)).date())
            intro += [line for line in [earlier_answer_line(inv, date_text=earlier)] if line]
    elif kind == Kind.CANCEL:
        method = ical.CANCEL
        if notice.withdrawn_invitation_id is not None:
            subject = f"Removed from the list: {title}"
            intro = [f"You are no longer on the list for {title}; it is taken out of your calendar."]
        elif meeting.status == Meeting.Status.POSTPONED:
            subject = f"Postponed: {title} (new date to follow)"
            intro = [f"{title} is postponed. A new date will follow with a new invitation."]
        else:
            subject = f"Cancelled: {title}"
            intro = [f"{title} is cancelled."]
    elif kind == Kind.REMINDER:
        rel = {1: "tomorrow"}.get(days, f"in {days} days") if days else _relative_day(meeting, ctx.now)
        subject = f"Reminder: {title} {rel}"
        intro = [f"A reminder: {title} is {rel}."]
    elif kind == Kind.COMING_UP:
        rel = _relative_day(meeting, ctx.now)
        subject = f"Coming up: {title} {rel}"
        intro = [f"{title} is coming up {rel}."]
    elif kind == Kind.CHASER:
        subject = f"Please reply: {title}, {when}"
        intro = [f"We have not yet had your answer to the invitation to {title}. Please reply below."]
    elif kind == Kind.AGENDA:
        if notice.agenda_version_id is not None:
            version = notice.agenda_version
        else:
            version = meeting.agenda_versions.order_by("-number").first()
        number = version.number if version else ""
        subject = f"Agenda: {title} (version {number})"
        intro = [f"The agenda of {title} (version {number}) is circulated."]
        agenda = _agenda_lines(version, meeting, reader_tz, namer)
    else:
        raise ValueError(f"not a meeting kind: {kind}")
    answerable = inv is not None and not inv.is_withdrawn and kind != Kind.CANCEL and meeting.end > ctx.now
    if answerable and (
        kind in (Kind.INVITE, Kind.UPDATE, Kind.CHASER) or inv.partstat == Invitation.PartStat.NEEDS_ACTION
    ):
        links = rsvp_links(inv, sequence=meeting.sequence)
    context = {
        "kind": kind,
        "subject": subject,
        "intro": intro,
        "person": person,
        "meeting": meeting,
        "times": times,
        "where": ical.location_text(meeting),
        "meeting_url": ical.meeting_url(meeting),
        "agenda_url": ical.agenda_url(meeting),
        "rsvp_links": links,
        "partstat": inv.get_partstat_display() if inv else "",
        "agenda": agenda,
        "calendar_attached": method is not None,
    }
    text, html, reading, values = render_bodies(context, person)
    ics = b""
    if method is not None:
        ics = personal_calendars(ctx).calendar(
            meeting,
            method=method,
            invitation=inv,
            reader_tz=reader_tz,
            attendee_cancel=notice.withdrawn_invitation_id is not None,
            alarm=preference_of(notice.person_id, ctx.cache).alarm,
        )
    filename = "cancel.ics" if method == ical.CANCEL else "invite.ics"
    msg = _email(subject, text, html, method, ics, filename, row.recipient)
    msg.wire = WireCopy(reading.wire(subject, method, filename), values, [ics, ics] if method else [])
    return msg
