"""Who may see and do what. The one place where object rights are decided and granted.

Rights live in django-guardian's direct foreign-key tables (``BodyUserObjectPermission``,
``MeetingUserObjectPermission``) and are *derived*: ``sync_user_rights`` computes what a user should hold
and brings the stored rows in line. Nobody grants rights by hand for the normal cases.

Where a right comes from:

- a current ``Membership`` on a body gives the role's body rights (``ROLE_RIGHTS``);
- a running ``ChairTerm`` (chair or co-chair) gives ``CHAIR_RIGHTS`` on its body to the term's chair person
  and to the chairing state's head of delegation on that body (DECISIONS.md). A term runs from the start of
  its first day to the end of its last day in the body's ``handover_timezone`` (Asia/Jakarta by default);
- a live ``Invitation`` (not withdrawn) gives ``view_meeting`` on that one meeting, so a partner invited to a
  single consultation sees it without seeing the body. To let someone see one meeting, invite them
  (role "For information" if they only need to read); a right stored by hand is removed by the next sync;
- the Secretariat group (or a superuser) may do everything and holds no object rows;
- an inactive user holds nothing.

Signals (``governance/signals.py``) call the sync when a membership, term, handover, invitation, person or
user changes; an hourly and a daily beat job (``governance/tasks.py``) call it for memberships and terms that
start or end by the calendar.

Checks are cheap: the booleans (``has_body_right``, ``meeting_visible``, ``document_visible`` ...) read the
user's rows once per request and keep them on the user object (``request.user`` is rebuilt for every
request); the queryset filters (``visible_documents``, ``submissions_visible`` ...) use the same rows as
lists of body and meeting ids (``__any_of``, ``governance.lookups``), so a page or an API list stays a fixed
number of queries.

Who reads a person's email address: the Secretariat, the person, and the members of the same delegation
(same body, same member state) while their seats run (``person_ids_with_visible_email``); the API shows
null to anyone else.

Answers for views: an object the user may not see is a 404 (``Http404``), an action the user may see but not
do is a 403 (``PermissionDenied``). ``get_visible_or_404`` and ``require`` say so in one line.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Iterable

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from governance.models import Body, BodyUserObjectPermission, Membership

SECRETARIAT_GROUP = "Secretariat"

VIEW = "view_body"
OBSERVE = "observe_body"
MANAGE = "manage_body"
RESTRICTED = "read_restricted"
CONFIDENTIAL = "read_confidential"
SUBMISSIONS = "read_submissions"
BODY_PERMS = (VIEW, OBSERVE, MANAGE, RESTRICTED, CONFIDENTIAL, SUBMISSIONS)
VIEW_MEETING = "view_meeting"

ROLE_RIGHTS: dict[str, set[str]] = {
    Membership.Role.HEAD_OF_DELEGATION: {VIEW, RESTRICTED, CONFIDENTIAL, SUBMISSIONS},
    Membership.Role.ALTERNATE: {VIEW, RESTRICTED, SUBMISSIONS},
    Membership.Role.DELEGATE: {VIEW, RESTRICTED, SUBMISSIONS},
    Membership.Role.FOCAL_POINT: {VIEW, RESTRICTED, SUBMISSIONS},
    Membership.Role.SECRETARIAT: {VIEW, RESTRICTED, CONFIDENTIAL, SUBMISSIONS},
    Membership.Role.OBSERVER: {OBSERVE},
}
CHAIR_RIGHTS = {VIEW, MANAGE, RESTRICTED, CONFIDENTIAL, SUBMISSIONS}
# Roles that sit for a member state's delegation and so may edit that delegation's registration.
DELEGATION_ROLES = (
    Membership.Role.HEAD_OF_DELEGATION,
    Membership.Role.ALTERNATE,
    Membership.Role.DELEGATE,
    Membership.Role.FOCAL_POINT,
)

# Document classifications (meetings.models.Document.Classification), ordered: a reader cleared for a
# level reads everything below it. Repeated here so this module does not import the meetings app.
PUBLIC, ASEAN_RESTRICTED, CONFIDENTIAL_LEVEL = 0, 1, 2


# --- Who is who ----------------------------------------------------------------------------------------


def is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_secretariat(user) -> bool:
    if not is_active_user(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_secretariat", None)
    if cached is None:
        cached = user.groups.filter(name=SECRETARIAT_GROUP).exists()
        user._is_secretariat = cached
    return cached


def today_in_asean() -> dt.date:
    return timezone.localdate()  # TIME_ZONE is the Secretariat's zone (Asia/Jakarta)


def local_date(zone: str, now: dt.datetime) -> dt.date:
    """The calendar day ``now`` falls on in ``zone`` (a body's handover zone)."""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("Asia/Jakarta")
    return now.astimezone(tz).date()


# --- Deriving rights -----------------------------------------------------------------------------------


def _running(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or end >= day)


def chair_body_ids(person, *, on: dt.date | None = None, now: dt.datetime | None = None) -> set[int]:
    """Bodies ``person`` chairs: as a running term's chair person or as head of delegation of its state.

    With ``on`` every body is judged on that day; otherwise each body on the day ``now`` falls on in its
    own handover zone, so a handover takes effect at local midnight wherever the body says.
    """
    from chairmanship.models import ChairTerm
    from chairmanship.selectors import CHAIRING_ROLES

    if person is None:
        return set()
    if on is None:
        now = now or timezone.now()
        centre = local_date("Asia/Jakarta", now)
        low, high = centre - dt.timedelta(days=1), centre + dt.timedelta(days=1)
    else:
        low = high = on
    heads = list(
        Membership.objects.filter(
            person=person, role=Membership.Role.HEAD_OF_DELEGATION, start_date__lte=high
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=low))
        .values_list("body_id", "member_state_id", "start_date", "end_date")
    )
    terms = (
        ChairTerm.objects.filter(role__in=CHAIRING_ROLES, start_date__lte=high, end_date__gte=low)
        .filter(Q(chair_person=person) | Q(body_id__in={h[0] for h in heads}))
        .values_list(
            "body_id",
            "member_state_id",
            "chair_person_id",
            "start_date",
            "end_date",
            "body__handover_timezone",
        )
    )
    bodies: set[int] = set()
    for body_id, state_id, chair_person_id, start, end, zone in terms:
        day = on if on is not None else local_date(zone, now)
        if not _running(start, end, day):
            continue
        if chair_person_id == person.pk or any(
            b == body_id and s == state_id and _running(hs, he, day) for b, s, hs, he in heads
        ):
            bodies.add(body_id)
    return bodies


