"""The rotation timeline's repeated markup (the bars and the table of years) written as HTML in Python: the
same bytes as ``chairmanship/timeline.html`` wrote, without the dozen variable lookups and number
localisations per bar that were half the page's template time (issue 21, docs/decisions/0063).

Numbers are written with ``str``: the template's ``localize`` gives the same for an int while
``USE_THOUSAND_SEPARATOR`` is off (the settings' default); the tests render the old markup beside these."""

from __future__ import annotations

import datetime as dt

from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe

from chairmanship.rotation import YearChair
from chairmanship.selectors import TimelineBar
from governance.html import esc


def timeline_bars(bars: list[TimelineBar]) -> SafeString:
    """Every ``<g class="bar">`` of the SVG, with the whitespace the template's loop wrote."""
    out = []
    for b in bars:
        role = "vice_chair" if b.is_vice else "chair"
        box = f'x="{b.x}" y="{b.y}" width="{b.w}" height="{b.h}" rx="5"'
        html = (
            f'\n  <g class="bar {esc(b.status)}{" vice" if b.is_vice else ""}" data-year="{b.year}"'
            f' data-state="{esc(b.chair)}" data-role="{role}">\n'
            f'    <rect class="fill" {box} fill="{esc(b.colour)}"/>\n    '
        )
        if b.status == "provisional":
            html += f'<rect {box} fill="url(#hatch)"/>'
        html += "\n    "
        if b.is_vice:
            html += f'<text x="{b.text_x}" y="{b.text_y + 4}">vice: {esc(b.code)}</text>\n    '
        else:
            html += (
                f'<text class="code" x="{b.text_x}" y="{b.text_y}">{esc(b.code)}{"?" if b.to_confirm else ""}'
                "</text>"
            )
            if b.h >= 40:
                html += f'<text x="{b.text_x}" y="{b.text_y + 15}">{esc(b.short)}</text>'
        html += (
            f"\n    <title>{b.year} {'vice-chair' if b.is_vice else 'chair'}: {esc(b.chair)}"
            f" ({esc(b.status)}) — {esc(b.reason)} · {esc(b.dates)}</title>\n  </g>\n  "
        )
        out.append(html)
    return mark_safe("".join(out))  # noqa: S308 - every value above went through conditional_escape


def _day(day: dt.date) -> str:
    """``day|date:"j M Y"``: Django's DateFormat writes ``M`` as ``MONTHS_3[m].title()``, in the active
    language."""
    return f"{day.day} {str(MONTHS_3[day.month]).title()} {day.year:04d}"


def timeline_years(years: list[YearChair]) -> SafeString:
    """Every row of the table of years (``#rotation-years``)."""
    out = []
    for y in years:
        status = esc(y.status)
        confirm = ' <span class="badge to_confirm">to confirm</span>' if y.to_confirm else ""
        vice_reason = (
            f' <span class="small" data-vice-reason>({esc(y.vice_reason)})</span>' if y.vice_reason else ""
        )
        out.append(
            f'\n  <tr class="{status}" data-year="{y.year}"><td>{y.year}</td>\n'
            f'    <td><strong>{esc(y.chair or "—")}</strong> <span class="badge {status}">{status}</span>'
            f"{confirm}</td>\n"
            f"    <td>{esc(y.vice_chair or '—')}{vice_reason}</td>\n"
            f'    <td class="small">{esc(_day(y.start))} – {esc(_day(y.end))}'
            f"</td>\n"
            f'    <td class="small">{esc(y.reason)}</td></tr>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above went through conditional_escape
