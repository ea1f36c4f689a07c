"""A meeting's life: scheduled, changed, confirmed, postponed, cancelled, held; what to look at before
confirming it (conflicts); and what every write of the record side shares (the venue's time, the lock on the
meeting, the after-commit hooks).

Functions are keyword-only and named ``<noun>_<verb>``. Each write runs in one transaction and raises
``ValidationError`` (with the field named) before anything is stored; the calendar side is told after commit
through the hooks of ``meetings.calendar.tasks``, which act once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chairmanship.models import ChairTerm
from governance import concurrency
from governance.models import Body, MemberState
from meetings.calendar import rsvp
from meetings.calendar import tasks as calendar
from meetings.models import Invitation, Meeting, MeetingSeries
from meetings.numbering import meeting_title, ordinal

Status = Meeting.Status

# Changes a calendar must hear about (they raise Meeting.sequence): what a delegate sees in the entry.
TIME_FIELDS = ("start", "end")
PLACE_FIELDS = ("venue", "city", "timezone", "modality", "join_url")
SIGNIFICANT_FIELDS = TIME_FIELDS + PLACE_FIELDS + ("title",)
# Invitees have been told about the meeting in these states, so changes must reach them.
ANNOUNCED = (Status.CONFIRMED, Status.POSTPONED)


# --- Time --------------------------------------------------------------------------------------------------


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone_get(name: str, *, field_name: str = "timezone") -> zoneinfo.ZoneInfo:
    if not name or name not in _zones():
        raise ValidationError(
            {field_name: f"“{name}” is not an IANA time zone (for example Asia/Jakarta or Asia/Manila)."}
        )
    return zoneinfo.ZoneInfo(name)


def localize(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A naive time is the wall-clock time at the venue; an aware one is kept as the instant it names."""
    return value.replace(tzinfo=tz) if timezone.is_naive(value) else value


def fmt_day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


# --- Meetings ----------------------------------------------------------------------------------------------


def _meeting_check(m: Meeting) -> None:
    """Refuse a meeting that cannot be stored, naming each wrong field."""
    errors: dict[str, str] = {}
    if not (m.title or "").strip():
        errors["title"] = "Give the meeting a title."
    tz = _check_times(m, errors)
    if m.modality == Meeting.Modality.HYBRID and not m.join_url:
        errors["join_url"] = "A hybrid meeting needs a join link."
    if m.modality not in Meeting.Modality.values:
        errors["modality"] = f"Modality must be one of: {', '.join(Meeting.Modality.values)}."
    _check_series(m, errors)
    if m.host_id and tz is not None and m.start is not None and "start" not in errors:
        day = m.start.astimezone(tz).date()
        if not m.host.is_member_on(day):
            errors["host"] = f"{m.host} is not an ASEAN member on {fmt_day(day)}."
    if errors:
        raise ValidationError(errors)


def _check_times(m: Meeting, errors: dict[str, str]) -> zoneinfo.ZoneInfo | None:
    """The zone, the start and the end (read at the venue when naive); returns the zone if it is valid."""
    tz = None
    try:
        tz = zone_get(m.timezone)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if m.start is None:
        errors["start"] = "Give the start."
    if m.end is None:
        errors["end"] = "Give the end."
    if tz is not None and m.start is not None and m.end is not None:
        m.start, m.end = localize(m.start, tz), localize(m.end, tz)
        if m.end <= m.start:
            errors["end"] = (
                f"The meeting cannot end before it starts: it starts "
                f"{m.start.astimezone(tz):%d %b %Y %H:%M} and ends {m.end.astimezone(tz):%d %b %Y %H:%M}."
            )
        elif m.end - m.start > dt.timedelta(days=31):
            errors["end"] = "A meeting lasts at most 31 days; check the end date."
    return tz


def _check_series(m: Meeting, errors: dict[str, str]) -> None:
    """The series is the body's own, and a number or label is used once in it."""
    if m.series_id and m.series.body_id != m.body_id:
        errors["series"] = f"The series “{m.series}” belongs to {m.series.body}, not {m.body}."
    if m.number and not m.series_id:
        errors["number"] = "A number belongs to a series: choose the series."
    if m.series_id and m.number:
        other = Meeting.objects.filter(series_id=m.series_id, number=m.number).exclude(pk=m.pk).first()
        if other:
            errors["number"] = (
                f"The {ordinal(m.number)} of the series is already recorded: {other.title} "
                f"({fmt_day(other.start.date())}). Recorded numbers are never reused."
            )
    if (
        m.series_id
        and m.label
        and Meeting.objects.filter(series_id=m.series_id, label=m.label).exclude(pk=m.pk).exists()
    ):
        errors["label"] = f"“{m.label}” is already used in the series."


