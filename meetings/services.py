"""Rules of meetings: the year's schedule, each meeting's life, the agenda and its versions, documents,
participation, the record, and the report's way up the reporting line.

Functions are keyword-only and named ``<noun>_<verb>``. Each write runs in one transaction and raises
``ValidationError`` (with the field named) before anything is stored; the calendar side is told after commit
through the hooks in ``meetings.notifications``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import uuid
import zipfile
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from chairmanship.models import ChairTerm
from governance.models import Body, Membership, MemberState, Person, ReportingLine
from governance.permissions import is_secretariat
from governance.services import reporting_chain
from meetings import notifications
from meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaVersion,
    Attendance,
    Decision,
    Document,
    Invitation,
    Meeting,
    MeetingSeries,
    Report,
    Submission,
)
from meetings.numbering import meeting_title, ordinal
from meetings.selectors import (
    MAX_AGENDA_DEPTH,
    action_item_owner,
    agenda_items_for,
    can_manage,
    delegation_states_for,
    meeting_date,
    number_agenda,
    open_action_items_before,
    presenter_label,
)

Status = Meeting.Status

# Changes a calendar must hear about (they raise Meeting.sequence).
TIME_FIELDS = ("start", "end")
PLACE_FIELDS = ("venue", "city", "timezone", "modality", "join_url")
SIGNIFICANT_FIELDS = TIME_FIELDS + PLACE_FIELDS
# Invitees have been told about the meeting in these states, so changes must reach them.
ANNOUNCED = (Status.CONFIRMED, Status.POSTPONED)


def _hook(name: str, **kwargs: Any) -> None:
    """Call ``meetings.notifications.<name>`` once the transaction commits (looked up late, so the calendar
    side can replace the hook)."""
    transaction.on_commit(lambda: getattr(notifications, name)(**kwargs))


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


def _fmt_day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


# --- Meetings ----------------------------------------------------------------------------------------------


def _meeting_check(m: Meeting) -> None:
    """Refuse a meeting that cannot be stored, naming each wrong field."""
    errors: dict[str, str] = {}
    if not (m.title or "").strip():
        errors["title"] = "Give the meeting a title."
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
    if m.modality == Meeting.Modality.HYBRID and not m.join_url:
        errors["join_url"] = "A hybrid meeting needs a join link."
    if m.modality not in Meeting.Modality.values:
        errors["modality"] = f"Modality must be one of: {', '.join(Meeting.Modality.values)}."
    if m.series_id and m.series.body_id != m.body_id:
        errors["series"] = f"The series “{m.series}” belongs to {m.series.body}, not {m.body}."
    if m.number and not m.series_id:
        errors["number"] = "A number belongs to a series: choose the series."
    if m.series_id and m.number:
        other = Meeting.objects.filter(series_id=m.series_id, number=m.number).exclude(pk=m.pk).first()
        if other:
            errors["number"] = (
                f"The {ordinal(m.number)} of the series is already recorded: {other.title} "
                f"({_fmt_day(other.start.date())}). Recorded numbers are never reused."
            )
    if (
        m.series_id
        and m.label
        and Meeting.objects.filter(series_id=m.series_id, label=m.label).exclude(pk=m.pk).exists()
    ):
        errors["label"] = f"“{m.label}” is already used in the series."
    if m.host_id and tz is not None and m.start is not None and "start" not in errors:
        day = m.start.astimezone(tz).date()
        if not m.host.is_member_on(day):
            errors["host"] = f"{m.host} is not an ASEAN member on {_fmt_day(day)}."
    if errors:
        raise ValidationError(errors)


def _save(obj, *, errors: dict[str, str]) -> None:
    """Save in a savepoint and turn a constraint the checks missed (a race) into a clear error."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(errors) from exc


def _previous_meeting(*, body: Body, series: MeetingSeries | None, before: dt.datetime) -> Meeting | None:
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
        m.previous = previous or _previous_meeting(body=body, series=series, before=m.start)
        _save(m, errors={"number": "Another meeting took this number or label meanwhile; try again."})
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


def _locked(meeting: Meeting | int) -> Meeting:
    pk = meeting if isinstance(meeting, int) else meeting.pk
    return Meeting.objects.select_for_update().get(pk=pk)


def meeting_update(*, meeting: Meeting, data: dict[str, Any]) -> Meeting:
    """Change a meeting. A change of time or place raises the sequence; if invitees were told about the
    meeting, they are told again after commit."""
    unknown = set(data) - MEETING_EDITABLE
    if unknown:
        raise ValidationError({k: "This field cannot be changed here." for k in sorted(unknown)})
    with transaction.atomic():
        m = _locked(meeting)
        before = {f: getattr(m, f) for f in SIGNIFICANT_FIELDS}
        for key, value in data.items():
            setattr(m, key, "" if value is None and key in ("label", "venue", "city", "join_url") else value)
        _meeting_check(m)
        changed = [f for f in SIGNIFICANT_FIELDS if getattr(m, f) != before[f]]
        if changed and m.status == Status.CANCELLED:
            raise ValidationError(
                {changed[0]: "The meeting was cancelled; schedule a new meeting instead of moving this one."}
            )
        previous_sequence = m.sequence
        if changed:
            m.sequence += 1
        _save(m, errors={"number": "Another meeting took this number or label meanwhile; try again."})
        if changed and m.status in ANNOUNCED:
            _hook("on_meeting_changed", meeting_id=m.pk, previous_sequence=previous_sequence)
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
        m = _locked(meeting)
        _transition(m, Status.CONFIRMED)
        m.save()
        _hook("on_meeting_confirmed", meeting_id=m.pk)
    return m


