"""The year's meetings: proposed from the body's cadence, the chair terms and the record, then stored as
the Secretariat kept them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from chairmanship.models import ChairTerm
from governance.models import HIERARCHICAL_KINDS, Body, MemberState, ReportingLine
from meetings.models import Meeting, MeetingSeries
from meetings.numbering import meeting_title, ordinal
from meetings.services.meetings import fmt_day, meeting_create

Status = Meeting.Status


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


def _numbering_warnings(
    *, series: MeetingSeries, last: Meeting | None, per_year: int, year: int
) -> list[str]:
    """A gap between the last recorded ordinal and the one the cadence gives for the year."""
    if last is None or series.numbering != MeetingSeries.Numbering.ORDINAL:
        return []
    last_day = last.start.date()
    expected = (
        last.number
        + (per_year - _period_of(last_day, per_year) - 1)
        + per_year * (year - last_day.year - 1)
        + 1
    )
    if last_day.year < year and expected != last.number + 1:
        return [
            f"The last recorded is the {last.title} ({last.start:%b %Y}); by the cadence of {per_year} a "
            f"year this would be the {ordinal(expected)}. Record the meetings in between, or change the "
            f"number."
        ]
    return []


def _period_days(
    ref: Meeting | None, *, year: int, period: int, per_year: int
) -> tuple[dt.date, dt.date, tuple[dt.time, dt.time]]:
    """First day, last day and hours of the period's meeting: those of ``ref`` (the same period's meeting
    in a recent year) moved by whole weeks, else the default days from nine to five."""
    if ref is not None:
        tz = zoneinfo.ZoneInfo(ref.timezone)
        local_start, local_end = ref.start.astimezone(tz), ref.end.astimezone(tz)
        shift = dt.timedelta(weeks=52 * (year - local_start.year))
        start_day = (local_start + shift).date()
        if _period_of(start_day, per_year) == period and start_day.year == year:
            times = (local_start.time().replace(tzinfo=None), local_end.time().replace(tzinfo=None))
            return start_day, (local_end + shift).date(), times
    start_day = _default_start(year, period, per_year)
    return start_day, start_day + dt.timedelta(days=1), (dt.time(9, 0), dt.time(17, 0))


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
    warnings_all = _numbering_warnings(series=series, last=last, per_year=per_year, year=year)
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
        start_day, end_day, times = _period_days(
            by_period_ref.get(period), year=year, period=period, per_year=per_year
        )
        term = next((t for t in terms if t.start_date <= start_day <= t.end_date), None)
        warnings = list(warnings_all) if period == min(set(range(per_year)) - taken) else []
        host = term.member_state if term else None
        if term is None:
            warnings.append(f"No chair term of {body} is recorded for {fmt_day(start_day)}: choose the host.")
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
    """Task forces reporting to (or advising) ``body`` on ``on``, each with its meeting series."""
    lines = (
        ReportingLine.objects.filter(
            to_body=body,
            kind__in=HIERARCHICAL_KINDS,  # task forces report to the body (or, as once seeded, advise it)
            from_body__kind=Body.Kind.TASK_FORCE,
            from_body__is_active=True,
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("from_body")
        .order_by("from_body__acronym")
    )
    bodies = list({ln.from_body_id: ln.from_body for ln in lines}.values())  # one body, one or two lines
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
