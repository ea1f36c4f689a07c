"""The Report of the Meeting as HTML (from a template) and as PDF (WeasyPrint)."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string

from meetings.models import Meeting
from meetings.selectors.reports import report_context


def report_html(*, meeting: Meeting, title: str, now: dt.datetime) -> str:
    context = report_context(meeting=meeting)
    context.update({"title": title, "generated_at": now})
    return render_to_string("meetings/report.html", context)


def _no_fetch(url: str, *args, **kwargs):
    # The report is self-contained; WeasyPrint must never reach out to the network or the disk for it.
    raise ValueError(f"External resource refused in a report: {url}")


def report_pdf(*, html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()