def meeting_postpone(
    *, meeting: Meeting, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> Meeting:
    """Postpone. Without a new date the meeting becomes postponed and invitees get a CANCEL; with one it is
    re-dated (a REQUEST with the same UID and a higher SEQUENCE) and keeps or regains its confirmation."""
    if (start is None) != (end is None):
        raise ValidationError({"end" if end is None else "start": "Give both the new start and the new end."})
    with transaction.atomic():
        m = _locked(meeting)
        if start is None:
            old = _transition(m, Status.POSTPONED)
            m.save()
            if old == Status.CONFIRMED:
                _hook("on_meeting_cancelled", meeting_id=m.pk)
            return m
        if m.status not in (Status.PLANNED, Status.CONFIRMED, Status.POSTPONED):
            raise ValidationError(
                {"status": f"A {m.get_status_display().lower()} meeting cannot be postponed."}
            )
        old_start, old, previous_sequence = m.start, m.status, m.sequence
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
        if old == Status.CONFIRMED:
            _hook("on_meeting_changed", meeting_id=m.pk, previous_sequence=previous_sequence)
        elif old == Status.POSTPONED:
            # Invitees had a CANCEL when it was put off: this is a fresh invitation at the new date.
            _hook("on_meeting_confirmed", meeting_id=m.pk)
    return m


def meeting_cancel(*, meeting: Meeting) -> Meeting:
    with transaction.atomic():
        m = _locked(meeting)
        old = _transition(m, Status.CANCELLED)
        m.save()
        if old in ANNOUNCED:
            _hook("on_meeting_cancelled", meeting_id=m.pk)
    return m


def meeting_mark_held(*, meeting: Meeting, now: dt.datetime) -> Meeting:
    """Record that the meeting took place. The sequence grows (a status change) but nobody is messaged:
    nothing changed for anyone's calendar."""
    with transaction.atomic():
        m = _locked(meeting)
        if m.start > now:
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


def _chair_term_on(*, body_id: int, day: dt.date) -> ChairTerm | None:
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
        term = _chair_term_on(body_id=meeting.body_id, day=day)
        if term is None:
            if ChairTerm.objects.filter(body_id=meeting.body_id).exists():
                out.append(
                    Conflict(
                        "no_chair",
                        f"No chair term of {meeting.body} is recorded for {_fmt_day(day)}: "
                        f"check that {meeting.host} is the right host.",
                    )
                )
        elif term.member_state_id != meeting.host_id:
            out.append(
                Conflict(
                    "chair_year",
                    f"{meeting.host} hosts, but {term.member_state} chairs {meeting.body} on {_fmt_day(day)}: "
                    f"the meeting is outside the host's year of chairmanship. This is allowed; check it is "
                    f"intended.",
                )
            )
    return out


# --- The year's meetings -----------------------------------------------------------------------------------


@dataclass
class MeetingProposal:
    """An unsaved meeting the Secretariat confirms or changes."""

    key: str
    body: Body
    series: MeetingSeries | None
    number: int | None
    label: str
    title: str
    start: dt.datetime
    end: dt.datetime
    timezone: str
    host: MemberState | None
    city: str
    prepares_for_key: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def is_preparatory(self) -> bool:
        return bool(self.prepares_for_key)


def _period_of(day: dt.date, per_year: int) -> int:
    return (day.month - 1) * per_year // 12


def _default_start(year: int, period: int, per_year: int) -> dt.date:
    """The second Wednesday of the last-but-one month of the period (halves: May and November, the months
    ACCMSME has met in)."""
    months = 12 // per_year or 1
    month = min(12, period * months + max(months - 1, 1))
    first = dt.date(year, month, 1)
    first_wed = first + dt.timedelta(days=(2 - first.weekday()) % 7)
    return first_wed + dt.timedelta(days=7)


def _weekdays_before(day: dt.date, n: int) -> list[dt.date]:
    """The n working days just before ``day``, earliest first."""
    out: list[dt.date] = []
    d = day
    while len(out) < n:
        d -= dt.timedelta(days=1)
        if d.weekday() < 5:
            out.append(d)
    return list(reversed(out))


def _main_series(body: Body) -> MeetingSeries | None:
    series = list(body.series.all())
    ordinal_series = [s for s in series if s.numbering == MeetingSeries.Numbering.ORDINAL]
    return (ordinal_series or series or [None])[0]


def meeting_year_propose(*, body: Body, year: int) -> list[MeetingProposal]:
    """Next year's meetings for ``body``: one in each period of its cadence (halves for twice a year), hosted
    by the state chairing then, numbered from the last *recorded* ordinal; the task forces that advise it meet
    back to back just before. Nothing is saved."""
    series = _main_series(body)
    if series is None:
        raise ValidationError({"body": f"{body} has no meeting series yet: add one in the admin first."})
    per_year = max(1, min(12, series.per_year or body.meetings_per_year or 1))
    recorded = list(series.meetings.exclude(status=Status.CANCELLED).order_by("start"))
    last = series.meetings.filter(number__isnull=False).order_by("-number").first()
    next_number = (last.number if last else 0) + 1
    warnings_all: list[str] = []
    if last is not None and series.numbering == MeetingSeries.Numbering.ORDINAL:
        last_day = last.start.date()
        expected = (
            last.number
            + (per_year - _period_of(last_day, per_year) - 1)
            + per_year * (year - last_day.year - 1)
            + 1
        )
        if last_day.year < year and expected != next_number:
            warnings_all.append(
                f"The last recorded is the {last.title} ({last.start:%b %Y}); by the cadence of {per_year} a "
                f"year this would be the {ordinal(expected)}. Record the meetings in between, or change the "
                f"number."
            )
    taken = {_period_of(m.start.date(), per_year) for m in recorded if m.start.year == year}
    by_period_ref: dict[int, Meeting] = {}
    for m in recorded:  # the latest well-dated meeting of each period in the last two years is the pattern
        if (
            year - 2 <= m.start.year < year
            and m.date_precision == "day"
            and (m.end - m.start) <= dt.timedelta(days=7)
        ):
            by_period_ref[_period_of(m.start.date(), per_year)] = m
    terms = list(
        ChairTerm.objects.filter(
            body=body,
            role=ChairTerm.Role.CHAIR,
            start_date__lte=dt.date(year, 12, 31),
            end_date__gte=dt.date(year, 1, 1),
        ).select_related("member_state")
    )
    advisers = _preparatory_bodies(body=body, on=dt.date(year, 1, 1))
    existing_labels = set(
        Meeting.objects.filter(series__in=[s for _, s in advisers if s]).values_list("series_id", "label")
    )
    proposals: list[MeetingProposal] = []
    for period in range(per_year):
        if period in taken:
            continue
        ref = by_period_ref.get(period)
        if ref is not None:
            tz = zoneinfo.ZoneInfo(ref.timezone)
            local_start, local_end = ref.start.astimezone(tz), ref.end.astimezone(tz)
            shift = dt.timedelta(weeks=52 * (year - local_start.year))
            start_day = (local_start + shift).date()
            end_day = (local_end + shift).date()
            times = (local_start.time().replace(tzinfo=None), local_end.time().replace(tzinfo=None))
            if _period_of(start_day, per_year) != period or start_day.year != year:
                ref = None
        if ref is None:
            start_day = _default_start(year, period, per_year)
            end_day = start_day + dt.timedelta(days=1)
            times = (dt.time(9, 0), dt.time(17, 0))
        term = next((t for t in terms if t.start_date <= start_day <= t.end_date), None)
        warnings = list(warnings_all) if period == min(set(range(per_year)) - taken) else []
        host = term.member_state if term else None
        if term is None:
            warnings.append(
                f"No chair term of {body} is recorded for {_fmt_day(start_day)}: choose the host."
            )
        elif term.is_provisional:
            warnings.append(
                f"{host} follows a provisional chair term ({term.reason or 'computed from the rotation'})."
            )
        tz_name = host.timezone if host else settings.TIME_ZONE
        tz = zoneinfo.ZoneInfo(tz_name)
        number = next_number if series.numbering == MeetingSeries.Numbering.ORDINAL else None
        label = "" if number else f"{period + 1}/{year}"
        if number:
            next_number += 1
        key = f"p{period}"
        proposals.append(
            MeetingProposal(
                key=key,
                body=body,
                series=series,
                number=number,
                label=label,
                title=meeting_title(series, number=number, label=label),
                start=dt.datetime.combine(start_day, times[0], tzinfo=tz),
                end=dt.datetime.combine(end_day, times[1], tzinfo=tz),
                timezone=tz_name,
                host=host,
                city=host.capital if host else "",
                warnings=warnings,
            )
        )
        days = _weekdays_before(start_day, len(advisers))
        for (tf, tf_series), day in zip(advisers, days, strict=True):
            if tf_series is None:
                proposals[-1].warnings.append(
                    f"{tf} has no meeting series, so no preparatory meeting is proposed."
                )
                continue
            tf_label = f"{period + 1}/{year}"
            if (tf_series.pk, tf_label) in existing_labels:
                continue
            proposals.append(
                MeetingProposal(
                    key=f"{key}-{tf.pk}",
                    body=tf,
                    series=tf_series,
                    number=None,
                    label=tf_label,
                    title=meeting_title(tf_series, label=tf_label),
                    start=dt.datetime.combine(day, dt.time(9, 0), tzinfo=tz),
                    end=dt.datetime.combine(day, dt.time(17, 0), tzinfo=tz),
                    timezone=tz_name,
                    host=host,
                    city=host.capital if host else "",
                    prepares_for_key=key,
                )
            )
    return proposals


def _preparatory_bodies(*, body: Body, on: dt.date) -> list[tuple[Body, MeetingSeries | None]]:
    """Task forces advising ``body`` on ``on``, each with its meeting series."""
    lines = (
        ReportingLine.objects.filter(
            to_body=body,
            kind=ReportingLine.Kind.ADVISES,
            from_body__kind=Body.Kind.TASK_FORCE,
            from_body__is_active=True,
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("from_body")
        .order_by("from_body__acronym")
    )
    bodies = [ln.from_body for ln in lines]
    series = {}
    for s in MeetingSeries.objects.filter(body__in=bodies).order_by("name"):
        series.setdefault(s.body_id, s)
    return [(b, series.get(b.pk)) for b in bodies]


def meeting_year_confirm(*, proposals: Sequence[MeetingProposal]) -> list[Meeting]:
    """Store the proposals the Secretariat kept (as changed): all or none. A preparatory meeting whose main
    meeting was dropped is stored on its own."""
    created: dict[str, Meeting] = {}
    with transaction.atomic():
        for p in sorted(proposals, key=lambda p: p.is_preparatory):
            try:
                created[p.key] = meeting_create(
                    body=p.body,
                    series=p.series,
                    number=p.number,
                    label=p.label,
                    title=p.title,
                    start=p.start,
                    end=p.end,
                    timezone_name=p.timezone,
                    host=p.host,
                    city=p.city,
                    prepares_for=created.get(p.prepares_for_key),
                )
            except ValidationError as exc:
                raise ValidationError(
                    {k: [f"{p.title or p.key}: {m}" for m in v] for k, v in exc.message_dict.items()}
                ) from exc
    return sorted(created.values(), key=lambda m: m.start)


# --- Agenda ------------------------------------------------------------------------------------------------


def _agenda_check_editable(meeting: Meeting) -> None:
    if meeting.status == Status.CANCELLED:
        raise ValidationError({"meeting": "The meeting was cancelled; its agenda can no longer change."})
    if AgendaVersion.objects.filter(meeting=meeting, status=AgendaVersion.Status.ADOPTED).exists():
        raise ValidationError(
            {"meeting": "The agenda was adopted; record minutes and decisions against its items instead."}
        )


def _siblings(meeting_id: int, parent_id: int | None) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(meeting_id=meeting_id, parent_id=parent_id).order_by("position", "id")
    )


def _renumber(items: list[AgendaItem]) -> None:
    for i, it in enumerate(items):
        if it.position != i:
            it.position = i
            AgendaItem.objects.filter(pk=it.pk).update(position=i)


def _depth(item: AgendaItem, parents: dict[int, int | None]) -> int:
    """Depth of ``item`` (0 for top level) from a map id -> parent id."""
    d, node = 0, item.parent_id
    while node is not None:
        d += 1
        node = parents.get(node)
    return d


def _subtree_height(item_id: int, children: dict[int | None, list[int]]) -> int:
    kids = children.get(item_id, [])
    return 1 + max((_subtree_height(k, children) for k in kids), default=0)


def _check_parent(*, meeting: Meeting, item: AgendaItem | None, parent: AgendaItem | None) -> None:
    """Refuse a parent from another meeting, the item itself or one of its sub-items, or too deep a nest."""
    if parent is None:
        return
    if parent.meeting_id != meeting.pk:
        raise ValidationError({"parent": "The parent item belongs to another meeting."})
    rows = list(AgendaItem.objects.filter(meeting=meeting).values_list("pk", "parent_id"))
    parents = dict(rows)
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in rows:
        children.setdefault(parent_id, []).append(pk)
    if item is not None and item.pk:
        node: int | None = parent.pk
        while node is not None:
            if node == item.pk:
                raise ValidationError(
                    {"parent": f"“{item.title}” cannot be moved under itself or one of its own sub-items."}
                )
            node = parents.get(node)
    height = _subtree_height(item.pk, children) if item is not None and item.pk else 1
    if _depth(parent, parents) + 1 + height > MAX_AGENDA_DEPTH:
        raise ValidationError({"parent": f"Agenda items nest at most {MAX_AGENDA_DEPTH} levels (1.2.3)."})


AGENDA_ITEM_FIELDS = frozenset(
    {
        "title",
        "description",
        "purpose",
        "presenter_state",
        "presenter_person",
        "presenter_body",
        "minutes_allotted",
        "starts_at",
        "goal",
    }
)


def _agenda_item_check(item: AgendaItem, documents: Iterable[Document] | None) -> None:
    errors = {}
    if not (item.title or "").strip():
        errors["title"] = "Give the item a title."
    if item.purpose not in AgendaItem.Purpose.values:
        errors["purpose"] = f"Purpose must be one of: {', '.join(AgendaItem.Purpose.values)}."
    if item.minutes_allotted is not None and not 0 < item.minutes_allotted <= 24 * 60:
        errors["minutes_allotted"] = "Time allotted is in minutes, between 1 and 1440."
    if item.starts_at is not None:
        m = item.meeting
        item.starts_at = localize(item.starts_at, zoneinfo.ZoneInfo(m.timezone))  # wall clock at the venue
        if not m.start <= item.starts_at <= m.end:
            errors["starts_at"] = "The item's start is outside the meeting's days and hours."
    if documents is not None:
        wrong = [d.title for d in documents if d.meeting_id != item.meeting_id]
        if wrong:
            errors["documents"] = f"Not documents of this meeting: {', '.join(wrong)}."
    if errors:
        raise ValidationError(errors)


def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    parent: AgendaItem | None = None,
    position: int | None = None,
    documents: Iterable[Document] | None = None,
    **fields: Any,
) -> AgendaItem:
    """Add an item to the draft agenda, last among its siblings unless a position is given."""
    unknown = set(fields) - AGENDA_ITEM_FIELDS
    if unknown:
        raise ValidationError({k: "Unknown agenda item field." for k in sorted(unknown)})
    documents = list(documents) if documents is not None else None
    with transaction.atomic():
        m = _locked(meeting)
        _agenda_check_editable(m)
        _check_parent(meeting=m, item=None, parent=parent)
        item = AgendaItem(meeting=m, parent=parent, title=title, **fields)
        _agenda_item_check(item, documents)
        siblings = _siblings(m.pk, parent.pk if parent else None)
        index = len(siblings) if position is None else max(0, min(position, len(siblings)))
        item.position = index
        item.save()
        siblings.insert(index, item)
        _renumber(siblings)
        if documents:
            item.documents.set(documents)
    return item


