"""Who may see and do what with meetings and their record: meetings, documents, invitations, delegation
registrations, submissions and reports.

Written in ``governance.permissions``'s frame (``object_rule`` / ``queryset_rule``: the Secretariat may, an
anonymous or inactive user may not, then the rule) from the body rights a request reads once, plus the
single-meeting rights an invitation gives (``meetings.rights``). Each yes/no check has a queryset twin that
says the same in SQL, with the rights passed as id lists (``__any_of``), so a page stays a fixed number of
queries.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from governance.models import BodyUserObjectPermission
from governance.permissions import (
    CONFIDENTIAL,
    MANAGE,
    OBSERVE,
    RESTRICTED,
    SUBMISSIONS,
    VIEW,
    body_ids_with,
    body_rights,
    cached_right,
    can_manage_body,
    delegation_seats,
    delegations,
    has_body_right,
    is_active_user,
    is_secretariat,
    object_rule,
    queryset_rule,
    today_in_asean,
)
from governance.prepared import Prepared
from meetings.models import Document, Invitation, Meeting, MeetingUserObjectPermission, Report, Submission

VIEW_MEETING = "view_meeting"
PUBLIC = Document.Classification.PUBLIC
ASEAN_RESTRICTED = Document.Classification.RESTRICTED


# Read on most pages: compiled once per process (governance.prepared).
def _meeting_right_ids(user_id: int) -> QuerySet:
    return MeetingUserObjectPermission.objects.filter(
        user_id=user_id, permission__codename=VIEW_MEETING
    ).values_list("content_object_id", flat=True)


_MEETING_RIGHT_IDS = Prepared(_meeting_right_ids)


def meeting_ids_viewable_alone(user) -> set[int]:
    """Meetings the user may see through a single-meeting right (an invitation), read once per request; the
    queryset rules pass it to ``__any_of`` as it is, rather than a subquery in every filter."""
    return cached_right(user, "meetings", lambda: set(_MEETING_RIGHT_IDS(user_id=user.pk)))


# --- Meetings ------------------------------------------------------------------------------------------


@object_rule
def meeting_visible(user, meeting) -> bool:
    rights = body_rights(user).get(meeting.body_id, set())
    return (
        VIEW in rights
        or (OBSERVE in rights and meeting.is_public)
        or meeting.pk in meeting_ids_viewable_alone(user)
    )


def can_manage_meeting(user, meeting) -> bool:
    return can_manage_body(user, meeting.body_id)


def _meeting_visible_q(user, via: str = "") -> Q:
    """``meeting_visible`` as a condition on the meeting reached through ``via`` ("" or "meeting__")."""
    return _visible_q(
        body_ids_with(user, VIEW), body_ids_with(user, OBSERVE), meeting_ids_viewable_alone(user), via
    )


def _visible_q(view: list[int], observe: list[int], alone: list[int] | set[int], via: str = "") -> Q:
    return (
        Q(**{f"{via}body_id__any_of": view})
        | Q(**{f"{via}body_id__any_of": observe, f"{via}is_public": True})
        | Q(**{f"{via}pk__any_of": alone})
    )


def meeting_visibility(user) -> dict[str, list[int] | None]:
    """``meetings_visible``'s rule as plain arguments (``view``, ``observe``, ``alone``: id lists, all None
    for the Secretariat, all empty for an anonymous or inactive user), for a query compiled once per
    process (``governance.prepared``) and filtered by ``meetings_visible_by``."""
    if is_secretariat(user):
        return {"view": None, "observe": None, "alone": None}
    if not is_active_user(user):
        return {"view": [], "observe": [], "alone": []}
    return {
        "view": body_ids_with(user, VIEW),
        "observe": body_ids_with(user, OBSERVE),
        "alone": sorted(meeting_ids_viewable_alone(user)),
    }


def meetings_visible_by(
    qs: QuerySet, *, view: list[int] | None, observe: list[int] | None, alone: list[int] | None
) -> QuerySet:
    """``meetings_visible`` from ``meeting_visibility``'s arguments (an empty answer for no rights at all)."""
    if view is None or observe is None or alone is None:
        return qs
    return qs.filter(_visible_q(view, observe, alone))