def desired_body_rights(
    user, *, on: dt.date | None = None, now: dt.datetime | None = None
) -> dict[int, set[str]]:
    """Body id -> codenames the user should hold, from memberships (on ``on``, default today in Jakarta)
    and chair terms (on ``on``, default each body's own local day)."""
    rights: dict[int, set[str]] = {}
    person = getattr(user, "person", None) if user.pk else None
    if person is None or not user.is_active:
        return rights
    day = on or (local_date("Asia/Jakarta", now) if now else today_in_asean())
    memberships = Membership.objects.filter(person=person, start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )
    for body_id, role in memberships.values_list("body_id", "role"):
        rights.setdefault(body_id, set()).update(ROLE_RIGHTS.get(role, set()))
    for body_id in chair_body_ids(person, on=on, now=now):
        rights.setdefault(body_id, set()).update(CHAIR_RIGHTS)
    return rights


def desired_meeting_ids(user) -> set[int]:
    """Meetings the user holds ``view_meeting`` on: those they have a live invitation to."""
    from meetings.models import Invitation

    if not user.pk or not user.is_active:
        return set()
    return set(
        Invitation.objects.filter(person__user=user, is_withdrawn=False).values_list("meeting_id", flat=True)
    )


def _permission_ids() -> dict[str, int]:
    return dict(
        Permission.objects.filter(content_type__app_label="governance", codename__in=BODY_PERMS).values_list(
            "codename", "id"
        )
    )


