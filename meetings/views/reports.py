"""The Report of the Meeting: generated, adopted and submitted; read by the bodies it went to; and the
receiving body's side of a submission."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from governance.permissions import today_in_asean
from meetings import forms as f
from meetings import tasks
from meetings.models import Meeting, Report, Submission
from meetings.permissions import report_visible, submission_visible
from meetings.selectors.meetings import can_manage, meeting_date
from meetings.services import report_jobs
from meetings.services import reports as reports_services
from meetings.views.base import back, error_message, meeting_or_404


def _adopt_form(meeting: Meeting, data=None) -> f.ReportAdoptForm:
    return f.ReportAdoptForm(
        data, initial={"adoption_mode": Report.AdoptionMode.AT_MEETING, "adopted_on": meeting_date(meeting)}
    )


def _submit_form(data=None) -> f.SubmitForm:
    return f.SubmitForm(data, initial={"submitted_on": today_in_asean()})


def _report_of(meeting: Meeting) -> Report | None:
    return Report.objects.filter(meeting=meeting).select_related("pdf").first()


def _report_page(request, meeting: Meeting, rep: Report | None, *, adopt=None, submit=None):
    """The report's page; a form that was posted and refused comes back with its errors."""
    submissions = (
        list(
            Submission.objects.filter(report=rep)
            .select_related("from_body", "to_body", "considered_at", "parent")
            .order_by("submitted_on", "id")
        )
        if rep
        else []
    )
    return render(
        request,
        "meetings/report_manage.html",
        {
            "meeting": meeting,
            "report": rep,
            "adopt": adopt if adopt is not None else _adopt_form(meeting),
            "submit": submit if submit is not None else _submit_form(),
            "submissions": submissions,
            "job": report_jobs.report_job_latest(meeting),
        },
    )


@login_required
@require_safe
def report(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    return _report_page(request, meeting, _report_of(meeting))


@login_required
@require_POST
def report_generate(request, pk: int):
    """Ask for the report: a worker writes it (seconds of PDF layout), the page follows its progress."""
    meeting = meeting_or_404(request, pk, manage=True)
    try:
        job, created = report_jobs.report_job_request(meeting=meeting, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_message(exc))
        return _report_page(request, meeting, _report_of(meeting))
    if created:
        tasks.report_job_queue(job.pk)
    messages.info(
        request,
        "The report is being written (HTML and PDF); this page shows how far it got."
        if created
        else "The report is already being written.",
    )
    return back(meeting, "report")


@login_required
@require_safe
def report_job(request, pk: int):
    """How far the latest report job got, for the page that polls it."""
    meeting = meeting_or_404(request, pk, manage=True)
    job = report_jobs.report_job_latest(meeting)
    if job is None:
        raise Http404("No report job")
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_label": job.get_status_display(),
            "live": job.is_live,
            "progress": job.progress,
            "step": job.step,
            "error": job.error,
        }
    )


@login_required
@require_POST
def report_adopt(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    rep = _report_of(meeting)
    adopt = _adopt_form(meeting, request.POST)
    if adopt.is_valid() and rep is not None:
        try:
            reports_services.report_adopt(
                report=rep, mode=adopt.cleaned_data["adoption_mode"], on=adopt.cleaned_data["adopted_on"]
            )
        except ValidationError as exc:
            f.apply_errors(adopt, exc)
        else:
            messages.success(request, "Report adopted.")
            return back(meeting, "report")
    return _report_page(request, meeting, rep, adopt=adopt)


@login_required
@require_POST
def report_submit(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    rep = _report_of(meeting)
    submit = _submit_form(request.POST)
    if submit.is_valid() and rep is not None:
        try:
            s = reports_services.report_submit(report=rep, on=submit.cleaned_data["submitted_on"])
        except ValidationError as exc:
            f.apply_errors(submit, exc)
        else:
            messages.success(request, f"Report submitted to {s.to_body}.")
            return back(meeting, "report")
    return _report_page(request, meeting, rep, submit=submit)


@login_required
def report_view(request, pk: int):
    """The report as generated: for the meeting's body and for the bodies it was submitted to."""
    rep = Report.objects.select_related("meeting").filter(meeting_id=pk).exclude(html="").first()
    if rep is None or not report_visible(request.user, rep):
        raise Http404("No such report")
    response = HttpResponse(rep.html)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _submission(request, pk: int) -> Submission:
    """Seen by the sending body's members and by the members of the body it went to."""
    s = Submission.objects.select_related("report__meeting", "from_body", "to_body").filter(pk=pk).first()
    if s is None or not submission_visible(request.user, s):
        raise Http404("No such submission")
    return s


def _managed_submission(request, pk: int) -> Submission:
    """A submission whose outcome the user records: the receiving body's managers only."""
    s = _submission(request, pk)
    if not can_manage(request.user, s.to_body_id):
        raise PermissionDenied(f"Only the Secretariat and the chair of {s.to_body} record its outcome.")
    return s


def _outcome_form(s: Submission, data=None) -> f.OutcomeForm:
    return f.OutcomeForm(
        data,
        body=s.to_body,
        initial={
            "status": s.status if s.status != Submission.Status.SUBMITTED else Submission.Status.NOTED,
            "outcome_on": s.outcome_on or today_in_asean(),
            "outcome": s.outcome,
        },
    )


def _submission_page(request, s: Submission, *, manage: bool, outcome=None, forward=None):
    """The submission's page; a form that was posted and refused comes back with its errors."""
    chain = list(
        Submission.objects.filter(report=s.report)
        .select_related("from_body", "to_body", "considered_at")
        .order_by("submitted_on", "id")
    )
    return render(
        request,
        "meetings/submission.html",
        {
            "s": s,
            "manage": manage,
            "outcome": outcome if outcome is not None else _outcome_form(s),
            "forward": forward if forward is not None else _submit_form(),
            "chain": chain,
        },
    )


@login_required
@require_safe
def submission(request, pk: int):
    """The receiving body's side: record what it made of the report, and carry it further up."""
    s = _submission(request, pk)
    return _submission_page(request, s, manage=can_manage(request.user, s.to_body_id))


@login_required
@require_POST
def submission_outcome(request, pk: int):
    s = _managed_submission(request, pk)
    outcome = _outcome_form(s, request.POST)
    saved, _ = f.form_submit(
        outcome, lambda cd: reports_services.submission_record_outcome(submission=s, **cd)
    )
    if saved:
        messages.success(request, "Outcome recorded.")
        return redirect("meetings:submission", pk=s.pk)
    return _submission_page(request, s, manage=True, outcome=outcome)


@login_required
@require_POST
def submission_forward(request, pk: int):
    s = _managed_submission(request, pk)
    forward = _submit_form(request.POST)
    saved, nxt = f.form_submit(
        forward, lambda cd: reports_services.submission_forward(submission=s, on=cd["submitted_on"])
    )
    if saved:
        messages.success(request, f"Forwarded to {nxt.to_body}.")
        return redirect("meetings:submission", pk=nxt.pk)
    return _submission_page(request, s, manage=True, forward=forward)