def meetings_visible_to_user_id(qs: QuerySet, *, user_id: int | None) -> QuerySet:
    """``meetings_visible`` with the rights read by PostgreSQL in the same statement, for an active user
    (``user_id``; None for the Secretariat, who sees all): subqueries on the user's body and meeting
    rights in place of the id lists a request reads once. For a read that needs nothing else of the rights
    and whose user may hold rights on hundreds of bodies (the API's meeting list): the lists would be read,
    then sent back twice, and their size would grow with the number of bodies."""
    if user_id is None:
        return qs
    rights = BodyUserObjectPermission.objects.filter(user_id=user_id)
    return qs.filter(
        Q(body_id__in=rights.filter(permission__codename=VIEW).values("content_object_id"))
        | Q(
            body_id__in=rights.filter(permission__codename=OBSERVE).values("content_object_id"),
            is_public=True,
        )
        | Q(pk__in=_meeting_right_ids(user_id))
    )


@queryset_rule(Meeting)
def meetings_visible(user, qs: QuerySet) -> QuerySet:
    """Filter a Meeting queryset to what the user may see (``meetings.selectors.visible_meetings`` is the
    same rule starting from every meeting)."""
    return qs.filter(_meeting_visible_q(user))


@queryset_rule(None)
def on_visible_meetings(user, qs: QuerySet) -> QuerySet:
    """Filter rows that belong to a meeting (invitations, action items ...) to those of meetings the user may
    see: the same rule as ``meetings_visible``, on the joined meeting instead of a subquery of meetings."""
    return qs.filter(_meeting_visible_q(user, "meeting__"))


# --- Documents -----------------------------------------------------------------------------------------


@object_rule
def document_visible(user, document) -> bool:
    """May the user see (and download) this document? Members of its body up to ASEAN Restricted, heads of
    delegation and the chair also Confidential, observers the Public documents of the body's public meetings
    (and those attached to no meeting), a single meeting's guests that meeting's Public documents (a guest is
    typically a dialogue partner; ASEAN Restricted stays within the body's members); the Secretariat
    everything."""
    level = document.classification
    rights = body_rights(user).get(document.body_id, set())
    if (
        CONFIDENTIAL in rights
        or (RESTRICTED in rights and level <= ASEAN_RESTRICTED)
        or (VIEW in rights and level == PUBLIC)
    ):
        return True
    if OBSERVE in rights and level == PUBLIC and (document.meeting_id is None or document.meeting.is_public):
        return True
    return bool(
        level == PUBLIC and document.meeting_id and document.meeting_id in meeting_ids_viewable_alone(user)
    )


@queryset_rule(Document)
def visible_documents(user, qs: QuerySet) -> QuerySet:
    """Filter a Document queryset (default: every document) by ``document_visible``'s rule, in SQL."""
    return qs.filter(
        Q(body_id__any_of=body_ids_with(user, CONFIDENTIAL))
        | Q(body_id__any_of=body_ids_with(user, RESTRICTED), classification__lte=ASEAN_RESTRICTED)
        | Q(body_id__any_of=body_ids_with(user, VIEW), classification=PUBLIC)
        | (
            Q(body_id__any_of=body_ids_with(user, OBSERVE), classification=PUBLIC)
            & (Q(meeting__isnull=True) | Q(meeting__is_public=True))
        )
        | Q(meeting_id__any_of=meeting_ids_viewable_alone(user), classification=PUBLIC)
    )


def can_change_document(user, document) -> bool:
    """Upload, replace, reclassify or delete: the Secretariat and the body's chair."""
    return can_manage_body(user, document.body_id)


# --- Invitations and registrations ---------------------------------------------------------------------


