"""The delegate's dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from meetings.selectors import visible_meetings


@login_required
def dashboard(request):
    upcoming = (
        visible_meetings(request.user).filter(end__gte=timezone.now()).select_related("body", "host")[:20]
    )
    return render(request, "meetings/dashboard.html", {"upcoming": upcoming})
