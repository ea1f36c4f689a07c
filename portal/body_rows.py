"""The body page's repeated rows (members by state, the fifty latest meetings) written as HTML in Python:
the same bytes as ``portal/body_detail.html`` wrote, without the variable lookups, the ``date`` filter
and a ``reverse()`` per row (issue 21, docs/decisions/0063)."""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from governance.html import esc
from governance.models import Membership
from meetings.models import Meeting

_KEY = 987654321  # a key no meeting has: reversed once, then replaced by each meeting's


@cache
def _labels(choices: type) -> dict[str, str]:
    """A choices class's display labels, once per process (``get_FOO_display`` walks them per call)."""
    return {str(value): str(label) for value, label in choices.choices}


def member_rows(members_by_state: list[tuple[str, list[tuple[str, str]]]]) -> SafeString:
    """One ``<tr>`` per state or organisation, its members (name, role) with their role one a line."""
    roles = _labels(Membership.Role)
    out = []
    for state, members in members_by_state:
        names = "<br>".join(
            f'{esc(name)} <span class="muted small">({esc(roles.get(role, role))})</span>'
            for name, role in members
        )
        out.append(f"\n  <tr><td>{esc(state)}</td><td>{names}</td></tr>\n  ")
    return mark_safe("".join(out))  # noqa: S308 - every value above went through conditional_escape


@lru_cache(maxsize=16)
def _month_names(language: str | None) -> tuple[dict[int, str], dict[int, str]]:
    """The months as Django's DateFormat writes ``M`` (``MONTHS_3[m].title()``) and ``F`` (``MONTHS[m]``)
    in ``language``, the active one when called: translated once per process and language, not per row."""
    return {m: str(n).title() for m, n in MONTHS_3.items()}, {m: str(n) for m, n in MONTHS.items()}


def _day(start: dt.datetime, zone, month_only: bool, months: tuple[dict[int, str], dict[int, str]]) -> str:
    """``start|date:"j M Y"`` (``"F Y"`` when only the month is recorded) in the reader's zone, as the
    template wrote it."""
    local = start.astimezone(zone) if timezone.is_aware(start) else start
    if month_only:
        return f"{months[1][local.month]} {local.year:04d}"
    return f"{local.day} {months[0][local.month]} {local.year:04d}"


def meeting_rows(meetings: list[Meeting]) -> SafeString:
    """One ``<tr>`` per meeting: its link, its day (or month), where, and its status."""
    before, _, after = reverse("meetings:detail", args=[_KEY]).partition(str(_KEY))
    statuses = _labels(Meeting.Status)
    zone = timezone.get_current_timezone()
    months = _month_names(get_language())
    out = []
    for m in meetings:
        where = esc(m.city) + (f", {esc(m.host)}" if m.host else "")
        out.append(
            f'\n  <tr><td><a href="{esc(f"{before}{m.pk}{after}")}">{esc(m.title)}</a></td>\n'
            f"      <td>{esc(_day(m.start, zone, m.date_precision == 'month', months))}</td>\n"
            f'      <td>{where}</td><td><span class="badge {esc(m.status)}">'
            f"{esc(statuses.get(m.status, m.status))}</span></td></tr>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above went through conditional_escape