@object_rule
def invitation_visible(user, invitation) -> bool:
    """Members of the meeting's body see the whole list of who is invited; anyone sees their own."""
    if VIEW in body_rights(user).get(invitation.meeting.body_id, set()):
        return True
    person = getattr(user, "person", None)
    return person is not None and invitation.person_id == person.pk


@queryset_rule(Invitation)
def visible_invitations(user, qs: QuerySet) -> QuerySet:
    """``invitation_visible`` in SQL: a guest or an observer lists their own invitation, not the others'."""
    return qs.filter(Q(meeting__body_id__any_of=body_ids_with(user, VIEW)) | Q(person__user=user))


def visible_invitations_of(user, meeting) -> QuerySet:
    """``visible_invitations`` of one meeting. Whoever sees the meeting's body sees its whole list, which the
    rights already read say without the rule's join to the meeting and its filter on every body."""
    qs = Invitation.objects.filter(meeting=meeting)
    if has_body_right(user, VIEW, meeting.body_id):
        return qs
    return visible_invitations(user, qs)


def can_answer_invitation(user, invitation) -> bool:
    """Reply (accept, decline, tentative) to an invitation: its invitee, and whoever may edit the
    delegation's registration (the head replying for the team, the Secretariat recording a reply)."""
    if not is_active_user(user) or (invitation.is_withdrawn and not is_secretariat(user)):
        return False
    person = getattr(user, "person", None)
    if person is not None and invitation.person_id == person.pk:
        return True
    return can_edit_registration(user, invitation)


@object_rule
def can_edit_registration(user, invitation) -> bool:
    """Add, change or withdraw who attends for a delegation: the Secretariat, the body's chair, and the
    members of that delegation on the meeting's body (never another state's)."""
    body_id = invitation.meeting.body_id
    if can_manage_body(user, body_id):
        return True
    return invitation.member_state_id is not None and (body_id, invitation.member_state_id) in delegations(
        user
    )


@queryset_rule(Invitation)
def editable_registrations(user, qs: QuerySet) -> QuerySet:
    """Filter an Invitation queryset to those the user may edit (``can_edit_registration`` in SQL)."""
    own_delegation = delegation_seats(
        on=today_in_asean(),
        person__user=user,
        body_id=OuterRef("meeting__body_id"),
        member_state_id=OuterRef("member_state_id"),
    ).values("pk")
    return qs.filter(Q(meeting__body_id__any_of=body_ids_with(user, MANAGE)) | Exists(own_delegation))


# --- Reports and submissions up the reporting line -----------------------------------------------------


@object_rule
def submission_visible(user, submission) -> bool:
    """A submission is seen by the sending body's members and by the members of the body it went to."""
    rights = body_rights(user)
    return VIEW in rights.get(submission.from_body_id, set()) or SUBMISSIONS in rights.get(
        submission.to_body_id, set()
    )


@queryset_rule(Submission)
def submissions_visible(user, qs: QuerySet) -> QuerySet:
    return qs.filter(
        Q(from_body_id__any_of=body_ids_with(user, VIEW))
        | Q(to_body_id__any_of=body_ids_with(user, SUBMISSIONS))
    )


@object_rule
def report_visible(user, report) -> bool:
    """The Report of a meeting: members of the meeting's body, and members of every body it was submitted
    to (SEOM and AEM read the reports submitted to them)."""
    rights = body_rights(user)
    if VIEW in rights.get(report.meeting.body_id, set()):
        return True
    readable = {b for b, codes in rights.items() if SUBMISSIONS in codes}
    return bool(readable) and Submission.objects.filter(report=report, to_body_id__in=readable).exists()


@queryset_rule(Report)
def reports_visible(user, qs: QuerySet) -> QuerySet:
    submitted_to_me = Submission.objects.filter(
        report=OuterRef("pk"), to_body_id__any_of=body_ids_with(user, SUBMISSIONS)
    )
    return qs.filter(Q(meeting__body_id__any_of=body_ids_with(user, VIEW)) | Exists(submitted_to_me))