def agenda_item_update(
    *, item: AgendaItem, data: dict[str, Any], documents: Iterable[Document] | None = None
) -> AgendaItem:
    unknown = set(data) - AGENDA_ITEM_FIELDS
    if unknown:
        raise ValidationError({k: "This field cannot be changed here." for k in sorted(unknown)})
    documents = list(documents) if documents is not None else None
    with transaction.atomic():
        _agenda_check_editable(_locked(item.meeting_id))
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        for k, v in data.items():
            setattr(item, k, v)
        _agenda_item_check(item, documents)
        item.save()
        if documents is not None:
            item.documents.set(documents)
    return item


def agenda_item_move(
    *, item: AgendaItem, parent: AgendaItem | None, position: int | None = None
) -> AgendaItem:
    """Move an item (with its sub-items) under ``parent`` (None: top level) at ``position`` among its new
    siblings (None: last). Moving an item under itself or one of its sub-items is refused."""
    with transaction.atomic():
        m = _locked(item.meeting_id)
        _agenda_check_editable(m)
        item = AgendaItem.objects.get(pk=item.pk)
        if parent is not None:
            parent = AgendaItem.objects.get(pk=parent.pk)
        _check_parent(meeting=m, item=item, parent=parent)
        old = [s for s in _siblings(m.pk, item.parent_id) if s.pk != item.pk]
        _renumber(old)
        new_parent_id = parent.pk if parent else None
        new = [s for s in _siblings(m.pk, new_parent_id) if s.pk != item.pk]
        index = len(new) if position is None else max(0, min(position, len(new)))
        item.parent_id = new_parent_id
        item.position = index
        item.save(update_fields=["parent", "position"])
        new.insert(index, item)
        _renumber(new)
    return item


