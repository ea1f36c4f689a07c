"""The planning page: next year's meetings of a body, proposed and stored as the Secretariat keeps
them."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from governance.permissions import is_secretariat
from meetings import forms as f
from meetings.numbering import meeting_title
from meetings.services import year_plan as year_plan_services
from meetings.views.base import error_message, warn_conflicts


def _require_secretariat(request) -> None:
    if not is_secretariat(request.user):
        raise PermissionDenied("Only the Secretariat plans the year's meetings.")


@login_required
def meeting_plan(request):
    """Propose next year's meetings of a body and store the ones the Secretariat keeps, as changed."""
    _require_secretariat(request)
    plan = f.PlanForm(request.GET or None)
    proposals, forms_ = [], []
    if request.method == "POST":
        keys = request.POST.getlist("keys")
        forms_ = [f.ProposalForm(request.POST, prefix=k) for k in keys]
        if all(form.is_valid() for form in forms_):
            kept = [
                year_plan_services.MeetingProposal(
                    key=form.cleaned_data["key"],
                    body=form.cleaned_data["body"],
                    series=form.cleaned_data["series"],
                    number=form.cleaned_data["number"],
                    label=form.cleaned_data["label"],
                    title=_proposal_title(form.cleaned_data),
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                    timezone=form.cleaned_data["timezone"],
                    host=form.cleaned_data["host"],
                    city=form.cleaned_data["city"],
                    prepares_for_key=form.cleaned_data["prepares_for_key"],
                )
                for form in forms_
                if form.cleaned_data["include"]
            ]
            try:
                created = year_plan_services.meeting_year_confirm(proposals=kept)
            except ValidationError as exc:
                messages.error(request, error_message(exc))
            else:
                messages.success(request, f"{len(created)} meeting(s) scheduled as planned.")
                for m in created:
                    warn_conflicts(request, m)
                return redirect(
                    reverse("meetings:list") + f"?year={created[0].start.year}"
                    if created
                    else "meetings:list"
                )
        proposals = [None] * len(forms_)
    elif plan.is_valid():
        try:
            proposals = year_plan_services.meeting_year_propose(
                body=plan.cleaned_data["body"], year=plan.cleaned_data["year"]
            )
        except ValidationError as exc:
            messages.error(request, error_message(exc))
            proposals = []
        for p in proposals:
            tz = zoneinfo.ZoneInfo(p.timezone)
            forms_.append(
                f.ProposalForm(
                    prefix=p.key,
                    initial={
                        "include": True,
                        "key": p.key,
                        "body": p.body.pk,
                        "series": p.series.pk if p.series else None,
                        "prepares_for_key": p.prepares_for_key,
                        "number": p.number,
                        "label": p.label,
                        "title": p.title,
                        "auto_title": p.title,
                        "start": p.start.astimezone(tz).replace(tzinfo=None),
                        "end": p.end.astimezone(tz).replace(tzinfo=None),
                        "timezone": p.timezone,
                        "host": p.host.pk if p.host else None,
                        "city": p.city,
                    },
                )
            )
    return render(
        request,
        "meetings/plan.html",
        {"plan": plan, "rows": list(zip(forms_, proposals, strict=True)), "zones": f.ASEAN_ZONES},
    )


def _proposal_title(cd: dict) -> str:
    """A title left as proposed follows the number or label the Secretariat typed."""
    if cd["series"] is not None and cd["title"] == cd["auto_title"]:
        return meeting_title(cd["series"], number=cd["number"], label=cd["label"] or "")
    return cd["title"]
