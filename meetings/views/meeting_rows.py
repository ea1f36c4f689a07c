"""The meeting page's repeated rows (agenda items and participants) written as HTML in Python: the same
markup as the template wrote, without a dozen template variable lookups per row, which were most of the
page's template time with twenty items and seventy-five invitations (issue 21)."""

from __future__ import annotations

from functools import cache

from django.urls import reverse
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe

from meetings.models import AgendaItem, Decision, Invitation, Meeting
from meetings.selectors.meeting_page import AgendaRow
from meetings.times import ZoneNamer, agenda_item_time

_KEY = 987654321  # a key no document has: reversed once per page, then replaced by each paper's


@cache
def _labels(choices: type) -> dict[str, str]:
    """A choices class's display labels, once per process (``get_FOO_display`` walks them per call)."""
    return {str(value): str(label) for value, label in choices.choices}


def agenda_rows(
    rows: list[AgendaRow], meeting: Meeting, reader_tz: str | None, namer: ZoneNamer
) -> list[SafeString]:
    """One ``<tr>`` per agenda item, as ``meetings/meeting_detail.html`` wrote it."""
    purposes, kinds = _labels(AgendaItem.Purpose), _labels(Decision.Kind)
    # One reverse() per page, not per paper: the path around a key no document has.
    before, _, after = reverse("meetings:document_download", args=[_KEY]).partition(str(_KEY))
    out = []
    for row in rows:
        item = row.item
        html = (
            f'\n  <tr class="d{row.depth}" id="item-{item.pk}">\n'
            f'    <td class="num">{esc(row.number)}</td>\n'
            f'    <td class="title">{esc(item.title)}'
        )
        if item.minutes_allotted:
            html += f' <span class="muted small">({item.minutes_allotted} min)</span>'
        html += "\n      "
        if item.starts_at:
            when = agenda_item_time(item.starts_at, meeting, reader_tz, show_reader=True, namer=namer)
            html += f'<div class="small muted">{esc(when)}</div>'
        html += "\n      "
        if item.goal_id:
            html += f'<br><span class="badge">{esc(item.goal_plan)} Goal {esc(item.goal_code)}</span>'
        html += "\n      "
        if item.description:
            html += f'<div class="desc">{esc(item.description)}</div>'
        html += "\n      "
        for d in row.decisions:
            html += (
                f'<div class="small"><strong>{esc(kinds.get(d.kind, d.kind))}:</strong> {esc(d.text)}</div>'
            )
        papers = "<br>".join(
            f'<a href="{before}{doc.pk}{after}">{esc(doc.title)}</a>' for doc in row.documents
        )
        html += (
            f"</td>\n    <td>{esc(purposes.get(item.purpose, item.purpose))}</td>\n"
            f"    <td>{esc(row.presenter)}</td>\n    <td>{papers}</td>\n  </tr>"
        )
        out.append(mark_safe(html))  # noqa: S308 - every value above went through conditional_escape
    return out


def members_cell(invitations: list[Invitation]) -> SafeString:
    """A delegation's members with their role and answer, one a line."""
    chair = str(Invitation.Role.CHAIR.value)
    parts = []
    for inv in invitations:
        struck = ' class="muted" style="text-decoration:line-through"' if inv.is_withdrawn else ""
        role = ' <span class="badge">chair</span>' if inv.role == chair else ""
        parts.append(
            f"<span{struck}>{esc(inv.person_name)}</span>{role}"
            f' <span class="badge {esc(inv.partstat)}">{esc(inv.partstat_label)}</span>'
        )
    return mark_safe("<br>".join(parts))  # noqa: S308 - every value above went through conditional_escape