def agenda_item_shift(*, item: AgendaItem, direction: str) -> AgendaItem:
    """The agenda page's buttons: up, down, indent (under the item above), outdent (after its parent)."""
    siblings = _siblings(item.meeting_id, item.parent_id)
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    if direction == "up":
        return agenda_item_move(item=item, parent=item.parent, position=max(0, index - 1))
    if direction == "down":
        return agenda_item_move(item=item, parent=item.parent, position=index + 1)
    if direction == "indent":
        if index == 0:
            raise ValidationError({"parent": "The first item at its level has no item above to go under."})
        return agenda_item_move(item=item, parent=siblings[index - 1], position=None)
    if direction == "outdent":
        if item.parent_id is None:
            raise ValidationError({"parent": "A top-level item cannot move further out."})
        parent = AgendaItem.objects.get(pk=item.parent_id)
        return agenda_item_move(item=item, parent=parent.parent, position=parent.position + 1)
    raise ValidationError({"direction": "Direction must be up, down, indent or outdent."})


def agenda_item_reorder(*, meeting: Meeting, parent: AgendaItem | None, ordered_ids: Sequence[int]) -> None:
    """Put the items under ``parent`` in the given order (the ids must be exactly those items)."""
    with transaction.atomic():
        m = _locked(meeting)
        _agenda_check_editable(m)
        siblings = _siblings(m.pk, parent.pk if parent else None)
        if sorted(ordered_ids) != sorted(s.pk for s in siblings) or len(set(ordered_ids)) != len(ordered_ids):
            raise ValidationError({"order": "Give each item at this level exactly once."})
        by_id = {s.pk: s for s in siblings}
        _renumber([by_id[i] for i in ordered_ids])


def agenda_item_remove(*, item: AgendaItem) -> None:
    with transaction.atomic():
        m = _locked(item.meeting_id)
        _agenda_check_editable(m)
        if AgendaItem.objects.filter(parent_id=item.pk).exists():
            raise ValidationError({"item": "Move or remove its sub-items first."})
        if Decision.objects.filter(agenda_item_id=item.pk).exists():
            raise ValidationError({"item": "Decisions are recorded against this item; it cannot be removed."})
        parent_id = item.parent_id
        AgendaItem.objects.filter(pk=item.pk).delete()
        _renumber(_siblings(m.pk, parent_id))


def agenda_item_record_minutes(*, item: AgendaItem, minutes: str) -> AgendaItem:
    """Minutes of the discussion of one item (allowed after adoption: that is when they are written)."""
    with transaction.atomic():
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        item.minutes = minutes
        item.save(update_fields=["minutes"])
    return item


DEFAULT_AGENDA = [
    ("Opening of the meeting", AgendaItem.Purpose.INFORMATION),
    ("Adoption of the agenda", AgendaItem.Purpose.DECISION),
    ("Other matters", AgendaItem.Purpose.DISCUSSION),
    ("Date and venue of the next meeting", AgendaItem.Purpose.DECISION),
    ("Adoption of the report of the meeting", AgendaItem.Purpose.DECISION),
]


def agenda_default_create(*, meeting: Meeting, on: dt.date | None = None) -> list[AgendaItem]:
    """Start an empty agenda from the usual skeleton, with the standing items in their usual place."""
    with transaction.atomic():
        m = _locked(meeting)
        _agenda_check_editable(m)
        if AgendaItem.objects.filter(meeting=m).exists():
            raise ValidationError({"meeting": "The agenda already has items."})
        items = [
            AgendaItem.objects.create(meeting=m, title=t, purpose=p, position=i)
            for i, (t, p) in enumerate(DEFAULT_AGENDA)
        ]
        agenda_standing_items_add(meeting=m, on=on)
    return items


STANDING_HIGHER = "higher_bodies"
STANDING_PREVIOUS = "previous"


def agenda_standing_items_add(*, meeting: Meeting, on: dt.date | None = None) -> list[AgendaItem]:
    """Add (or refresh) the standing items: "Matters arising from the previous meeting", listing the body's
    open action items, and "Matters arising from SEOM and AEM meetings", split into the outcomes of each
    meeting of the bodies above held since this body last met."""
    with transaction.atomic():
        m = _locked(meeting)
        _agenda_check_editable(m)
        day = on or meeting_date(m)
        top = _siblings(m.pk, None)
        # After the opening and the adoption of the agenda, where these items usually stand.
        anchor = 0
        for i, it in enumerate(top):
            t = it.title.lower()
            if "opening" in t or "adoption of the agenda" in t:
                anchor = i + 1
        out: list[AgendaItem] = []
        previous = m.previous or _previous_meeting(body=m.body, series=m.series, before=m.start)
        open_items = list(open_action_items_before(m))
        if previous is not None or open_items:
            lines = [
                f"- {a.title} — {action_item_owner(a)}"
                + (f", due {_fmt_day(a.due_date)}" if a.due_date else "")
                + f" ({a.get_status_display().lower()}; agreed at the {a.meeting.title})"
                for a in open_items
            ]
            out.append(
                _standing_upsert(
                    meeting=m,
                    key=STANDING_PREVIOUS,
                    parent=None,
                    title=f"Matters arising from the {previous.title}" if previous else "Matters arising",
                    description="\n".join(lines) or "No open action items.",
                    purpose=AgendaItem.Purpose.DISCUSSION,
                    position=anchor,
                )
            )
            anchor += 1
        above = reporting_chain(m.body, on=day)[1:3]
        if above:
            parent = _standing_upsert(
                meeting=m,
                key=STANDING_HIGHER,
                parent=None,
                title=f"Matters arising from {' and '.join(b.acronym for b in above)} meetings",
                description="",
                purpose=AgendaItem.Purpose.INFORMATION,
                position=anchor,
            )
            out.append(parent)
            since = previous.start if previous else m.start - dt.timedelta(days=366)
            held = list(
                Meeting.objects.filter(body__in=above, start__gte=since, start__lt=m.start)
                .exclude(status=Status.CANCELLED)
                .order_by("start")
            )
            outcomes = Submission.objects.filter(considered_at__in=held, from_body=m.body).exclude(
                status=Submission.Status.SUBMITTED
            )
            outcome_text: dict[int, list[str]] = {}
            for s in outcomes.select_related("report"):
                outcome_text.setdefault(s.considered_at_id, []).append(
                    f"- {s.report.title}: {s.get_status_display().lower()}"
                    + (f". {s.outcome}" if s.outcome else "")
                )
            i = 0
            for body in above:
                body_meetings = [h for h in held if h.body_id == body.pk]
                for h in body_meetings or [None]:
                    out.append(
                        _standing_upsert(
                            meeting=m,
                            key=f"hb-{h.pk}" if h else f"hb-body-{body.pk}",
                            parent=parent,
                            title=f"Outcomes of the {h.title}"
                            if h
                            else f"Outcomes of {body.acronym} meetings",
                            description="\n".join(outcome_text.get(h.pk, [])) if h else "",
                            purpose=AgendaItem.Purpose.INFORMATION,
                            position=i,
                        )
                    )
                    i += 1
    return out


def _standing_upsert(
    *,
    meeting: Meeting,
    key: str,
    parent: AgendaItem | None,
    title: str,
    description: str,
    purpose: str,
    position: int,
) -> AgendaItem:
    item = AgendaItem.objects.filter(meeting=meeting, standing_key=key).first()
    if item is not None:
        item.title, item.description = title, description
        item.save(update_fields=["title", "description"])
        return item
    siblings = _siblings(meeting.pk, parent.pk if parent else None)
    item = AgendaItem.objects.create(
        meeting=meeting,
        parent=parent,
        title=title,
        description=description,
        purpose=purpose,
        is_standing=True,
        standing_key=key,
        position=position,
    )
    siblings.insert(min(position, len(siblings)), item)
    _renumber(siblings)
    return item


def agenda_snapshot(*, meeting: Meeting) -> list[dict[str, Any]]:
    """The draft agenda as it stands, numbered, as plain data (what a version freezes)."""
    out = []
    for n in number_agenda(agenda_items_for(meeting.pk)):
        it = n.item
        out.append(
            {
                "id": it.pk,
                "number": n.number,
                "depth": n.depth,
                "parent_id": it.parent_id,
                "title": it.title,
                "description": it.description,
                "purpose": it.purpose,
                "purpose_label": it.get_purpose_display(),
                "presenter": presenter_label(it),
                "minutes_allotted": it.minutes_allotted,
                "goal": f"{it.goal.plan.short_name} Goal {it.goal.code}" if it.goal else "",
                "documents": [
                    {"id": d.pk, "title": d.title, "version": d.version, "classification": d.classification}
                    for d in it.documents.all()
                ],
                "is_standing": it.is_standing,
            }
        )
    return out