def _view_meeting_permission_id() -> int:
    return Permission.objects.get(content_type__app_label="meetings", codename=VIEW_MEETING).pk


def forget_cached_rights(user) -> None:
    """Drop what this request has cached about the user's rights (after a sync or a group change)."""
    for attr in ("_is_secretariat", "_body_rights", "_meeting_rights", "_delegations", "_email_people"):
        if hasattr(user, attr):
            delattr(user, attr)


@transaction.atomic
def sync_user_rights(user, *, on: dt.date | None = None, now: dt.datetime | None = None) -> tuple[int, int]:
    """Make the user's stored body and meeting rights equal the derived ones. Returns (granted, withdrawn).

    Idempotent: calling it twice changes nothing the second time. Every change is an ``AuditEvent``.
    """
    from meetings.models import MeetingUserObjectPermission

    want = desired_body_rights(user, on=on, now=now)
    perm_ids = _permission_ids()
    codename_by_id = {v: k for k, v in perm_ids.items()}
    have = set(
        BodyUserObjectPermission.objects.filter(user=user, permission_id__in=perm_ids.values()).values_list(
            "content_object_id", "permission_id"
        )
    )
    wanted = {(body_id, perm_ids[c]) for body_id, codes in want.items() for c in codes}
    to_add = wanted - have
    to_remove = have - wanted
    if to_remove:
        q = Q()
        for body_id, perm_id in to_remove:
            q |= Q(content_object_id=body_id, permission_id=perm_id)
        BodyUserObjectPermission.objects.filter(q, user=user).delete()
    BodyUserObjectPermission.objects.bulk_create(
        [BodyUserObjectPermission(user=user, content_object_id=b, permission_id=p) for b, p in to_add],
        ignore_conflicts=True,
    )

    view_meeting = _view_meeting_permission_id()
    want_meetings = desired_meeting_ids(user)
    have_meetings = set(
        MeetingUserObjectPermission.objects.filter(user=user, permission_id=view_meeting).values_list(
            "content_object_id", flat=True
        )
    )
    meetings_added = want_meetings - have_meetings
    meetings_removed = have_meetings - want_meetings
    if meetings_removed:
        MeetingUserObjectPermission.objects.filter(
            user=user, permission_id=view_meeting, content_object_id__in=meetings_removed
        ).delete()
    MeetingUserObjectPermission.objects.bulk_create(
        [
            MeetingUserObjectPermission(user=user, content_object_id=m, permission_id=view_meeting)
            for m in meetings_added
        ],
        ignore_conflicts=True,
    )
    forget_cached_rights(user)

    from governance.audit import record_rights_change

    record_rights_change(
        user=user,
        granted=[(b, codename_by_id[p]) for b, p in to_add],
        withdrawn=[(b, codename_by_id[p]) for b, p in to_remove],
        meetings_granted=sorted(meetings_added),
        meetings_withdrawn=sorted(meetings_removed),
    )
    return len(to_add) + len(meetings_added), len(to_remove) + len(meetings_removed)


def sync_rights_for_users(
    users: Iterable, *, on: dt.date | None = None, now: dt.datetime | None = None
) -> None:
    for user in users:
        sync_user_rights(user, on=on, now=now)


def sync_rights_for_person_ids(
    person_ids: Iterable[int], *, on: dt.date | None = None, now: dt.datetime | None = None
) -> None:
    User = get_user_model()
    ids = [p for p in person_ids if p]
    if ids:
        sync_rights_for_users(
            User.objects.filter(person__id__in=ids).select_related("person"), on=on, now=now
        )


