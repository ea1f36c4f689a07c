"""Read queries for meeting pages, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from governance.models import Body
from governance.permissions import body_ids_with, is_secretariat
from meetings.models import Meeting, MeetingUserObjectPermission, Submission


def visible_meetings(user) -> QuerySet[Meeting]:
    """Meetings the user may see: all for the Secretariat; their bodies' meetings for members; the public
    meetings of bodies they observe; single meetings they were given a right on."""
    qs = Meeting.objects.all()
    if is_secretariat(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    viewer = body_ids_with(user, "view_body")
    observer = body_ids_with(user, "observe_body")
    single = MeetingUserObjectPermission.objects.filter(
        user=user, permission__codename="view_meeting"
    ).values("content_object_id")
    return qs.filter(Q(body_id__in=viewer) | Q(body_id__in=observer, is_public=True) | Q(pk__in=single))


def body_meetings_for_user(*, body: Body, user) -> list[Meeting]:
    return list(
        visible_meetings(user).filter(body=body).select_related("host", "series").order_by("-start")[:50]
    )


def body_submissions(*, body: Body) -> list[Submission]:
    """What the body sent up and what came back, newest first."""
    return list(
        Submission.objects.filter(Q(from_body=body) | Q(to_body=body))
        .select_related("report__meeting", "from_body", "to_body")
        .order_by("-submitted_on")[:50]
    )
