"""Who may see and do what. The one place where object rights are decided and granted.

Rights live in django-guardian's direct foreign-key tables (``BodyUserObjectPermission``,
``MeetingUserObjectPermission``) and are *derived*: ``sync_user_rights`` computes what a user should hold
from their current memberships and chair terms and brings the stored rows in line. Signals call it when a
membership, a term or a handover changes, and a daily beat job calls it for terms and memberships that
started or ended by the calendar. Nobody grants rights by hand for the normal cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q, QuerySet
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

ROLE_RIGHTS: dict[str, set[str]] = {
    Membership.Role.HEAD_OF_DELEGATION: {VIEW, RESTRICTED, CONFIDENTIAL, SUBMISSIONS},
    Membership.Role.ALTERNATE: {VIEW, RESTRICTED, SUBMISSIONS},
    Membership.Role.DELEGATE: {VIEW, RESTRICTED, SUBMISSIONS},
    Membership.Role.FOCAL_POINT: {VIEW, RESTRICTED, SUBMISSIONS},
    Membership.Role.SECRETARIAT: {VIEW, RESTRICTED, CONFIDENTIAL, SUBMISSIONS},
    Membership.Role.OBSERVER: {OBSERVE},
}
CHAIR_RIGHTS = {VIEW, MANAGE, RESTRICTED, CONFIDENTIAL, SUBMISSIONS}


def is_secretariat(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_secretariat", None)
    if cached is None:
        cached = user.groups.filter(name=SECRETARIAT_GROUP).exists()
        user._is_secretariat = cached
    return cached


def today_in_asean() -> dt.date:
    return timezone.localdate()  # TIME_ZONE is the Secretariat's zone


def desired_body_rights(user, *, on: dt.date) -> dict[int, set[str]]:
    """Body id -> codenames the user should hold on ``on``, from memberships and chair terms."""
    from chairmanship.selectors import chair_terms_current_for_user

    rights: dict[int, set[str]] = {}
    person = getattr(user, "person", None) if user.pk else None
    if person is None or not user.is_active:
        return rights
    memberships = Membership.objects.filter(person=person, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    for body_id, role in memberships.values_list("body_id", "role"):
        rights.setdefault(body_id, set()).update(ROLE_RIGHTS.get(role, set()))
    for body_id in chair_terms_current_for_user(user, on=on):
        rights.setdefault(body_id, set()).update(CHAIR_RIGHTS)
    return rights


def _permission_ids() -> dict[str, int]:
    return dict(
        Permission.objects.filter(content_type__app_label="governance", codename__in=BODY_PERMS).values_list(
            "codename", "id"
        )
    )


@transaction.atomic
def sync_user_rights(user, *, on: dt.date | None = None) -> tuple[int, int]:
    """Make the user's stored body rights equal the derived ones. Returns (granted, withdrawn)."""
    on = on or today_in_asean()
    want = desired_body_rights(user, on=on)
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
    from governance.audit import record_rights_change

    record_rights_change(
        user=user,
        granted=[(b, codename_by_id[p]) for b, p in to_add],
        withdrawn=[(b, codename_by_id[p]) for b, p in to_remove],
    )
    return len(to_add), len(to_remove)


def sync_rights_for_users(users: Iterable, *, on: dt.date | None = None) -> None:
    for user in users:
        sync_user_rights(user, on=on)


def sync_rights_for_person_ids(person_ids: Iterable[int], *, on: dt.date | None = None) -> None:
    User = get_user_model()
    sync_rights_for_users(User.objects.filter(person__id__in=list(person_ids)), on=on)


def body_ids_with(user, codename: str) -> QuerySet | None:
    """Ids of bodies on which the user holds ``codename``; None means every body (the Secretariat)."""
    if is_secretariat(user):
        return None
    return BodyUserObjectPermission.objects.filter(
        user=user, permission__codename=codename, permission__content_type__app_label="governance"
    ).values("content_object_id")


def has_body_right(user, codename: str, body: Body | int) -> bool:
    if is_secretariat(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    body_id = body if isinstance(body, int) else body.pk
    cache = getattr(user, "_body_rights", None)
    if cache is None:
        cache = {}
        for b, c in BodyUserObjectPermission.objects.filter(user=user).values_list(
            "content_object_id", "permission__codename"
        ):
            cache.setdefault(b, set()).add(c)
        user._body_rights = cache
    return codename in cache.get(body_id, set())


def ensure_secretariat_group() -> Group:
    group, _ = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    perms = Permission.objects.filter(content_type__app_label__in=["governance", "meetings", "chairmanship"])
    group.permissions.set(perms)
    return group