def agenda_circulate(*, meeting: Meeting, actor=None) -> AgendaVersion:
    """Freeze the draft as the next numbered version and send it out (after commit). Later edits make a new
    draft, circulated as the next version."""
    with transaction.atomic():
        m = _locked(meeting)
        _agenda_check_editable(m)
        snapshot = agenda_snapshot(meeting=m)
        if not snapshot:
            raise ValidationError({"agenda": "The agenda has no items yet."})
        latest = AgendaVersion.objects.filter(meeting=m).order_by("-number").first()
        if latest is not None and latest.items == snapshot:
            raise ValidationError(
                {"agenda": f"Nothing changed since version {latest.number} was circulated."}
            )
        version = AgendaVersion.objects.create(
            meeting=m,
            number=(latest.number if latest else 0) + 1,
            items=snapshot,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        _hook("on_agenda_circulated", version_id=version.pk)
    return version


def agenda_adopt(*, version: AgendaVersion, now: dt.datetime) -> AgendaVersion:
    """The meeting adopts the latest circulated version; the draft must not have moved on since."""
    with transaction.atomic():
        m = _locked(version.meeting_id)
        if m.status in (Status.CANCELLED, Status.PLANNED, Status.POSTPONED):
            raise ValidationError(
                {"meeting": f"A {m.get_status_display().lower()} meeting cannot adopt its agenda."}
            )
        version = AgendaVersion.objects.select_for_update().get(pk=version.pk)
        if version.status == AgendaVersion.Status.ADOPTED:
            raise ValidationError({"version": f"Version {version.number} is already adopted."})
        if AgendaVersion.objects.filter(meeting=m, status=AgendaVersion.Status.ADOPTED).exists():
            raise ValidationError({"version": "Another version of this agenda is already adopted."})
        latest = AgendaVersion.objects.filter(meeting=m).order_by("-number").first()
        if latest.pk != version.pk:
            raise ValidationError(
                {"version": f"Only the latest circulated version (v{latest.number}) can be adopted."}
            )
        if agenda_snapshot(meeting=m) != version.items:
            raise ValidationError(
                {"version": f"The draft has changes not in v{version.number}: circulate them first."}
            )
        version.status = AgendaVersion.Status.ADOPTED
        version.adopted_at = now
        version.save(update_fields=["status", "adopted_at"])
    return version


@dataclass
class AgendaChange:
    kind: str  # added, removed, changed, unchanged
    number_a: str
    number_b: str
    title: str
    changes: list[str] = field(default_factory=list)
    depth: int = 0


DIFF_FIELDS = (
    ("title", "Title"),
    ("description", "Description"),
    ("purpose_label", "Purpose"),
    ("presenter", "Presenter"),
    ("minutes_allotted", "Time allotted"),
    ("goal", "Strategic goal"),
)


def agenda_diff(
    *, items_a: list[dict[str, Any]], items_b: list[dict[str, Any]], level: int = 2
) -> list[AgendaChange]:
    """What changed from agenda A to agenda B, item by item, in B's order with removed items where they
    stood in A. Documents above ``level`` (the reader's clearance) are left out."""
    a_by_id = {e["id"]: e for e in items_a}
    b_ids = {e["id"] for e in items_b}
    number_of = {e["id"]: e["number"] for e in items_b} | {
        e["id"]: e["number"] for e in items_a if e["id"] not in b_ids
    }
    out: list[AgendaChange] = []
    removed_after: dict[int | None, list[dict]] = {}
    # Attach each removed item after the item that preceded it in A and survives in B.
    last_kept: int | None = None
    for e in items_a:
        if e["id"] in b_ids:
            last_kept = e["id"]
        else:
            removed_after.setdefault(last_kept, []).append(e)

    def emit_removed(after: int | None) -> None:
        for e in removed_after.get(after, []):
            out.append(AgendaChange("removed", e["number"], "", e["title"], depth=e["depth"]))

    emit_removed(None)
    for e in items_b:
        old = a_by_id.get(e["id"])
        if old is None:
            out.append(AgendaChange("added", "", e["number"], e["title"], depth=e["depth"]))
        else:
            changes = []
            if old["number"] != e["number"]:
                changes.append(f"Renumbered {old['number']} → {e['number']}")
            if old.get("parent_id") != e.get("parent_id"):
                parent = e.get("parent_id")
                changes.append(
                    f"Moved under {number_of.get(parent, '?')}" if parent else "Moved to the top level"
                )
            for key, label in DIFF_FIELDS:
                if old.get(key) != e.get(key):
                    changes.append(f"{label}: “{old.get(key) or '—'}” → “{e.get(key) or '—'}”")
            docs_a = {
                (d["title"], d["version"]) for d in old.get("documents", []) if d["classification"] <= level
            }
            docs_b = {
                (d["title"], d["version"]) for d in e.get("documents", []) if d["classification"] <= level
            }
            for t, v in sorted(docs_b - docs_a):
                changes.append(f"Document added: {t} (v{v})")
            for t, v in sorted(docs_a - docs_b):
                changes.append(f"Document removed: {t} (v{v})")
            out.append(
                AgendaChange(
                    "changed" if changes else "unchanged",
                    old["number"],
                    e["number"],
                    e["title"],
                    changes,
                    depth=e["depth"],
                )
            )
        emit_removed(e["id"])
    return out


def agenda_versions_diff(
    *, version_a: AgendaVersion, version_b: AgendaVersion | None, level: int = 2
) -> list[AgendaChange]:
    """Diff two versions of one meeting's agenda; ``version_b`` None compares with the current draft."""
    if version_b is not None and version_b.meeting_id != version_a.meeting_id:
        raise ValidationError({"version_b": "The versions belong to different meetings."})
    items_b = version_b.items if version_b is not None else agenda_snapshot(meeting=version_a.meeting)
    return agenda_diff(items_a=version_a.items, items_b=items_b, level=level)


# --- Documents ---------------------------------------------------------------------------------------------


OOXML = "application/vnd.openxmlformats-officedocument"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip_names(f) -> list[str] | None:
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as z:
            return z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _odf_mimetype(f) -> str:
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as z:
            return z.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return ""


def _ooxml(folder: str):
    def check(head: bytes, f) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        names = _zip_names(f) or []
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def _odf(kind: str):
    def check(head: bytes, f) -> bool:
        return (
            head.startswith(b"PK\x03\x04")
            and _odf_mimetype(f) == f"application/vnd.oasis.opendocument.{kind}"
        )

    return check


def _text(head: bytes, f) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end of the sample is fine
        return exc.start >= len(head) - 3
    return True


# extension -> (content type, label, content check)
DOCUMENT_TYPES: dict[str, tuple[str, str, Any]] = {
    "pdf": ("application/pdf", "PDF", lambda h, f: h.startswith(b"%PDF-")),
    "docx": (f"{OOXML}.wordprocessingml.document", "Word", _ooxml("word/")),
    "xlsx": (f"{OOXML}.spreadsheetml.sheet", "Excel", _ooxml("xl/")),
    "pptx": (f"{OOXML}.presentationml.presentation", "PowerPoint", _ooxml("ppt/")),
    "doc": ("application/msword", "Word 97-2003", lambda h, f: h.startswith(OLE2_MAGIC)),
    "xls": ("application/vnd.ms-excel", "Excel 97-2003", lambda h, f: h.startswith(OLE2_MAGIC)),
    "ppt": ("application/vnd.ms-powerpoint", "PowerPoint 97-2003", lambda h, f: h.startswith(OLE2_MAGIC)),
    "odt": ("application/vnd.oasis.opendocument.text", "OpenDocument text", _odf("text")),
    "ods": (
        "application/vnd.oasis.opendocument.spreadsheet",
        "OpenDocument spreadsheet",
        _odf("spreadsheet"),
    ),
    "odp": (
        "application/vnd.oasis.opendocument.presentation",
        "OpenDocument presentation",
        _odf("presentation"),
    ),
    "txt": ("text/plain; charset=utf-8", "plain text", _text),
    "csv": ("text/csv; charset=utf-8", "CSV", _text),
    "png": ("image/png", "PNG", lambda h, f: h.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", "JPEG", lambda h, f: h.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", "JPEG", lambda h, f: h.startswith(b"\xff\xd8\xff")),
}


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def _clean_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().replace("\x00", "")
    return base[-255:] or "document"


def document_check_file(*, file) -> tuple[str, str]:
    """Refuse a file that is empty, too large, of a type not on the list, or whose content does not match
    its extension. Returns (extension, content type). Reads only the first bytes (and a zip's directory)."""
    name = _clean_name(getattr(file, "name", "") or "")
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    if not size:
        raise ValidationError({"file": f"“{name}” is empty."})
    limit = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {"file": f"“{name}” is {_size(size)}; documents may be at most {_size(limit)}."}
        )
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in DOCUMENT_TYPES:
        accepted = ", ".join(sorted({f".{e}" for e in DOCUMENT_TYPES}))
        raise ValidationError({"file": f"“{name}” is not a type accepted here. Accepted: {accepted}."})
    content_type, label, check = DOCUMENT_TYPES[ext]
    file.seek(0)
    head = file.read(8192)
    ok = check(head, file)
    file.seek(0)
    if not ok:
        raise ValidationError(
            {
                "file": f"“{name}” does not look like a {label} file: its content does not match the .{ext} extension."
            }
        )
    return ext, content_type