def save_checked(obj, *, errors: dict[str, str]) -> None:
    """Save in a savepoint and turn a constraint the checks missed (a race) into a clear error."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(errors) from exc


def previous_meeting(*, body: Body, series: MeetingSeries | None, before: dt.datetime) -> Meeting | None:
    qs = Meeting.objects.filter(body=body, start__lt=before).exclude(status=Status.CANCELLED)
    if series is not None:
        qs = qs.filter(series=series)
    return qs.order_by("-start").first()


def meeting_create(
    *,
    body: Body,
    start: dt.datetime,
    end: dt.datetime,
    timezone_name: str = "",
    host: MemberState | None = None,
    series: MeetingSeries | None = None,
    number: int | None = None,
    label: str = "",
    title: str = "",
    venue: str = "",
    city: str = "",
    modality: str = Meeting.Modality.IN_PERSON,
    join_url: str = "",
    is_public: bool = False,
    previous: Meeting | None = None,
    prepares_for: Meeting | None = None,
) -> Meeting:
    """Schedule a meeting (status planned). Naive times are read in the meeting's zone, which defaults to the
    host's capital."""
    if not timezone_name:
        if host is None:
            raise ValidationError({"timezone": "Give the time zone, or a host whose capital's zone is used."})
        timezone_name = host.timezone
    if not title and series is not None:
        title = meeting_title(series, number=number, label=label)
    m = Meeting(
        body=body,
        series=series,
        number=number,
        label=label or "",
        title=title,
        start=start,
        end=end,
        timezone=timezone_name,
        host=host,
        venue=venue,
        city=city,
        modality=modality,
        join_url=join_url,
        is_public=is_public,
        prepares_for=prepares_for,
    )
    with transaction.atomic():
        _meeting_check(m)
        m.previous = previous or previous_meeting(body=body, series=series, before=m.start)
        save_checked(m, errors={"number": "Another meeting took this number or label meanwhile; try again."})
    return m


MEETING_EDITABLE = frozenset(
    {
        "title",
        "start",
        "end",
        "timezone",
        "host",
        "venue",
        "city",
        "modality",
        "join_url",
        "is_public",
        "series",
        "number",
        "label",
        "previous",
        "prepares_for",
    }
)


def locked_meeting(meeting: Meeting | int) -> Meeting:
    pk = meeting if isinstance(meeting, int) else meeting.pk
    return Meeting.objects.select_for_update().get(pk=pk)


def meeting_update(*, meeting: Meeting, data: dict[str, Any], expected_version: str | None = None) -> Meeting:
    """Change a meeting. A change of time or place raises the sequence; if invitees were told about the
    meeting, they are told again after commit. With ``expected_version`` (the edit form's or the API
    client's), a save over someone else's newer change is refused (``governance.concurrency``)."""
    unknown = set(data) - MEETING_EDITABLE
    if unknown:
        raise ValidationError({k: "This field cannot be changed here." for k in sorted(unknown)})
    with transaction.atomic():
        m = locked_meeting(meeting)
        concurrency.check_current(m, expected_version, fields=sorted(data))
        before = {f: getattr(m, f) for f in SIGNIFICANT_FIELDS}
        for key, value in data.items():
            setattr(m, key, "" if value is None and key in ("label", "venue", "city", "join_url") else value)
        _meeting_check(m)
        changed = [f for f in SIGNIFICANT_FIELDS if getattr(m, f) != before[f]]
        if changed and m.status == Status.CANCELLED:
            raise ValidationError(
                {changed[0]: "The meeting was cancelled; schedule a new meeting instead of moving this one."}
            )
        if changed:
            m.sequence += 1
        save_checked(m, errors={"number": "Another meeting took this number or label meanwhile; try again."})
        if set(changed) & set(rsvp.ANSWER_FIELDS):
            rsvp.answers_reset(meeting=m, earlier_start=before["start"])  # answers were for the old date
        if changed and m.status in ANNOUNCED:
            calendar.meeting_version_changed(meeting_id=m.pk)
    return m


TRANSITIONS: dict[str, set[str]] = {
    Status.PLANNED: {Status.CONFIRMED, Status.POSTPONED, Status.CANCELLED},
    Status.CONFIRMED: {Status.POSTPONED, Status.CANCELLED, Status.HELD},
    Status.POSTPONED: {Status.CONFIRMED, Status.POSTPONED, Status.CANCELLED},
    Status.CANCELLED: set(),
    Status.HELD: set(),
}


def _transition(m: Meeting, new: str) -> str:
    if new not in TRANSITIONS[m.status]:
        raise ValidationError(
            {
                "status": f"A {m.get_status_display().lower()} meeting cannot become "
                f"{Status(new).label.lower()}."
            }
        )
    old = m.status
    m.status = new
    m.sequence += 1
    return old


def meeting_confirm(*, meeting: Meeting) -> Meeting:
    """Confirm the meeting: everyone on its list is invited (after commit)."""
    with transaction.atomic():
        m = locked_meeting(meeting)
        _transition(m, Status.CONFIRMED)
        m.save()
        calendar.meeting_version_changed(meeting_id=m.pk)
    return m


