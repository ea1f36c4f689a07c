"""The governance chart and a body's page: governance's structure with the chairs of chairmanship and the
meetings and submissions of meetings."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from chairmanship.selectors import current_chairs
from governance.models import Body
from governance.permissions import has_body_right, is_secretariat, today_in_asean
from governance.selectors import body_page, governance_chart
from meetings.selectors import body_meetings_for_user, body_submissions


@login_required
def chart(request):
    today = today_in_asean()
    return render(
        request,
        "portal/chart.html",
        {"chart": governance_chart(on=today), "chairs": current_chairs(on=today), "today": today},
    )


@login_required
def body_detail(request, acronym: str):
    today = today_in_asean()
    try:
        page = body_page(acronym=acronym, on=today)
    except Body.DoesNotExist:
        raise Http404("No such body") from None
    body = page.body
    can_see_record = is_secretariat(request.user) or has_body_right(request.user, "view_body", body)
    return render(
        request,
        "portal/body_detail.html",
        {
            "page": page,
            "body": body,
            "chair": current_chairs(on=today).get(body.pk),
            "meetings": body_meetings_for_user(body=body, user=request.user),
            "submissions": body_submissions(body=body) if can_see_record else None,
            "can_manage": has_body_right(request.user, "manage_body", body),
            "today": today,
        },
    )
