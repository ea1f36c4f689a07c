"""Who may see and do what on a body, and the frame every other app's rules are written in.

Rights live in django-guardian's direct foreign-key tables (``BodyUserObjectPermission`` here,
``MeetingUserObjectPermission`` in meetings) and are *derived* by ``governance.rights``: memberships and
chair terms give body rights, invitations give single-meeting rights. This module only reads them.

- the Secretariat group (or a superuser) may do everything and holds no object rows;
- an inactive or anonymous user may do nothing;
- everyone else holds what the rows say.

Checks are cheap: a request reads the user's body rights once (one query) and keeps them on the user
object (``request.user`` is rebuilt for every request; ``forget_cached_rights`` drops them after a sync).
The booleans answer from that; the queryset filters pass the same rights as lists of ids (``__any_of``,
``governance.lookups``), so a page or an API list stays a fixed number of queries.

The rules about meetings and their record (documents, invitations, registrations, submissions, reports)
live in ``meetings.permissions``, written with ``object_rule`` / ``queryset_rule`` from here.

Answers for views: an object the user may not see is a 404 (``Http404``), an action the user may see but not
do is a 403 (``PermissionDenied``). ``get_visible_or_404`` and ``require`` say so in one line.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from governance.models import Body, BodyUserObjectPermission, Membership
from governance.prepared import Prepared

SECRETARIAT_GROUP = "Secretariat"

VIEW = "view_body"
OBSERVE = "observe_body"
MANAGE = "manage_body"
RESTRICTED = "read_restricted"
CONFIDENTIAL = "read_confidential"
SUBMISSIONS = "read_submissions"
BODY_PERMS = (VIEW, OBSERVE, MANAGE, RESTRICTED, CONFIDENTIAL, SUBMISSIONS)

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

# Apps whose model permissions the Secretariat group holds; the apps above governance add their label from
# their ``AppConfig.ready`` (``register_secretariat_app``).
SECRETARIAT_APPS: list[str] = ["governance"]


def register_secretariat_app(app_label: str) -> None:
    if app_label not in SECRETARIAT_APPS:
        SECRETARIAT_APPS.append(app_label)


# --- Who is who ----------------------------------------------------------------------------------------


def is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_secretariat(user) -> bool:
    if not is_active_user(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_secretariat", None)  # ``governance.backends`` loads it with the user
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


# --- What a request has read (kept on the user object) -------------------------------------------------


def cached_right(user, key: str, load: Callable[[], Any]) -> Any:
    """``load()`` once per user object: the answers one request reads about the user's rights. Other apps'
    rules keep theirs here too (``meetings.permissions``), so ``forget_cached_rights`` drops every one."""
    cache = user.__dict__.setdefault("_rights_cache", {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


def forget_cached_rights(user) -> None:
    """Drop what this request has read about the user's rights (after a sync or a group change)."""
    for attr in ("_is_secretariat", "_rights_cache"):
        user.__dict__.pop(attr, None)


# Read on nearly every page: compiled once per process (governance.prepared).
_BODY_RIGHT_ROWS = Prepared(
    lambda user_id: BodyUserObjectPermission.objects.filter(user_id=user_id).values_list(
        "content_object_id", "permission__codename"
    )
)


def body_rights(user) -> dict[int, set[str]]:
    """Body id -> codenames the user holds, read in one query per request."""

    def load() -> dict[int, set[str]]:
        rights: dict[int, set[str]] = {}
        for b, c in _BODY_RIGHT_ROWS(user_id=user.pk):
            rights.setdefault(b, set()).add(c)
        return rights

    return cached_right(user, "bodies", load)


def delegation_seats(*, on: dt.date, **lookup) -> QuerySet[Membership]:
    """Seats on a member state's delegation (head, alternate, delegate, focal point) that run on ``on``,
    narrowed by ``lookup`` (``person__user=user``, ``body_id=...``, an ``OuterRef`` ...)."""
    return Membership.objects.filter(
        role__in=DELEGATION_ROLES, member_state__isnull=False, start_date__lte=on, **lookup
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))


def delegations(user) -> set[tuple[int, int]]:
    """(body id, member state id) pairs of the delegations the user currently sits on."""
    return cached_right(
        user,
        "delegations",
        lambda: set(
            delegation_seats(on=today_in_asean(), person__user=user).values_list("body_id", "member_state_id")
        ),
    )


# --- The frame of every rule -------------------------------------------------------------------------
# Every check has the same frame: the Secretariat may, an anonymous or inactive user may not, and only then
# the rule itself. The two decorators hold that frame once, for the booleans and for the queryset filters,
# so each pair (``document_visible`` / ``visible_documents`` ...) states only its rule.


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


def queryset_rule(model: type[Model] | None) -> Callable[[Callable[..., QuerySet]], Callable[..., QuerySet]]:
    """A queryset filter ``rule(user, qs)`` over ``model`` (every row when ``qs`` is None; a rule for several
    models passes None and needs ``qs``): the Secretariat gets ``qs`` as it is, an anonymous or inactive
    user nothing."""

    def wrap(rule: Callable[..., QuerySet]) -> Callable[..., QuerySet]:
        @functools.wraps(rule)
        def filtered(user, qs: QuerySet | None = None) -> QuerySet:
            if qs is None:
                if model is None:
                    raise TypeError(f"{rule.__name__}() filters the queryset it is given")
                qs = model._default_manager.all()
            if is_secretariat(user):
                return qs
            if not is_active_user(user):
                return qs.none()
            return rule(user, qs)

        return filtered

    return wrap


# --- Body rights -------------------------------------------------------------------------------------


@object_rule
def has_body_right(user, codename: str, body: Body | int) -> bool:
    body_id = body if isinstance(body, int) else body.pk
    return codename in body_rights(user).get(body_id, set())


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
    return sorted(body for body, rights in body_rights(user).items() if rights & wanted)


def can_manage_body(user, body: Body | int) -> bool:
    """Manage a body's meetings, agendas, documents and handover: the Secretariat, or its chair while the
    term runs."""
    return has_body_right(user, MANAGE, body)


def delegation_state_ids(user, body: Body | int) -> set[int]:
    """The member states for which the user may register people on ``body``."""
    body_id = body if isinstance(body, int) else body.pk
    return {s for b, s in delegations(user) if b == body_id} if is_active_user(user) else set()


# --- People's contact details --------------------------------------------------------------------------


def _email_people(user) -> set[int]:
    person = getattr(user, "person", None)
    people = {person.pk} if person is not None else set()
    pairs = delegations(user)
    if pairs:
        same_seat = Q()
        for body_id, state_id in pairs:
            same_seat |= Q(body_id=body_id, member_state_id=state_id)
        people |= set(
            delegation_seats(on=today_in_asean()).filter(same_seat).values_list("person_id", flat=True)
        )
    return people


def person_ids_with_visible_email(user) -> set[int] | None:
    """Whose email address the user may read: None means everyone's (the Secretariat). Others read their
    own and those of the people sitting with them on a delegation (same body, same member state) today;
    nobody else's, so a login does not harvest every delegate's address. Read once per request."""
    if is_secretariat(user):
        return None
    if not is_active_user(user):
        return set()
    return cached_right(user, "email_people", lambda: _email_people(user))


def email_visible(user, person) -> bool:
    ids = person_ids_with_visible_email(user)
    return ids is None or person.pk in ids


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
    perms = Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS)
    group.permissions.set(perms)
    return group