def document_upload(
    *,
    file,
    title: str,
    kind: str,
    classification: int,
    meeting: Meeting | None = None,
    body: Body | None = None,
    actor=None,
) -> Document:
    """Store a document as the next version of its title at the meeting. Everything is checked before the
    file is written; if storing the row fails the file is removed, so nothing is left half-stored."""
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "Give the document a title."
    if kind not in Document.Kind.values:
        errors["kind"] = f"Kind must be one of: {', '.join(Document.Kind.values)}."
    if classification not in Document.Classification.values:
        errors["classification"] = (
            "Classification must be 0 (Public), 1 (ASEAN Restricted) or 2 (Confidential)."
        )
    if meeting is None and body is None:
        errors["meeting"] = "A document belongs to a meeting or a body."
    if meeting is not None and meeting.status == Status.CANCELLED:
        errors["meeting"] = "The meeting was cancelled."
    if errors:
        raise ValidationError(errors)
    ext, content_type = document_check_file(file=file)
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return _document_store(
        meeting=meeting,
        body=body or meeting.body,
        title=title,
        kind=kind,
        classification=classification,
        content=file,
        ext=ext,
        content_type=content_type,
        original_name=_clean_name(file.name),
        size=size,
        sha256=digest.hexdigest(),
        actor=actor,
    )


def _document_store(
    *,
    meeting: Meeting | None,
    body: Body,
    title: str,
    kind: str,
    classification: int,
    content,
    ext: str,
    content_type: str,
    original_name: str,
    size: int,
    sha256: str,
    actor=None,
) -> Document:
    stored: str | None = None
    try:
        with transaction.atomic():
            if meeting is not None:
                _locked(meeting)  # one version number at a time per meeting
            latest = (
                Document.objects.filter(meeting=meeting, body=body, title=title).aggregate(v=Max("version"))[
                    "v"
                ]
                or 0
            )
            # The stored name is ours, never the uploader's: no path tricks, no clashes.
            stored = default_storage.save(
                f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}", content
            )
            doc = Document(
                body=body,
                meeting=meeting,
                title=title,
                kind=kind,
                classification=classification,
                version=latest + 1,
                file=stored,
                original_name=original_name,
                content_type=content_type,
                size=size,
                sha256=sha256,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
            )
            _save(
                doc,
                errors={"file": "Another version of this document was stored at the same time; try again."},
            )
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return doc


# --- Participation -----------------------------------------------------------------------------------------


def _invite(
    *, meeting: Meeting, person: Person, member_state: MemberState | None, role: str, actor
) -> Invitation | None:
    """Create or revive one invitation; None if the person is already on the list."""
    inv = Invitation.objects.filter(meeting=meeting, person=person).first()
    if inv is not None and not inv.is_withdrawn:
        return None
    if inv is None:
        inv = Invitation(meeting=meeting, person=person)
    else:  # back on the list: a fresh answer is needed, and old links stay revoked
        inv.is_withdrawn = False
        inv.partstat = Invitation.PartStat.NEEDS_ACTION
        inv.responded_at = None
        inv.link_version += 1
    inv.member_state = member_state
    inv.role = role
    inv.registered_by = actor if getattr(actor, "pk", None) else None
    inv.save()
    if meeting.status == Status.CONFIRMED:
        _hook("on_invitation_added", invitation_id=inv.pk)
    return inv


def _check_list_open(meeting: Meeting) -> None:
    if meeting.status in (Status.CANCELLED, Status.HELD):
        raise ValidationError(
            {"meeting": f"The meeting is {meeting.get_status_display().lower()}; its list is closed."}
        )