@transaction.atomic
def sync_meeting_rights(meeting, *, person_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Bring ``view_meeting`` rows of one meeting in line with its invitations, for everyone (or only for
    ``person_ids``). Call it after ``Invitation.objects.bulk_create`` (which sends no signals); a single
    ``save()`` or ``delete()`` of an invitation is handled by the signals. Returns (granted, withdrawn)."""
    from governance.audit import record_meeting_rights_change
    from meetings.models import Invitation, MeetingUserObjectPermission

    meeting_id = getattr(meeting, "pk", meeting)
    view_meeting = _view_meeting_permission_id()
    invitations = Invitation.objects.filter(meeting_id=meeting_id)
    rows = MeetingUserObjectPermission.objects.filter(
        content_object_id=meeting_id, permission_id=view_meeting
    )
    if person_ids is not None:
        person_ids = [p for p in person_ids if p]
        User = get_user_model()
        scope = set(User.objects.filter(person__id__in=person_ids).values_list("pk", flat=True))
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
    record_meeting_rights_change(meeting_id=meeting_id, granted=sorted(added), withdrawn=sorted(removed))
    return len(added), len(removed)


def users_holding_rights() -> QuerySet:
    """Users who hold object rows or could: everyone linked to a person, plus anyone with stored rows."""
    from meetings.models import MeetingUserObjectPermission

    User = get_user_model()
    return User.objects.filter(
        Q(person__isnull=False)
        | Exists(BodyUserObjectPermission.objects.filter(user=OuterRef("pk")))
        | Exists(MeetingUserObjectPermission.objects.filter(user=OuterRef("pk")))
    ).select_related("person")


def sync_all_rights(*, on: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Re-derive everyone's rights (the daily safety net). Returns how many users were looked at."""
    n = 0
    for user in users_holding_rights().iterator(chunk_size=500):
        sync_user_rights(user, on=on, now=now)
        n += 1
    return n


def people_with_rights_due(*, now: dt.datetime) -> set[int]:
    """People whose rights may change around ``now``: a membership or a chair term starting or ending within
    a day of it (wide enough for every body's handover zone)."""
    from chairmanship.models import ChairTerm

    centre = local_date("Asia/Jakarta", now)
    days = [centre + dt.timedelta(days=d) for d in (-2, -1, 0, 1)]
    # A membership or term that ended on day d stops giving rights on d + 1.
    edge = Q(start_date__in=days) | Q(end_date__in=days)
    people = set(Membership.objects.filter(edge).values_list("person_id", flat=True))
    for body_id, state_id, chair_person_id in ChairTerm.objects.filter(edge).values_list(
        "body_id", "member_state_id", "chair_person_id"
    ):
        people.add(chair_person_id)
        people.update(
            Membership.objects.filter(
                body_id=body_id, member_state_id=state_id, role=Membership.Role.HEAD_OF_DELEGATION
            ).values_list("person_id", flat=True)
        )
    return {p for p in people if p}


def sync_rights_due(*, now: dt.datetime | None = None) -> int:
    """The hourly job: re-derive the rights of people whose memberships or terms start or end about now."""
    now = now or timezone.now()
    people = people_with_rights_due(now=now)
    sync_rights_for_person_ids(people, now=now)
    return len(people)


# --- Checking rights (cached per request on the user object) ------------------------------------------


def _body_rights(user) -> dict[int, set[str]]:
    cache = getattr(user, "_body_rights", None)
    if cache is None:
        cache = {}
        for b, c in BodyUserObjectPermission.objects.filter(user=user).values_list(
            "content_object_id", "permission__codename"
        ):
            cache.setdefault(b, set()).add(c)
        user._body_rights = cache
    return cache


def meeting_ids_viewable_alone(user) -> set[int]:
    """Meetings the user may see through a single-meeting right (an invitation), cached per request; the
    queryset rules pass it to ``__any_of`` as it is, rather than a subquery in every filter."""
    from meetings.models import MeetingUserObjectPermission

    cache = getattr(user, "_meeting_rights", None)
    if cache is None:
        cache = set(
            MeetingUserObjectPermission.objects.filter(
                user=user, permission__codename=VIEW_MEETING
            ).values_list("content_object_id", flat=True)
        )
        user._meeting_rights = cache
    return cache


def delegation_seats(*, on: dt.date, **lookup) -> QuerySet[Membership]:
    """Seats on a member state's delegation (head, alternate, delegate, focal point) that run on ``on``,
    narrowed by ``lookup`` (``person__user=user``, ``body_id=...``, an ``OuterRef`` ...)."""
    return Membership.objects.filter(
        role__in=DELEGATION_ROLES, member_state__isnull=False, start_date__lte=on, **lookup
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))


