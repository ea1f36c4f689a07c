"""Notification preferences: which reminders a person gets (or none), as they fall due or in one daily
digest, each reminder and "please reply" day on its own if they wish (the 7-day reminder in the digest,
no chaser the day before), and whether their invitations carry an alarm; what the Secretariat sees of them.

The choice is applied when a message is sent (``checks.why_not_send`` asks ``withheld_by_preference``), so
it holds for messages planned before it was made. A digest reader's reminders, coming-up notices and
chasers are held with the note ``HELD_FOR_DIGEST``; the sweep's ``digests_plan`` writes one digest a day
per person (its key and a unique constraint), gathering what was held on their previous day (their zone).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from governance.audit import audit
from governance.models import Body, Person
from meetings.calendar.kinds import Kind
from meetings.calendar.plan import offsets
from meetings.models import DigestNotice, MeetingNotice, NotificationPreference
from outbox.keys import message_key, object_ref, recipient_ref
from outbox.models import Message
from outbox.planning import message_save
from outbox.registry import Withheld

Status = Message.Status
Delivery = NotificationPreference.Delivery
HELD_FOR_DIGEST = "held for the daily digest"
DIGEST_KINDS = (Kind.REMINDER, Kind.COMING_UP, Kind.CHASER)
DEFAULT = NotificationPreference(
    reminders=True, chasers=True, delivery=Delivery.IMMEDIATE, alarm=True, reminder_days={}, chaser_days={}
)


def preference_of(person_id: int | None, cache: dict | None = None) -> NotificationPreference:
    """The person's choice, or the default (everything, at once, with the alarm)."""
    if person_id is None:
        return DEFAULT
    if cache is not None and "preferences" in cache:
        return cache["preferences"].get(person_id, DEFAULT)
    return NotificationPreference.objects.filter(person_id=person_id).first() or DEFAULT


def preferences_preload(person_ids: set[int], cache: dict) -> None:
    found = cache.setdefault("preferences", {})
    for pref in NotificationPreference.objects.filter(person_id__in=person_ids - set(found)):
        found[pref.person_id] = pref


# What a person may choose for one reminder (or chaser) day; a day not chosen follows their general choice.
DAY_CHANNELS = {"immediate": "as it falls due", "digest": "in the daily digest", "off": "not at all"}
# The timed kinds a person may choose day by day, with the field holding each one's choices.
DAY_FIELDS = {Kind.REMINDER: "reminder_days", Kind.CHASER: "chaser_days"}
DAY_NAMES = {Kind.REMINDER: "reminder", Kind.CHASER: "reply reminder"}


def day_channel(pref: NotificationPreference, days: int | None, kind: str = Kind.REMINDER) -> str | None:
    """Their choice for the ``kind`` message ``days`` before a meeting, or None (follow the general one)."""
    field = DAY_FIELDS.get(kind)
    if days is None or field is None:
        return None
    return (getattr(pref, field) or {}).get(str(days))


def withheld_by_preference(
    kind: str, pref: NotificationPreference, *, days: int | None = None
) -> Withheld | None:
    """Why the person's choice holds this message back, or None. A reminder or chaser day they chose on
    its own follows that choice (at once, in the digest or not at all) whatever the general one says."""
    channel = day_channel(pref, days, kind)
    if channel == "off":
        return Withheld(Status.SKIPPED, f"opted out of the {days}-day {DAY_NAMES[kind]}")
    if channel == "digest":
        return Withheld(Status.SKIPPED, HELD_FOR_DIGEST)
    if channel == "immediate":
        return None
    if kind in (Kind.REMINDER, Kind.COMING_UP) and not pref.reminders:
        return Withheld(Status.SKIPPED, "opted out of reminders")
    if kind == Kind.CHASER and not pref.chasers:
        return Withheld(Status.SKIPPED, "opted out of reply reminders")
    if kind in DIGEST_KINDS and pref.delivery == Delivery.DIGEST:
        return Withheld(Status.SKIPPED, HELD_FOR_DIGEST)
    return None


def _days_clean(field: str, chosen: dict | None) -> dict[str, str]:
    days = {}
    for day, channel in (chosen or {}).items():
        if channel not in DAY_CHANNELS or not str(day).isdigit() or int(day) <= 0:
            raise ValidationError({field: f"Not a day's choice: {day} → {channel}."})
        days[str(int(day))] = channel
    return days


def preference_save(
    *,
    person: Person,
    reminders: bool,
    chasers: bool,
    delivery: str,
    alarm: bool,
    reminder_days: dict | None = None,
    chaser_days: dict | None = None,
):
    """Set a person's choice (one row per person). ``reminder_days`` and ``chaser_days``: {days before:
    channel} for the days chosen on their own; a day left out follows ``reminders`` (or ``chasers``) and
    ``delivery``. The database refuses a malformed map too (decision 0064)."""
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": f"Choose one of: {', '.join(Delivery.values)}."})
    choice = dict(
        reminders=reminders,
        chasers=chasers,
        delivery=delivery,
        alarm=alarm,
        reminder_days=_days_clean("reminder_days", reminder_days),
        chaser_days=_days_clean("chaser_days", chaser_days),
    )
    pref, _ = NotificationPreference.objects.update_or_create(person=person, defaults=choice)
    audit(
        action="notification_preferences", obj=person, summary=f"Notifications of {person} set", data=choice
    )
    return pref