def invitations_for_delegations(*, meeting: Meeting, actor=None) -> list[Invitation]:
    """Invite every current member of the body for the states that are ASEAN members on the meeting's date
    (membership is dated: Timor-Leste only from 26 Oct 2025). People already on the list are left alone,
    and someone taken off it is not put back by this."""
    with transaction.atomic():
        m = _locked(meeting)
        _check_list_open(m)
        day = meeting_date(m)
        states = MemberState.objects.members_on(day)
        seats = (
            Membership.objects.filter(body_id=m.body_id, member_state__in=states, start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
            .exclude(role=Membership.Role.OBSERVER)
            .select_related("person", "member_state")
            .order_by("member_state__short_name", "person__full_name")
        )
        term = _chair_term_on(body_id=m.body_id, day=day)
        listed = set(Invitation.objects.filter(meeting=m).values_list("person_id", flat=True))
        created = []
        for seat in seats:
            if seat.person_id in listed:
                continue
            listed.add(seat.person_id)
            chairs = term is not None and (
                term.chair_person_id == seat.person_id
                or (
                    term.member_state_id == seat.member_state_id
                    and seat.role == Membership.Role.HEAD_OF_DELEGATION
                )
            )
            inv = _invite(
                meeting=m,
                person=seat.person,
                member_state=seat.member_state,
                role=Invitation.Role.CHAIR if chairs else Invitation.Role.REQUIRED,
                actor=actor,
            )
            if inv:
                created.append(inv)
    return created


def invitation_add(
    *,
    meeting: Meeting,
    person: Person,
    member_state: MemberState | None = None,
    role: str = Invitation.Role.REQUIRED,
    actor=None,
) -> Invitation:
    """Put one person on the list (or back on it)."""
    if role not in Invitation.Role.values:
        raise ValidationError({"role": f"Role must be one of: {', '.join(Invitation.Role.values)}."})
    with transaction.atomic():
        m = _locked(meeting)
        _check_list_open(m)
        member_state = member_state or person.member_state
        if member_state is not None and not member_state.is_member_on(meeting_date(m)):
            raise ValidationError(
                {"member_state": f"{member_state} is not an ASEAN member on {_fmt_day(meeting_date(m))}."}
            )
        inv = _invite(meeting=m, person=person, member_state=member_state, role=role, actor=actor)
        if inv is None:
            raise ValidationError({"person": f"{person} is already invited."})
    return inv


def delegation_register(
    *, meeting: Meeting, member_state: MemberState, persons: Sequence[Person], actor, on: dt.date
) -> list[Invitation]:
    """A head of delegation puts the members of their state's delegation on the list (only their own state;
    the Secretariat may do it for any)."""
    if not is_secretariat(actor) and member_state.pk not in delegation_states_for(
        actor, body=meeting.body_id, on=on
    ):
        raise PermissionDenied(f"Only the head of delegation of {member_state} registers its delegation.")
    if not persons:
        raise ValidationError({"persons": "Choose at least one person."})
    wrong = [p.full_name for p in persons if p.member_state_id != member_state.pk]
    if wrong:
        raise ValidationError({"persons": f"Not of the delegation of {member_state}: {', '.join(wrong)}."})
    created = []
    with transaction.atomic():
        m = _locked(meeting)
        _check_list_open(m)
        day = meeting_date(m)
        if not member_state.is_member_on(day):
            raise ValidationError(
                {"member_state": f"{member_state} is not an ASEAN member on {_fmt_day(day)}."}
            )
        for person in persons:
            inv = _invite(
                meeting=m,
                person=person,
                member_state=member_state,
                role=Invitation.Role.REQUIRED,
                actor=actor,
            )
            if inv:
                created.append(inv)
    return created


def invitation_withdraw(*, invitation: Invitation, actor, on: dt.date) -> Invitation:
    """Take someone off the list (kept, marked withdrawn, so they get a CANCEL). The head of a delegation
    may withdraw members of their own delegation."""
    if not is_secretariat(actor):
        own = invitation.member_state_id in delegation_states_for(
            actor, body=invitation.meeting.body_id, on=on
        )
        if not (can_manage(actor, invitation.meeting.body_id) or own):
            raise PermissionDenied(
                "Only the Secretariat, the chair or the head of the delegation may do this."
            )
    with transaction.atomic():
        m = _locked(invitation.meeting_id)
        _check_list_open(m)
        inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if inv.is_withdrawn:
            raise ValidationError({"invitation": f"{inv.person} is already off the list."})
        inv.is_withdrawn = True
        inv.link_version += 1  # revokes the RSVP links already sent
        inv.save(update_fields=["is_withdrawn", "link_version"])
        if m.status in ANNOUNCED:
            _hook("on_invitation_withdrawn", invitation_id=inv.pk)
    return inv


@dataclass(frozen=True)
class AttendanceEntry:
    person: Person
    present: bool = True
    remote: bool = False
    member_state: MemberState | None = None


def attendance_record(*, meeting: Meeting, entries: Sequence[AttendanceEntry]) -> list[Attendance]:
    """Who was there (and who joined remotely); replaces what was recorded for these people."""
    with transaction.atomic():
        m = _locked(meeting)
        if m.status not in (Status.CONFIRMED, Status.HELD):
            raise ValidationError({"meeting": "Attendance is recorded for a confirmed or held meeting."})
        if any(e.remote for e in entries if e.present) and m.modality == Meeting.Modality.IN_PERSON:
            raise ValidationError({"remote": "The meeting is in person only; nobody can attend remotely."})
        out = []
        for e in entries:
            row, _ = Attendance.objects.update_or_create(
                meeting=m,
                person=e.person,
                defaults={
                    "present": e.present,
                    "remote": e.remote and e.present,
                    "member_state": e.member_state or e.person.member_state,
                },
            )
            out.append(row)
    return out


# --- The record --------------------------------------------------------------------------------------------


def _check_record_open(meeting: Meeting) -> None:
    if meeting.status not in (Status.CONFIRMED, Status.HELD):
        raise ValidationError({"meeting": "The record is kept for a confirmed or held meeting."})


def _check_states(meeting: Meeting, states: Sequence[MemberState]) -> None:
    day = meeting_date(meeting)
    wrong = [s.short_name for s in states if not s.is_member_on(day)]
    if wrong:
        raise ValidationError(
            {"participating_states": f"Not ASEAN members on {_fmt_day(day)}: {', '.join(wrong)}."}
        )


def decision_record(
    *,
    meeting: Meeting,
    agenda_item: AgendaItem,
    kind: str,
    text: str,
    participating_states: Sequence[MemberState] = (),
) -> Decision:
    """Record what the meeting decided on an item: agreed, noted, endorsed, tasked, deferred or referred (by
    consensus: no votes). ``participating_states`` records an "ASEAN Minus X" decision; empty means all."""
    errors = {}
    if agenda_item.meeting_id != meeting.pk:
        errors["agenda_item"] = "The agenda item belongs to another meeting."
    if kind not in Decision.Kind.values:
        errors["kind"] = f"Kind must be one of: {', '.join(Decision.Kind.values)}."
    if not (text or "").strip():
        errors["text"] = "Write the decision."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        m = _locked(meeting)
        _check_record_open(m)
        _check_states(m, participating_states)
        position = (Decision.objects.filter(meeting=m).aggregate(p=Max("position"))["p"] or 0) + 1
        d = Decision.objects.create(
            meeting=m, agenda_item=agenda_item, kind=kind, text=text.strip(), position=position
        )
        if participating_states:
            d.participating_states.set(participating_states)
    return d


def decision_update(
    *, decision: Decision, data: dict[str, Any], participating_states: Sequence[MemberState] | None = None
) -> Decision:
    unknown = set(data) - {"kind", "text", "agenda_item"}
    if unknown:
        raise ValidationError({k: "This field cannot be changed here." for k in sorted(unknown)})
    with transaction.atomic():
        m = _locked(decision.meeting_id)
        _check_record_open(m)
        d = Decision.objects.select_for_update().get(pk=decision.pk)
        for k, v in data.items():
            setattr(d, k, v)
        if d.agenda_item.meeting_id != m.pk:
            raise ValidationError({"agenda_item": "The agenda item belongs to another meeting."})
        if d.kind not in Decision.Kind.values:
            raise ValidationError({"kind": f"Kind must be one of: {', '.join(Decision.Kind.values)}."})
        if not d.text.strip():
            raise ValidationError({"text": "Write the decision."})
        d.save()
        if participating_states is not None:
            _check_states(m, participating_states)
            d.participating_states.set(participating_states)
    return d


def decision_delete(*, decision: Decision) -> None:
    with transaction.atomic():
        m = _locked(decision.meeting_id)
        _check_record_open(m)
        Decision.objects.filter(pk=decision.pk).delete()


def action_item_create(
    *,
    meeting: Meeting,
    title: str,
    owner_state: MemberState | None = None,
    owner_person: Person | None = None,
    owner_body: Body | None = None,
    due_date: dt.date | None = None,
    decision: Decision | None = None,
    agenda_item: AgendaItem | None = None,
) -> ActionItem:
    """An action the meeting gave someone: a member state, a person or a task force. It stays open across
    meetings until closed, and comes back as a matter arising at the next one."""
    errors = {}
    if not (title or "").strip():
        errors["title"] = "Say what is to be done."
    if not (owner_state or owner_person or owner_body):
        errors["owner"] = "Name an owner: a member state, a person or a task force."
    if decision is not None and decision.meeting_id != meeting.pk:
        errors["decision"] = "The decision belongs to another meeting."
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        errors["agenda_item"] = "The agenda item belongs to another meeting."
    if due_date is not None and due_date < meeting_date(meeting):
        errors["due_date"] = "The due date is before the meeting."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        m = _locked(meeting)
        _check_record_open(m)
        return ActionItem.objects.create(
            body_id=m.body_id,
            meeting=m,
            title=title.strip(),
            owner_state=owner_state,
            owner_person=owner_person,
            owner_body=owner_body,
            due_date=due_date,
            decision=decision,
            agenda_item=agenda_item or (decision.agenda_item if decision else None),
        )


CLOSED = (ActionItem.Status.DONE, ActionItem.Status.DROPPED)


def action_item_update(
    *,
    action_item: ActionItem,
    now: dt.datetime,
    status: str | None = None,
    progress_note: str | None = None,
    due_date: dt.date | None = None,
    at_meeting: Meeting | None = None,
) -> ActionItem:
    """Follow an action item: progress, a new due date, closing it (at a meeting, or between meetings)."""
    if status is not None and status not in ActionItem.Status.values:
        raise ValidationError({"status": f"Status must be one of: {', '.join(ActionItem.Status.values)}."})
    if at_meeting is not None and at_meeting.body_id != action_item.body_id:
        raise ValidationError(
            {"at_meeting": "That meeting is not a meeting of the body that owns the action."}
        )
    with transaction.atomic():
        a = ActionItem.objects.select_for_update().get(pk=action_item.pk)
        if status is not None and status != a.status:
            if status in CLOSED:
                a.closed_at, a.closed_at_meeting = now, at_meeting
            else:
                a.closed_at, a.closed_at_meeting = None, None
            a.status = status
        if progress_note is not None:
            a.progress_note = progress_note
        if due_date is not None:
            a.due_date = due_date
        a.save()
    return a


# --- Report and its way up ---------------------------------------------------------------------------------


def report_title(meeting: Meeting) -> str:
    return f"Report of the {meeting.title}"


def report_generate(*, meeting: Meeting, now: dt.datetime, actor=None) -> Report:
    """Write the Report of the Meeting (HTML, and a PDF kept as an ASEAN Restricted document) from the
    adopted agenda, the minutes, decisions and action items. An adopted report is never rewritten."""
    from meetings import reports

    if meeting.status not in (Status.CONFIRMED, Status.HELD):
        raise ValidationError({"meeting": "A report is written for a confirmed or held meeting."})
    existing = Report.objects.filter(meeting=meeting).first()
    if existing is not None and existing.status == Report.Status.ADOPTED:
        raise ValidationError(
            {
                "report": f"The report was adopted on {_fmt_day(existing.adopted_on)}; it cannot be generated again."
            }
        )
    title = report_title(meeting)
    html = reports.report_html(meeting=meeting, title=title, now=now)
    pdf = reports.report_pdf(html=html)
    with transaction.atomic():
        _locked(meeting)
        report = Report.objects.select_for_update().filter(meeting=meeting).first() or Report(meeting=meeting)
        if report.status == Report.Status.ADOPTED:
            raise ValidationError(
                {"report": "The report was adopted meanwhile; it cannot be generated again."}
            )
        doc = _document_store(
            meeting=meeting,
            body=meeting.body,
            title=title,
            kind=Document.Kind.REPORT,
            classification=Document.Classification.RESTRICTED,
            content=ContentFile(pdf),
            ext="pdf",
            content_type="application/pdf",
            original_name=f"{title}.pdf",
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            actor=actor,
        )
        report.title, report.html, report.generated_at, report.pdf = title, html, now, doc
        report.save()
    return report


def report_adopt(*, report: Report, mode: str, on: dt.date) -> Report:
    """Adopt the report at the meeting (on one of its days) or ad referendum (by circulation afterwards)."""
    with transaction.atomic():
        r = Report.objects.select_for_update().select_related("meeting").get(pk=report.pk)
        m = r.meeting
        if r.status == Report.Status.ADOPTED:
            raise ValidationError({"report": f"The report was already adopted on {_fmt_day(r.adopted_on)}."})
        if not r.html:
            raise ValidationError({"report": "Generate the report before adopting it."})
        tz = zoneinfo.ZoneInfo(m.timezone)
        first, last = m.start.astimezone(tz).date(), m.end.astimezone(tz).date()
        if mode == Report.AdoptionMode.AT_MEETING:
            if not first <= on <= last:
                raise ValidationError(
                    {
                        "adopted_on": f"Adopted at the meeting means between {_fmt_day(first)} and {_fmt_day(last)}."
                    }
                )
        elif mode == Report.AdoptionMode.AD_REFERENDUM:
            if on < first:
                raise ValidationError({"adopted_on": "A report cannot be adopted before the meeting opens."})
        else:
            raise ValidationError({"adoption_mode": "Adopted at the meeting or ad referendum."})
        r.status, r.adoption_mode, r.adopted_on = Report.Status.ADOPTED, mode, on
        r.save()
    return r


def report_submit(*, report: Report, on: dt.date) -> Submission:
    """Send the adopted report one level up the reporting line (ACCMSME → SEOM). A report returned with
    comments may be sent again."""
    with transaction.atomic():
        r = Report.objects.select_for_update().select_related("meeting__body").get(pk=report.pk)
        if r.status != Report.Status.ADOPTED:
            raise ValidationError({"report": "Only an adopted report is submitted."})
        if on < r.adopted_on:
            raise ValidationError({"submitted_on": "A report cannot be submitted before it was adopted."})
        body = r.meeting.body
        chain = reporting_chain(body, on=on)
        if len(chain) < 2:
            raise ValidationError({"report": f"{body} reports to no body on {_fmt_day(on)}."})
        return _submission_send(report=r, from_body=body, to_body=chain[1], on=on, parent=None)


def _submission_send(
    *, report: Report, from_body: Body, to_body: Body, on: dt.date, parent: Submission | None
) -> Submission:
    existing = Submission.objects.select_for_update().filter(report=report, to_body=to_body).first()
    if existing is not None:
        if existing.status != Submission.Status.RETURNED:
            raise ValidationError(
                {
                    "report": f"Already submitted to {to_body} on {_fmt_day(existing.submitted_on)} ({existing.get_status_display().lower()})."
                }
            )
        # Sent again after being returned with comments; the history keeps the earlier round.
        existing.status, existing.submitted_on = Submission.Status.SUBMITTED, on
        existing.outcome, existing.outcome_on, existing.considered_at = "", None, None
        existing.save()
        return existing
    s = Submission(report=report, from_body=from_body, to_body=to_body, parent=parent, submitted_on=on)
    _save(s, errors={"report": f"Already submitted to {to_body}."})
    return s


def submission_record_outcome(
    *,
    submission: Submission,
    status: str,
    outcome_on: dt.date,
    outcome: str = "",
    considered_at: Meeting | None = None,
) -> Submission:
    """What the higher body did with it: noted, endorsed, or returned with comments."""
    outcomes = (Submission.Status.NOTED, Submission.Status.ENDORSED, Submission.Status.RETURNED)
    if status not in outcomes:
        raise ValidationError({"status": "The outcome is noted, endorsed or returned (with comments)."})
    if status == Submission.Status.RETURNED and not (outcome or "").strip():
        raise ValidationError({"outcome": "Say what the comments are when a report is returned."})
    with transaction.atomic():
        s = Submission.objects.select_for_update().get(pk=submission.pk)
        if outcome_on < s.submitted_on:
            raise ValidationError(
                {"outcome_on": f"The outcome cannot come before the submission ({_fmt_day(s.submitted_on)})."}
            )
        if considered_at is not None and considered_at.body_id != s.to_body_id:
            raise ValidationError({"considered_at": f"Choose a meeting of {s.to_body}."})
        if s.forwards.exists() and status == Submission.Status.RETURNED:
            raise ValidationError(
                {"status": "It was already forwarded further up; it cannot be returned now."}
            )
        s.status, s.outcome_on, s.outcome, s.considered_at = (
            status,
            outcome_on,
            outcome.strip(),
            considered_at,
        )
        s.save()
    return s


def submission_forward(*, submission: Submission, on: dt.date) -> Submission:
    """The receiving body carries the report one level further up (SEOM → AEM), citing where it came from."""
    with transaction.atomic():
        s = Submission.objects.select_for_update().select_related("to_body", "report").get(pk=submission.pk)
        if s.status not in (Submission.Status.NOTED, Submission.Status.ENDORSED):
            raise ValidationError(
                {"status": f"{s.to_body} forwards a report once it has noted or endorsed it."}
            )
        if s.outcome_on and on < s.outcome_on:
            raise ValidationError({"submitted_on": "It cannot be forwarded before the outcome was recorded."})
        chain = reporting_chain(s.to_body, on=on)
        if len(chain) < 2:
            raise ValidationError({"to_body": f"{s.to_body} reports to no body on {_fmt_day(on)}."})
        return _submission_send(report=s.report, from_body=s.to_body, to_body=chain[1], on=on, parent=s)