def _delegations(user) -> set[tuple[int, int]]:
    """(body id, member state id) pairs of the delegations the user currently sits on."""
    cache = getattr(user, "_delegations", None)
    if cache is None:
        cache = set(
            delegation_seats(on=today_in_asean(), person__user=user).values_list("body_id", "member_state_id")
        )
        user._delegations = cache
    return cache


# Every check below has the same frame: the Secretariat may, an anonymous or inactive user may not, and
# only then the rule itself. The two decorators hold that frame once, for the booleans and for the
# queryset filters, so each pair (``document_visible`` / ``visible_documents`` ...) states only its rule.


def object_rule(rule: Callable[..., bool]) -> Callable[..., bool]:
    """A yes/no check ``rule(user, ...)`` run only for an active user who is not the Secretariat."""

    @functools.wraps(rule)
    def check(user, *args, **kwargs) -> bool:
        if is_secretariat(user):
            return True
        if not is_active_user(user):
            return False
        return rule(user, *args, **kwargs)

    return check


def queryset_rule(model_label: str | None) -> Callable[[Callable[..., QuerySet]], Callable[..., QuerySet]]:
    """A queryset filter ``rule(user, qs)`` over ``model_label`` (every row when ``qs`` is None; a rule for
    several models has no label and needs ``qs``): the Secretariat gets ``qs`` as it is, an anonymous or
    inactive user nothing."""

    def wrap(rule: Callable[..., QuerySet]) -> Callable[..., QuerySet]:
        @functools.wraps(rule)
        def filtered(user, qs: QuerySet | None = None) -> QuerySet:
            if qs is None:
                if model_label is None:
                    raise TypeError(f"{rule.__name__}() filters the queryset it is given")
                qs = apps.get_model(model_label)._default_manager.all()
            if is_secretariat(user):
                return qs
            if not is_active_user(user):
                return qs.none()
            return rule(user, qs)

        return filtered

    return wrap


@object_rule
def has_body_right(user, codename: str, body: Body | int) -> bool:
    body_id = body if isinstance(body, int) else body.pk
    return codename in _body_rights(user).get(body_id, set())


def body_ids_with(user, *codenames: str) -> list[int] | None:
    """Ids of bodies on which the user holds any of ``codenames``, for ``__any_of``; None means every body (the
    Secretariat). Read from the rights loaded once per request, so every filter of a page shares one query
    and PostgreSQL gets the ids as one array it can use an index with, rather than a subquery per filter.
    An anonymous or inactive user gets an empty list."""
    if is_secretariat(user):
        return None
    if not is_active_user(user):
        return []
    wanted = set(codenames)
    return sorted(body for body, rights in _body_rights(user).items() if rights & wanted)


def can_manage_body(user, body: Body | int) -> bool:
    """Manage a body's meetings, agendas, documents and handover: the Secretariat, or its chair while the
    term runs."""
    return has_body_right(user, MANAGE, body)


