"""The right to see one meeting: a live invitation (not withdrawn) gives ``view_meeting`` on that meeting,
so a partner invited to a single consultation sees it without seeing the body. To let someone see one
meeting, invite them (role "For information" if they only need to read).

Registered into ``governance.rights`` from ``MeetingsConfig.ready`` (so a user's sync covers it); the
invitation services (and the admin) call ``sync_meeting_rights`` / ``sync_invitation_rights`` after their
writes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction

from governance.audit import record_object_rights_change
from governance.permissions import register_secretariat_app
from governance.rights import SingleRightsSource, register_single_rights
from meetings.models import Invitation, Meeting, MeetingUserObjectPermission
from meetings.permissions import VIEW_MEETING


def invited_meeting_ids(user) -> set[int]:
    """Meetings the user should hold ``view_meeting`` on: those they have a live invitation to."""
    return set(
        Invitation.objects.filter(person__user=user, is_withdrawn=False).values_list("meeting_id", flat=True)
    )


SOURCE = SingleRightsSource(
    model=MeetingUserObjectPermission, codename=VIEW_MEETING, wanted=invited_meeting_ids
)


@transaction.atomic
def sync_meeting_rights(
    meeting: Meeting | int, *, person_ids: Iterable[int] | None = None
) -> tuple[int, int]:
    """Bring ``view_meeting`` rows of one meeting in line with its invitations, for everyone (or only for
    ``person_ids``). Services call it after they write invitations (one or a bulk list). Returns (granted,
    withdrawn)."""
    meeting_id = getattr(meeting, "pk", meeting)
    view_meeting = SOURCE.permission_id()
    invitations = Invitation.objects.filter(meeting_id=meeting_id)
    rows = MeetingUserObjectPermission.objects.filter(
        content_object_id=meeting_id, permission_id=view_meeting
    )
    if person_ids is not None:
        person_ids = [p for p in person_ids if p]
        scope = set(get_user_model().objects.filter(person__id__in=person_ids).values_list("pk", flat=True))
        invitations = invitations.filter(person_id__in=person_ids)
        rows = rows.filter(user_id__in=scope)
    want = set(
        invitations.filter(is_withdrawn=False, person__user__is_active=True).values_list(
            "person__user_id", flat=True
        )
    ) - {None}
    have = set(rows.values_list("user_id", flat=True))
    added, removed = want - have, have - want
    if removed:
        rows.filter(user_id__in=removed).delete()
    MeetingUserObjectPermission.objects.bulk_create(
        [
            MeetingUserObjectPermission(user_id=u, content_object_id=meeting_id, permission_id=view_meeting)
            for u in added
        ],
        ignore_conflicts=True,
    )
    record_object_rights_change(
        model=Meeting, object_id=meeting_id, granted=sorted(added), withdrawn=sorted(removed)
    )
    return len(added), len(removed)


def sync_invitation_rights(invitation: Invitation, *, before: dict | None = None) -> None:
    """After one invitation was written or deleted: resync its invitee on its meeting, and, when it moved,
    the person and meeting it had ``before`` (``{"person_id", "meeting_id"}``)."""
    if before and before["meeting_id"] != invitation.meeting_id:
        sync_meeting_rights(before["meeting_id"], person_ids=[before["person_id"]])
    people = {invitation.person_id} | ({before["person_id"]} if before else set())
    sync_meeting_rights(invitation.meeting_id, person_ids=people)


def register() -> None:
    """Called from ``MeetingsConfig.ready``: invitations give single-meeting rights, the Secretariat holds
    the app's model permissions."""
    register_single_rights(SOURCE)
    register_secretariat_app("meetings")
