"""The Report of the Meeting and its way up the reporting line: generated, adopted, submitted, and what
each higher body did with it."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from governance.models import Body
from governance.services import reporting_chain
from meetings import reports
from meetings.models import Document, Meeting, Report, Submission
from meetings.services.documents import document_store
from meetings.services.meetings import fmt_day, locked_meeting, save_checked

Status = Meeting.Status


def report_title(meeting: Meeting) -> str:
    return f"Report of the {meeting.title}"


def report_check_can_generate(meeting: Meeting) -> None:
    """A report is written for a confirmed or held meeting, and an adopted one is never rewritten."""
    if meeting.status not in (Status.CONFIRMED, Status.HELD):
        raise ValidationError({"meeting": "A report is written for a confirmed or held meeting."})
    existing = Report.objects.filter(meeting=meeting).first()
    if existing is not None and existing.status == Report.Status.ADOPTED:
        raise ValidationError(
            {
                "report": f"The report was adopted on {fmt_day(existing.adopted_on)}; it cannot be generated again."
            }
        )


def _no_progress(percent: int, step: str) -> None:
    return None


def report_generate(
    *, meeting: Meeting, actor=None, progress: Callable[[int, str], None] = _no_progress
) -> Report:
    """Write the Report of the Meeting (HTML, and a PDF kept as an ASEAN Restricted document) from the
    adopted agenda, the minutes, decisions and action items. An adopted report is never rewritten.
    ``progress(percent, step)`` hears how far it got (the background job shows it on the page)."""
    report_check_can_generate(meeting)
    title, now = report_title(meeting), timezone.now()
    progress(10, "Writing the text from the record")
    html = reports.report_html(meeting=meeting, title=title, now=now)
    progress(30, "Laying out the PDF")
    pdf = reports.report_pdf(html=html)
    progress(85, "Filing the PDF with the meeting's documents")
    with transaction.atomic():
        locked_meeting(meeting)
        report = Report.objects.select_for_update().filter(meeting=meeting).first() or Report(meeting=meeting)
        if report.status == Report.Status.ADOPTED:
            raise ValidationError(
                {"report": "The report was adopted meanwhile; it cannot be generated again."}
            )
        doc = document_store(
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
            raise ValidationError({"report": f"The report was already adopted on {fmt_day(r.adopted_on)}."})
        if not r.html:
            raise ValidationError({"report": "Generate the report before adopting it."})
        tz = zoneinfo.ZoneInfo(m.timezone)
        first, last = m.start.astimezone(tz).date(), m.end.astimezone(tz).date()
        # Adopted only once the meeting is being or has been held: never on a day still to come.
        if m.status not in (Status.CONFIRMED, Status.HELD):
            raise ValidationError({"report": f"The meeting is {m.get_status_display().lower()}: not held."})
        if on > timezone.now().astimezone(tz).date():
            raise ValidationError({"adopted_on": f"{fmt_day(on)} is still to come at the meeting's venue."})
        if mode == Report.AdoptionMode.AT_MEETING:
            if not first <= on <= last:
                raise ValidationError(
                    {
                        "adopted_on": f"Adopted at the meeting means between {fmt_day(first)} and {fmt_day(last)}."
                    }
                )
        elif mode == Report.AdoptionMode.AD_REFERENDUM:
            if on < last:
                raise ValidationError(
                    {"adopted_on": f"Ad referendum means after the meeting: from {fmt_day(last)}."}
                )
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
            raise ValidationError({"report": f"{body} reports to no body on {fmt_day(on)}."})
        return _submission_send(report=r, from_body=body, to_body=chain[1], on=on, parent=None)


def _submission_send(
    *, report: Report, from_body: Body, to_body: Body, on: dt.date, parent: Submission | None
) -> Submission:
    existing = Submission.objects.select_for_update().filter(report=report, to_body=to_body).first()
    if existing is not None:
        if existing.status != Submission.Status.RETURNED:
            raise ValidationError(
                {
                    "report": f"Already submitted to {to_body} on {fmt_day(existing.submitted_on)} ({existing.get_status_display().lower()})."
                }
            )
        # Sent again after being returned with comments; the history keeps the earlier round.
        existing.status, existing.submitted_on = Submission.Status.SUBMITTED, on
        existing.outcome, existing.outcome_on, existing.considered_at = "", None, None
        existing.save()
        return existing
    s = Submission(report=report, from_body=from_body, to_body=to_body, parent=parent, submitted_on=on)
    save_checked(s, errors={"report": f"Already submitted to {to_body}."})
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
                {"outcome_on": f"The outcome cannot come before the submission ({fmt_day(s.submitted_on)})."}
            )
        if considered_at is not None and considered_at.body_id != s.to_body_id:
            raise ValidationError({"considered_at": f"Choose a meeting of {s.to_body}."})
        if considered_at is None:
            # Decided at a meeting of the higher body on that day: the sender's next agenda cites it.
            considered_at = meeting_on_day(body_id=s.to_body_id, day=outcome_on)
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


def meeting_on_day(*, body_id: int, day: dt.date) -> Meeting | None:
    """The body's meeting (confirmed or held) running on ``day`` at its venue, if one does."""
    around = Meeting.objects.filter(
        body_id=body_id,
        status__in=(Status.CONFIRMED, Status.HELD),
        start__lt=dt.datetime.combine(day + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC),
        end__gt=dt.datetime.combine(day - dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC),
    ).order_by("start")
    for m in around:
        tz = zoneinfo.ZoneInfo(m.timezone)
        if m.start.astimezone(tz).date() <= day <= m.end.astimezone(tz).date():
            return m
    return None


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
            raise ValidationError({"to_body": f"{s.to_body} reports to no body on {fmt_day(on)}."})
        return _submission_send(report=s.report, from_body=s.to_body, to_body=chain[1], on=on, parent=s)