@object_rule
def meeting_visible(user, meeting) -> bool:
    rights = _body_rights(user).get(meeting.body_id, set())
    return (
        VIEW in rights
        or (OBSERVE in rights and meeting.is_public)
        or meeting.pk in meeting_ids_viewable_alone(user)
    )


def can_manage_meeting(user, meeting) -> bool:
    return can_manage_body(user, meeting.body_id)


def _meeting_visible_q(user, via: str = "") -> Q:
    """``meeting_visible`` as a condition on the meeting reached through ``via`` ("" or "meeting__")."""
    return (
        Q(**{f"{via}body_id__any_of": body_ids_with(user, VIEW)})
        | Q(**{f"{via}body_id__any_of": body_ids_with(user, OBSERVE), f"{via}is_public": True})
        | Q(**{f"{via}pk__any_of": meeting_ids_viewable_alone(user)})
    )


@queryset_rule("meetings.Meeting")
def meetings_visible(user, qs: QuerySet) -> QuerySet:
    """Filter a Meeting queryset to what the user may see (``meetings.selectors.visible_meetings`` is the
    same rule starting from every meeting)."""
    return qs.filter(_meeting_visible_q(user))


@queryset_rule(None)
def on_visible_meetings(user, qs: QuerySet) -> QuerySet:
    """Filter rows that belong to a meeting (invitations, action items ...) to those of meetings the user may
    see: the same rule as ``meetings_visible``, on the joined meeting instead of a subquery of meetings."""
    return qs.filter(_meeting_visible_q(user, "meeting__"))


@object_rule
def document_visible(user, document) -> bool:
    """May the user see (and download) this document? Members of its body up to ASEAN Restricted, heads of
    delegation and the chair also Confidential, observers the Public documents of the body's public meetings
    (and those attached to no meeting), a single meeting's guests that meeting's Public documents (a guest is
    typically a dialogue partner; ASEAN Restricted stays within the body's members); the Secretariat
    everything."""
    level = document.classification
    rights = _body_rights(user).get(document.body_id, set())
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


@queryset_rule("meetings.Document")
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


# --- People's contact details --------------------------------------------------------------------------


def person_ids_with_visible_email(user) -> set[int] | None:
    """Whose email address the user may read: None means everyone's (the Secretariat). Others read their
    own and those of the people sitting with them on a delegation (same body, same member state) today;
    nobody else's, so a login does not harvest every delegate's address. Cached per request."""
    if is_secretariat(user):
        return None
    if not is_active_user(user):
        return set()
    cache = getattr(user, "_email_people", None)
    if cache is None:
        person = getattr(user, "person", None)
        cache = {person.pk} if person is not None else set()
        pairs = _delegations(user)
        if pairs:
            same_seat = Q()
            for body_id, state_id in pairs:
                same_seat |= Q(body_id=body_id, member_state_id=state_id)
            cache |= set(
                delegation_seats(on=today_in_asean()).filter(same_seat).values_list("person_id", flat=True)
            )
        user._email_people = cache
    return cache


def email_visible(user, person) -> bool:
    ids = person_ids_with_visible_email(user)
    return ids is None or person.pk in ids


# --- Invitations and registrations ---------------------------------------------------------------------


@object_rule
def invitation_visible(user, invitation) -> bool:
    """Members of the meeting's body see the whole list of who is invited; anyone sees their own."""
    if VIEW in _body_rights(user).get(invitation.meeting.body_id, set()):
        return True
    person = getattr(user, "person", None)
    return person is not None and invitation.person_id == person.pk


@queryset_rule("meetings.Invitation")
def visible_invitations(user, qs: QuerySet) -> QuerySet:
    """``invitation_visible`` in SQL: a guest or an observer lists their own invitation, not the others'."""
    return qs.filter(Q(meeting__body_id__any_of=body_ids_with(user, VIEW)) | Q(person__user=user))