def meeting_postpone(
    *, meeting: Meeting, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> Meeting:
    """Postpone. Without a new date the meeting becomes postponed and invitees get a CANCEL; with one it is
    re-dated (a REQUEST with the same UID and a higher SEQUENCE) and keeps or regains its confirmation."""
    if (start is None) != (end is None):
        raise ValidationError({"end" if end is None else "start": "Give both the new start and the new end."})
    with transaction.atomic():
        m = locked_meeting(meeting)
        if start is None:
            old = _transition(m, Status.POSTPONED)
            m.save()
            if old == Status.CONFIRMED:
                calendar.meeting_version_changed(meeting_id=m.pk)
            return m
        if m.status not in (Status.PLANNED, Status.CONFIRMED, Status.POSTPONED):
            raise ValidationError(
                {"status": f"A {m.get_status_display().lower()} meeting cannot be postponed."}
            )
        old_start, old = m.start, m.status
        m.start, m.end = start, end
        _meeting_check(m)
        if m.start <= old_start:
            raise ValidationError(
                {"start": "A postponement moves the meeting later; use Edit to bring it forward."}
            )
        m.sequence += 1
        if old == Status.POSTPONED:
            m.status = Status.CONFIRMED
        m.save()
        rsvp.answers_reset(meeting=m, earlier_start=old_start)  # answers were for the old date
        if old == Status.CONFIRMED:
            calendar.meeting_version_changed(meeting_id=m.pk)
        elif old == Status.POSTPONED:
            # Invitees had a CANCEL when it was put off: this is a fresh invitation at the new date.
            calendar.meeting_version_changed(meeting_id=m.pk)
    return m


def meeting_cancel(*, meeting: Meeting) -> Meeting:
    with transaction.atomic():
        m = locked_meeting(meeting)
        old = _transition(m, Status.CANCELLED)
        m.save()
        if old in ANNOUNCED:
            calendar.meeting_version_changed(meeting_id=m.pk)
    return m


def meeting_mark_held(*, meeting: Meeting) -> Meeting:
    """Record that the meeting took place. The sequence grows (a status change) but nobody is messaged:
    nothing changed for anyone's calendar."""
    with transaction.atomic():
        m = locked_meeting(meeting)
        if m.start > timezone.now():
            raise ValidationError({"status": "The meeting has not started yet; it cannot be marked held."})
        _transition(m, Status.HELD)
        m.save()
    return m


# --- Conflicts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    kind: str  # "body", "person", "chair_year", "no_chair"
    message: str
    other: Meeting | None = None


def chair_term_on(*, body_id: int, day: dt.date) -> ChairTerm | None:
    return (
        ChairTerm.objects.filter(
            body_id=body_id, role=ChairTerm.Role.CHAIR, start_date__lte=day, end_date__gte=day
        )
        .select_related("member_state")
        .first()
    )


def meeting_conflicts(*, meeting: Meeting) -> list[Conflict]:
    """What the Secretariat should look at before confirming: the body or an invitee booked twice at once,
    and a host that does not chair the body then. Warnings only: nothing here refuses a meeting."""
    out: list[Conflict] = []
    tz = zoneinfo.ZoneInfo(meeting.timezone)
    live = Meeting.objects.exclude(status=Status.CANCELLED).filter(
        start__lt=meeting.end, end__gt=meeting.start
    )
    if meeting.pk:
        live = live.exclude(pk=meeting.pk)
    for other in live.filter(body_id=meeting.body_id).order_by("start"):
        out.append(
            Conflict(
                "body",
                f"{meeting.body} already has {other.title} at the same time "
                f"({other.start.astimezone(tz):%d %b %H:%M}–{other.end.astimezone(tz):%d %b %H:%M}).",
                other,
            )
        )
    if meeting.pk:
        invited = Invitation.objects.filter(meeting=meeting, is_withdrawn=False).values("person_id")
        clashes = (
            Invitation.objects.filter(person_id__in=invited, is_withdrawn=False, meeting__in=live)
            .select_related("person", "meeting")
            .order_by("meeting__start", "person__full_name")
        )
        by_meeting: dict[int, tuple[Meeting, list[str]]] = {}
        for inv in clashes:
            by_meeting.setdefault(inv.meeting_id, (inv.meeting, []))[1].append(inv.person.full_name)
        for other, names in by_meeting.values():
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            out.append(
                Conflict(
                    "person",
                    f"{len(names)} invitee{'s' if len(names) != 1 else ''} of this meeting "
                    f"{'are' if len(names) != 1 else 'is'} also invited to {other.title} at the same time: "
                    f"{shown}.",
                    other,
                )
            )
    if meeting.host_id:
        day = meeting.start.astimezone(tz).date()
        term = chair_term_on(body_id=meeting.body_id, day=day)
        if term is None:
            if ChairTerm.objects.filter(body_id=meeting.body_id).exists():
                out.append(
                    Conflict(
                        "no_chair",
                        f"No chair term of {meeting.body} is recorded for {fmt_day(day)}: "
                        f"check that {meeting.host} is the right host.",
                    )
                )
        elif term.member_state_id != meeting.host_id:
            out.append(
                Conflict(
                    "chair_year",
                    f"{meeting.host} hosts, but {term.member_state} chairs {meeting.body} on {fmt_day(day)}: "
                    f"the meeting is outside the host's year of chairmanship. This is allowed; check it is "
                    f"intended.",
                )
            )
    return out
