from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from meetings.selectors import visible_meetings


@login_required
def meeting_detail(request, pk: int):
    meeting = visible_meetings(request.user).select_related("body", "host").filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting")
    return render(request, "meetings/meeting_detail.html", {"meeting": meeting})
