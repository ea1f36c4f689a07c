"""The meeting page's repeated rows (agenda items, participants, documents and action items) written as HTML
in Python: the same markup as the template wrote, without a dozen template variable lookups per row, which
were most of the page's template time with twenty items and seventy-five invitations (issue 21)."""

from __future__ import annotations

from functools import cache

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from governance.html import esc
from meetings.models import ActionItem, AgendaItem, Decision, Document, Invitation, Meeting
from meetings.selectors.documents import DocumentGroup
from meetings.selectors.meeting_page import AgendaRow
from meetings.times import ZoneNamer, agenda_item_time, day_label

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


def document_rows(groups: list[DocumentGroup]) -> SafeString:
    """One ``<tr>`` per document title: its latest version, links to the earlier ones, kind, classification,
    version, upload day and size."""
    kinds, levels = _labels(Document.Kind), _labels(Document.Classification)
    before, _, after = reverse("meetings:document_download", args=[_KEY]).partition(str(_KEY))
    out = []
    for g in groups:
        d = g.latest
        older = ", ".join(f'<a href="{before}{o.pk}{after}">v{esc(o.version)}</a>' for o in g.older)
        if older:
            older = f'<div class="small muted">Earlier: {older}</div>'
        # ``|date`` reads an aware datetime in the active zone, as the template's filter did.
        uploaded = date_filter(template_localtime(d.uploaded_at), "j M Y")
        out.append(
            f'\n  <tr><td><a href="{before}{d.pk}{after}">{esc(d.title)}</a>\n        {older}</td>\n'
            f"      <td>{esc(kinds.get(str(d.kind), d.kind))}</td>"
            f'<td><span class="badge">{esc(levels.get(str(d.classification), d.classification))}</span></td>\n'
            f"      <td>v{esc(d.version)} · {esc(uploaded)}</td><td>{esc(filesizeformat(d.size))}</td></tr>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above went through conditional_escape


def _due(a: ActionItem) -> str:
    overdue = ' <span class="badge overdue">Overdue</span>' if a.is_overdue else ""
    return f"{esc(day_label(a.due_date) or '—')}{overdue}"


def action_rows(items: list[ActionItem]) -> SafeString:
    """The meeting's own action items: title and progress, owner, due day, status and where it was closed."""
    statuses = _labels(ActionItem.Status)
    out = []
    for a in items:
        note = f'<div class="small muted">{esc(a.progress_note)}</div>' if a.progress_note else ""
        closed = (
            f' <span class="small muted">at the {esc(a.closed_at_title)}</span>' if a.closed_at_title else ""
        )
        out.append(
            f"\n  <tr><td>{esc(a.title)}{note}</td>\n      <td>{esc(a.owner_label)}</td>\n"
            f"      <td>{_due(a)}</td>\n"
            f'      <td><span class="badge">{esc(statuses.get(str(a.status), a.status))}</span>{closed}</td></tr>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above went through conditional_escape


def arising_rows(items: list[ActionItem]) -> SafeString:
    """The open action items from earlier meetings: title, owner, due day, status and where it was agreed."""
    statuses = _labels(ActionItem.Status)
    out = [
        f"\n  <tr><td>{esc(a.title)}</td><td>{esc(a.owner_label)}</td>\n"
        f"      <td>{_due(a)}</td><td>{esc(statuses.get(str(a.status), a.status))}</td>"
        f"<td>{esc(a.agreed_at)}</td></tr>\n  "
        for a in items
    ]
    return mark_safe("".join(out))  # noqa: S308 - every value above went through conditional_escape