def visible_invitations_of(user, meeting) -> QuerySet:
    """``visible_invitations`` of one meeting. Whoever sees the meeting's body sees its whole list, which the
    rights already read say without the rule's join to the meeting and its filter on every body."""
    from meetings.models import Invitation

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
    return invitation.member_state_id is not None and (body_id, invitation.member_state_id) in _delegations(
        user
    )


@queryset_rule("meetings.Invitation")
def editable_registrations(user, qs: QuerySet) -> QuerySet:
    """Filter an Invitation queryset to those the user may edit (``can_edit_registration`` in SQL)."""
    own_delegation = delegation_seats(
        on=today_in_asean(),
        person__user=user,
        body_id=OuterRef("meeting__body_id"),
        member_state_id=OuterRef("member_state_id"),
    ).values("pk")
    return qs.filter(Q(meeting__body_id__any_of=body_ids_with(user, MANAGE)) | Exists(own_delegation))


def delegation_state_ids(user, body: Body | int) -> set[int]:
    """The member states for which the user may register people on ``body``."""
    body_id = body if isinstance(body, int) else body.pk
    return {s for b, s in _delegations(user) if b == body_id} if is_active_user(user) else set()


# --- Reports and submissions up the reporting line -----------------------------------------------------


@object_rule
def submission_visible(user, submission) -> bool:
    """A submission is seen by the sending body's members and by the members of the body it went to."""
    rights = _body_rights(user)
    return VIEW in rights.get(submission.from_body_id, set()) or SUBMISSIONS in rights.get(
        submission.to_body_id, set()
    )


@queryset_rule("meetings.Submission")
def submissions_visible(user, qs: QuerySet) -> QuerySet:
    return qs.filter(
        Q(from_body_id__any_of=body_ids_with(user, VIEW))
        | Q(to_body_id__any_of=body_ids_with(user, SUBMISSIONS))
    )


@object_rule
def report_visible(user, report) -> bool:
    """The Report of a meeting: members of the meeting's body, and members of every body it was submitted
    to (SEOM and AEM read the reports submitted to them)."""
    from meetings.models import Submission

    rights = _body_rights(user)
    if VIEW in rights.get(report.meeting.body_id, set()):
        return True
    readable = {b for b, codes in rights.items() if SUBMISSIONS in codes}
    return bool(readable) and Submission.objects.filter(report=report, to_body_id__in=readable).exists()


@queryset_rule("meetings.Report")
def reports_visible(user, qs: QuerySet) -> QuerySet:
    from meetings.models import Submission

    submitted_to_me = Submission.objects.filter(
        report=OuterRef("pk"), to_body_id__any_of=body_ids_with(user, SUBMISSIONS)
    )
    return qs.filter(Q(meeting__body_id__any_of=body_ids_with(user, VIEW)) | Exists(submitted_to_me))


# --- Chair terms and handovers -------------------------------------------------------------------------


def can_record_chair_terms(user) -> bool:
    """Chair terms and rotation exceptions are decisions the Secretariat records."""
    return is_secretariat(user)


def can_manage_handover(user, handover) -> bool:
    """Work through a handover's checklist: the Secretariat, and the body's chair while the term runs (the
    outgoing chair until the effective date; the incoming chair from it)."""
    return can_manage_body(user, handover.body_id)


# --- One-line answers for views ------------------------------------------------------------------------


def get_visible_or_404(qs: QuerySet, **lookup):
    """Fetch from an already permission-filtered queryset; a row the user may not see is a 404."""
    obj = qs.filter(**lookup).first()
    if obj is None:
        raise Http404("Not found")
    return obj


def require(allowed: bool, message: str = "You may see this, but not do that.") -> None:
    """A 403 for an action on an object the user may see."""
    if not allowed:
        raise PermissionDenied(message)


def ensure_secretariat_group() -> Group:
    group, _ = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    perms = Permission.objects.filter(content_type__app_label__in=["governance", "meetings", "chairmanship"])
    group.permissions.set(perms)
    return group