def reminder_offsets(kind: str = Kind.REMINDER) -> list[int]:
    """The days any body reminds (or chases) on, longest first: the days a person can choose one by one."""
    field = "chaser_days" if kind == Kind.CHASER else "reminder_days"
    days: set[int] = set()
    for values in Body.objects.values_list(field, flat=True):
        days.update(offsets(values))
    return sorted(days, reverse=True)


def _days_in_words(kind: str, chosen: dict) -> str:
    when = lambda d: "the day before" if d == "1" else f"{d} days before"  # noqa: E731
    ordered = sorted(chosen.items(), key=lambda item: -int(item[0]))
    days = ", ".join(f"{when(d)} {DAY_CHANNELS[c]}" for d, c in ordered if c in DAY_CHANNELS)
    return f"the {DAY_NAMES[kind]} {days}"


def receives(pref: NotificationPreference) -> str:
    """What the person will receive, in words (the Secretariat's list)."""
    parts = ["invitations and updates at once"]
    timed = [name for name, on in (("reminders", pref.reminders), ("reply reminders", pref.chasers)) if on]
    if timed:
        when = "in one daily digest" if pref.delivery == Delivery.DIGEST else "as they fall due"
        parts.append(f"{' and '.join(timed)} {when}")
    else:
        parts.append("no reminders")
    for kind, field in DAY_FIELDS.items():
        if getattr(pref, field):
            parts.append(_days_in_words(kind, getattr(pref, field)))
    parts.append("an alarm in the calendar entry" if pref.alarm else "no alarm")
    return "; ".join(parts)


def people_with_preferences() -> QuerySet[Person]:
    """Everyone with an e-mail address, with their choice (one query)."""
    return Person.objects.exclude(email="").select_related("notification_preference").order_by("full_name")


# --- The daily digest ----------------------------------------------------------------------------------


def _day_bounds(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), zone)
    return start.astimezone(dt.UTC), dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time(), zone
    ).astimezone(dt.UTC)


def held_for(person: Person, day: dt.date) -> QuerySet[Message]:
    """What was held for this person's digest on ``day`` (their zone)."""
    start, end = _day_bounds(day, ZoneInfo(person.effective_timezone or "UTC"))
    return Message.objects.filter(
        meeting_notice__person=person,
        kind__in=list(DIGEST_KINDS),
        status=Status.SKIPPED,
        note=HELD_FOR_DIGEST,
        due_at__gte=start,
        due_at__lt=end,
    ).order_by("due_at")


def digest_key(person: Person, day: dt.date) -> str:
    return message_key(
        "digest", object_ref("person", person.pk), recipient_ref(person_id=person.pk), f"{day}"
    )


def digests_plan(*, now: dt.datetime) -> int:
    """A sweep step: one digest per digest reader for their previous day, when anything was held."""
    planned = 0
    # Whoever had something held lately: digest readers, and those who chose the digest for one day only.
    held_lately = Message.objects.filter(
        kind__in=list(DIGEST_KINDS),
        status=Status.SKIPPED,
        note=HELD_FOR_DIGEST,
        due_at__gte=now - dt.timedelta(days=3),
        due_at__lt=now,
    ).values("meeting_notice__person")
    readers = Person.objects.filter(pk__in=held_lately).exclude(email="")
    for person in readers.select_related("member_state"):
        day = now.astimezone(ZoneInfo(person.effective_timezone or "UTC")).date() - dt.timedelta(days=1)
        if DigestNotice.objects.filter(person=person, day=day).exists() or not held_for(person, day).exists():
            continue
        message = Message(key=digest_key(person, day), kind=Kind.DIGEST, recipient=person.email, due_at=now)
        planned += message_save(message, DigestNotice(person=person, day=day))
    return planned


def digest_lines(person: Person, day: dt.date) -> list[str]:
    """One line per notice held that day: what, about which meeting, with its link."""
    from meetings.calendar.ics import meeting_url

    held = list(held_for(person, day))
    notices = {
        n.pk: n for n in MeetingNotice.objects.filter(pk__in=[m.pk for m in held]).select_related("meeting")
    }
    lines = []
    for message in held:
        notice = notices.get(message.pk)
        if notice is None:
            continue
        meeting = notice.meeting
        when = f" ({notice.days} days before)" if notice.days else ""
        lines.append(f"- {Kind(message.kind).label}: {meeting.title}{when} — {meeting_url(meeting)}")
    return lines
