"""The governance chart and a body's page: governance's structure with the chairs of chairmanship and the
meetings and submissions of meetings."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render

from chairmanship.selectors import current_chair, current_chairs
from governance.dates import on_date_param
from governance.models import Body
from governance.permissions import VIEW, body_ids_with, has_body_right, is_secretariat, today_in_asean
from governance.prepared import Prepared
from governance.selectors import body_page, governance_chart
from meetings.models import WrittenProcedure
from meetings.selectors import body_meetings_for_user, body_submissions
from meetings.selectors.procedures import procedures_visible_by
from portal.body_rows import meeting_rows, member_rows


def _on(request, template: str, context: dict):
    """The day of ``?on=YYYY-MM-DD`` (today in Jakarta without it), or a 400 page naming the parameter."""
    today = today_in_asean()
    try:
        return on_date_param(request.GET.get("on"), default=today), None
    except ValidationError as exc:
        errors = {k: v[0] for k, v in exc.message_dict.items()}
        return None, render(request, template, {**context, "errors": errors, "today": today}, status=400)


@login_required
def chart(request):
    on, bad = _on(request, "portal/chart.html", {"chart": None})
    if bad:
        return bad
    return render(
        request,
        "portal/chart.html",
        {"chart": governance_chart(on=on), "chairs": current_chairs(on=on), "today": on},
    )


def _procedures(body_ids: list[int] | None, body_id: int):
    """Decisions taken between meetings by written procedure, newest first: the columns shown only."""
    return (
        procedures_visible_by(WrittenProcedure.objects.all(), body_ids)
        .filter(body_id=body_id)
        .only("title", "deadline", "status", "outcome")
        .order_by("-opened_at")[:20]
    )


_PROCEDURES = Prepared(_procedures)  # compiled once per process (governance.prepared)


@login_required
def body_detail(request, acronym: str):
    today = today_in_asean()
    on, bad = _on(request, "portal/body_on_error.html", {"acronym": acronym})
    if bad:
        return bad
    try:
        page = body_page(acronym=acronym, on=on)
    except Body.DoesNotExist:
        raise Http404("No such body") from None
    body = page.body
    can_see_record = is_secretariat(request.user) or has_body_right(request.user, "view_body", body)
    meetings = body_meetings_for_user(body=body, user=request.user)
    return render(
        request,
        "portal/body_detail.html",
        {
            "page": page,
            "body": body,
            "chair": current_chair(body_id=body.pk, on=on),
            # The members and the meetings are written in Python (portal/body_rows.py).
            "member_rows": member_rows(page.members_by_state),
            "meetings": meetings,
            "meeting_rows": meeting_rows(meetings),
            "submissions": body_submissions(body=body) if can_see_record else None,
            # Decisions taken between meetings by written procedure, newest first: the columns shown only.
            "procedures": _PROCEDURES(body_ids=body_ids_with(request.user, VIEW), body_id=body.pk),
            "can_manage": has_body_right(request.user, "manage_body", body),
            "today": today,
        },
    )
