"""The dashboard's repeated rows (invitations awaiting an answer, upcoming meetings, action items) written
as HTML in Python. The same markup as the ``meetings/_meeting_time.html`` and ``meetings/_rsvp.html``
partials, but without an include, a context push and a dozen variable lookups per cell: with twenty
meetings and fifty action items those were about 40% of the page's time (issue 21)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from governance.html import esc
from meetings.models import ActionItem, Invitation, Meeting
from meetings.times import MeetingTimes, day_label

# The statuses whose invitations may still be answered (as ``meetings/_rsvp.html`` says).
_ANSWERABLE = {str(Meeting.Status.CONFIRMED.value), str(Meeting.Status.PLANNED.value)}
_ANSWERS = (
    (str(Invitation.PartStat.ACCEPTED.value), "accept", "Accept"),
    (str(Invitation.PartStat.TENTATIVE.value), "tentative", "Tentative"),
    (str(Invitation.PartStat.DECLINED.value), "decline", "Decline"),
)


@cache
def _labels(choices: type) -> dict[str, str]:
    """A choices class's display labels, once per process (``get_FOO_display`` walks them per call)."""
    return {str(value): str(label) for value, label in choices.choices}


def meeting_time_html(t: MeetingTimes) -> str:
    """As ``meetings/_meeting_time.html`` writes it."""
    reader = f'<br><span class="time-local">{esc(t.reader)}</span>' if t.reader else ""
    return (
        f'<span class="meeting-time" data-host-zone="{esc(t.host_zone)}">'
        f'<span class="time-host">{esc(t.host)}</span>{reader}</span>\n'
    )


def rsvp_html(invitation: Invitation, *, status: str, csrf_token: str, next_url: str) -> str:
    """As ``meetings/_rsvp.html`` writes it; ``status`` is the meeting's."""
    partstat = invitation.partstat
    html = (
        f'<span class="rsvp" data-invitation="{invitation.pk}"><span class="badge {esc(partstat)}">'
        f"{esc(_labels(Invitation.PartStat).get(partstat, partstat))}</span>"
    )
    if not invitation.is_withdrawn and status in _ANSWERABLE:
        html += (
            f'\n<form method="post" action="{reverse("meetings:rsvp", args=[invitation.meeting_id])}"'
            ' class="inline rsvp-form">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf_token)}">'
            f'<input type="hidden" name="next" value="{esc(next_url)}">\n'
        )
        for value, answer, label in _ANSWERS:
            if partstat != value:
                html += f'<button name="answer" value="{answer}" class="secondary">{label}</button>'
            html += "\n"
        html += "</form>"
    return html + "</span>\n"


def _where(meeting: Meeting) -> str:
    return esc(meeting.body) + (f" · {esc(meeting.city)}" if meeting.city else "")


def awaiting_rows(
    pairs: Iterable[tuple[Invitation, MeetingTimes]], *, csrf_token: str, next_url: str
) -> list[SafeString]:
    """One table row per invitation awaiting an answer."""
    rows = []
    for inv, t in pairs:
        m = inv.meeting
        rsvp = rsvp_html(inv, status=m.status, csrf_token=csrf_token, next_url=next_url)
        rows.append(
            mark_safe(  # noqa: S308 - every value above went through conditional_escape
                f'<tr data-meeting="{inv.meeting_id}">\n'
                f'  <td><a href="{esc(m.get_absolute_url())}">{esc(m.title)}</a>'
                f'<div class="small muted">{_where(m)}</div></td>\n'
                f"  <td>{meeting_time_html(t)}</td>\n"
                f"  <td>{rsvp}</td>\n</tr>"
            )
        )
    return rows


def upcoming_table(days, *, csrf_token: str, next_url: str) -> SafeString:
    """The upcoming meetings' table body: a heading row per day (``group_by_reader_day``'s days), then
    its meetings' rows."""
    return mark_safe(  # noqa: S308 - every value went through conditional_escape
        "".join(
            f'\n<tr><th colspan="3">{esc(label)}</th></tr>\n{"".join(rows)}\n'
            for label, rows in upcoming_days(days, csrf_token=csrf_token, next_url=next_url)
        )
    )


def upcoming_days(days, *, csrf_token: str, next_url: str) -> list[tuple[str, list[SafeString]]]:
    """``group_by_reader_day``'s days as (long day label, rows)."""
    statuses = _labels(Meeting.Status)
    out = []
    for day, items in days:
        rows = []
        for m, t in items:
            note = f' · <span class="host-date">{esc(t.host_day_note)}</span>' if t.host_day_note else ""
            inv = getattr(m, "my_invitation", None)
            rsvp = rsvp_html(inv, status=m.status, csrf_token=csrf_token, next_url=next_url) if inv else ""
            rows.append(
                mark_safe(  # noqa: S308 - every value above went through conditional_escape
                    f'<tr data-meeting="{m.pk}">\n'
                    f'  <td><a href="{esc(m.get_absolute_url())}">{esc(m.title)}</a> '
                    f'<span class="badge {esc(m.status)}">{esc(statuses.get(m.status, m.status))}</span>\n'
                    f'    <div class="small muted">{_where(m)}{note}</div></td>\n'
                    f"  <td>{meeting_time_html(t)}</td>\n"
                    f"  <td>{rsvp}</td>\n</tr>"
                )
            )
        out.append((day_label(day, long=True), rows))
    return out


def action_rows(actions: Iterable[ActionItem], *, today) -> list[SafeString]:
    """One table row per open action item (``today`` is the day in Jakarta, read once for the list)."""
    statuses = _labels(ActionItem.Status)
    rows = []
    for a in actions:
        overdue = ' <span class="badge overdue">Overdue</span>' if a.is_overdue_on(today) else ""
        owner = a.owner_person_name or a.owner_state_name
        rows.append(
            mark_safe(  # noqa: S308 - every value above went through conditional_escape
                f'<tr><td>{esc(a.title)}</td><td><a href="{esc(a.get_meeting_url())}">'
                f"{esc(a.meeting_title)}</a></td>\n"
                f"<td>{esc(owner)}</td><td>{esc(day_label(a.due_date) or '—')}{overdue}</td>"
                f"<td>{esc(statuses.get(a.status, a.status))}</td></tr>"
            )
        )
    return rows
