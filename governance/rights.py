"""Keeping the stored rights equal to what they derive from: the one way rights change.

Rights are *derived*; nobody grants them by hand for the normal cases:

- a current ``Membership`` on a body gives the role's body rights (``ROLE_RIGHTS``), judged on the day in
  Jakarta (the Secretariat's zone);
- the apps above governance contribute the rest through the registry below, from their
  ``AppConfig.ready``: chairmanship gives ``CHAIR_RIGHTS`` to whoever chairs a body while the term runs,
  meetings gives the right to see one meeting to whoever holds a live invitation to it;
- the chair or the members of a body see the meetings of a body reporting to it when that body's
  ``parent_access`` says so (``rights_from_above``: view and ASEAN Restricted, one level down);
- an inactive user holds nothing. A right stored by hand is removed by the next sync.

When rights are brought in line:

- a service that writes what rights derive from (a membership, a chair term, a handover, an invitation, a
  person's user, a user's active flag) calls ``sync_user_rights`` / ``sync_rights_for_person_ids`` (or the
  meetings app's ``sync_meeting_rights``) after its write, inside its transaction: roll back the write and
  the right goes with it;
- one beat job (``governance.tasks.rights_sync_due``, hourly) re-derives the rights of the people whose
  memberships or terms start or end about now, since a date passing writes nothing;
- ``manage.py sync_rights`` re-derives everyone's, for an operator repairing rows written around the
  services (``QuerySet.update``, a data migration).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from governance.audit import record_rights_change
from governance.models import BodyUserObjectPermission, Membership, ParentAccess, ReportingLine
from governance.permissions import (
    BODY_PERMS,
    MANAGE,
    RESTRICTED,
    ROLE_RIGHTS,
    VIEW,
    forget_cached_rights,
    local_date,
    today_in_asean,
)

# What the chair or members of a body hold on a body reporting to it that lets them see its meetings.
FROM_ABOVE_RIGHTS = frozenset({VIEW, RESTRICTED})

# --- The registry of rights contributors ----------------------------------------------------------------


@dataclass(frozen=True)
class BodyRightsSource:
    """Body rights beyond memberships (chair terms). ``rights(person, on=)`` gives body id -> codenames
    (judged on ``on`` when given, else each body on its own local day); ``people_due(now=)`` the
    people whose rights from this source may change around ``now`` (a term starting or ending)."""

    rights: Callable[..., dict[int, set[str]]]
    people_due: Callable[..., set[int]]


@dataclass(frozen=True)
class SingleRightsSource:
    """Rights on single objects of a higher app (a meeting one is invited to): the direct foreign-key
    permission table, its codename, and ``wanted(user)``, the object ids the user should hold it on."""

    model: type[Model]
    codename: str
    wanted: Callable[..., set[int]]

    def permission_id(self) -> int:
        return Permission.objects.get(
            content_type__app_label=self.model._meta.app_label, codename=self.codename
        ).pk


BODY_SOURCES: list[BodyRightsSource] = []
SINGLE_SOURCES: list[SingleRightsSource] = []


def register_body_rights(source: BodyRightsSource) -> None:
    if source not in BODY_SOURCES:
        BODY_SOURCES.append(source)


def register_single_rights(source: SingleRightsSource) -> None:
    if source not in SINGLE_SOURCES:
        SINGLE_SOURCES.append(source)


# --- Deriving -------------------------------------------------------------------------------------------


def desired_body_rights(user, *, on: dt.date | None = None) -> dict[int, set[str]]:
    """Body id -> codenames the user should hold, from memberships (on ``on``, default today in Jakarta)
    and the registered sources (on ``on``, default each body's own local day)."""
    rights: dict[int, set[str]] = {}
    person = getattr(user, "person", None) if user.pk else None
    if person is None or not user.is_active:
        return rights
    day = on or today_in_asean()
    memberships = Membership.objects.filter(person=person, start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )
    for body_id, role in memberships.values_list("body_id", "role"):
        rights.setdefault(body_id, set()).update(ROLE_RIGHTS.get(role, set()))
    for source in BODY_SOURCES:
        for body_id, codes in source.rights(person, on=on).items():
            rights.setdefault(body_id, set()).update(codes)
    for body_id, codes in rights_from_above(rights, on=day).items():
        rights.setdefault(body_id, set()).update(codes)
    return rights


def rights_from_above(rights: dict[int, set[str]], *, on: dt.date) -> dict[int, set[str]]:
    """What the rights on a body give on the bodies reporting to it (a task force under ACCMSME), as each
    of those says in ``parent_access``: its chair (who manages the body above) or also its members (who
    view it) see the lower body's meetings and papers up to ASEAN Restricted, never manage them. One level
    down only, and only from rights held directly, so nothing cascades (docs/decisions/0051)."""
    chaired = {b for b, codes in rights.items() if MANAGE in codes}
    viewed = {b for b, codes in rights.items() if VIEW in codes}
    if not viewed and not chaired:
        return {}
    lines = (
        ReportingLine.objects.filter(
            kind=ReportingLine.Kind.REPORTS_TO,
            to_body_id__in=viewed | chaired,
            from_body__parent_access__in=[ParentAccess.CHAIR, ParentAccess.MEMBERS],
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .values_list("from_body_id", "to_body_id", "from_body__parent_access")
    )
    out: dict[int, set[str]] = {}
    for child, parent, access in lines:
        if parent in chaired or (access == ParentAccess.MEMBERS and parent in viewed):
            out[child] = set(FROM_ABOVE_RIGHTS)
    return out


def sync_rights_below(*, body_ids: Iterable[int]) -> None:
    """After a reporting line or a body's ``parent_access`` was written: re-derive the rights of everyone
    seated on the bodies above (who may gain sight of a lower body) and of everyone holding rights on the
    bodies below (who may lose it). Called by the admin and the API after such writes."""
    ids = {b for b in body_ids if b}
    if not ids:
        return
    people = set(Membership.objects.filter(body_id__in=ids).values_list("person_id", flat=True))
    holders = BodyUserObjectPermission.objects.filter(content_object_id__in=ids).values_list(
        "user_id", flat=True
    )
    people |= set(
        get_user_model()
        .objects.filter(pk__in=holders, person__isnull=False)
        .values_list("person__id", flat=True)
    )
    sync_rights_for_person_ids(people)


def _permission_ids() -> dict[str, int]:
    return dict(
        Permission.objects.filter(content_type__app_label="governance", codename__in=BODY_PERMS).values_list(
            "codename", "id"
        )
    )


# --- Syncing --------------------------------------------------------------------------------------------


def _sync_body_rows(user, want: dict[int, set[str]]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    perm_ids = _permission_ids()
    codename_by_id = {v: k for k, v in perm_ids.items()}
    have = set(
        BodyUserObjectPermission.objects.filter(user=user, permission_id__in=perm_ids.values()).values_list(
            "content_object_id", "permission_id"
        )
    )
    wanted = {(body_id, perm_ids[c]) for body_id, codes in want.items() for c in codes}
    to_add, to_remove = wanted - have, have - wanted
    if to_remove:
        q = Q()
        for body_id, perm_id in to_remove:
            q |= Q(content_object_id=body_id, permission_id=perm_id)
        BodyUserObjectPermission.objects.filter(q, user=user).delete()
    BodyUserObjectPermission.objects.bulk_create(
        [BodyUserObjectPermission(user=user, content_object_id=b, permission_id=p) for b, p in to_add],
        ignore_conflicts=True,
    )
    return (
        [(b, codename_by_id[p]) for b, p in to_add],
        [(b, codename_by_id[p]) for b, p in to_remove],
    )


def _sync_single_rows(user, source: SingleRightsSource) -> tuple[set[int], set[int]]:
    perm_id = source.permission_id()
    want = source.wanted(user) if user.pk and user.is_active else set()
    rows = source.model._default_manager.filter(user=user, permission_id=perm_id)
    have = set(rows.values_list("content_object_id", flat=True))
    added, removed = want - have, have - want
    if removed:
        rows.filter(content_object_id__in=removed).delete()
    source.model._default_manager.bulk_create(
        [source.model(user=user, content_object_id=o, permission_id=perm_id) for o in added],
        ignore_conflicts=True,
    )
    return added, removed


@transaction.atomic
def sync_user_rights(user, *, on: dt.date | None = None) -> tuple[int, int]:
    """Make the user's stored body and single-object rights equal the derived ones. Returns (granted,
    withdrawn). Idempotent: calling it twice changes nothing the second time. Every change is an
    ``AuditEvent``."""
    granted, withdrawn = _sync_body_rows(user, desired_body_rights(user, on=on))
    singles_added: set[int] = set()
    singles_removed: set[int] = set()
    for source in SINGLE_SOURCES:
        added, removed = _sync_single_rows(user, source)
        singles_added |= added
        singles_removed |= removed
    forget_cached_rights(user)
    record_rights_change(
        user=user,
        granted=granted,
        withdrawn=withdrawn,
        meetings_granted=sorted(singles_added),
        meetings_withdrawn=sorted(singles_removed),
    )
    return len(granted) + len(singles_added), len(withdrawn) + len(singles_removed)


def sync_rights_for_users(users: Iterable, *, on: dt.date | None = None) -> None:
    for user in users:
        sync_user_rights(user, on=on)


def sync_rights_for_person_ids(person_ids: Iterable[int], *, on: dt.date | None = None) -> None:
    """Re-derive the rights of the users linked to these people (the call services make after a write)."""
    ids = [p for p in person_ids if p]
    if ids:
        users = get_user_model().objects.filter(person__id__in=ids).select_related("person")
        sync_rights_for_users(users, on=on)


def users_holding_rights() -> QuerySet:
    """Users who hold object rows or could: everyone linked to a person, plus anyone with stored rows."""
    holds = Q(person__isnull=False) | Exists(BodyUserObjectPermission.objects.filter(user=OuterRef("pk")))
    for source in SINGLE_SOURCES:
        holds |= Exists(source.model._default_manager.filter(user=OuterRef("pk")))
    return get_user_model().objects.filter(holds).select_related("person")


def sync_all_rights(*, on: dt.date | None = None) -> int:
    """Re-derive everyone's rights (the operator's repair, ``manage.py sync_rights``). Returns how many
    users were looked at."""
    n = 0
    for user in users_holding_rights().iterator(chunk_size=500):
        sync_user_rights(user, on=on)
        n += 1
    return n


def people_with_rights_due() -> set[int]:
    """People whose rights may change about now: a membership (or a registered source's dates, a chair
    term) starting or ending within a day of it, wide enough for every body's handover zone."""
    now = timezone.now()
    centre = local_date("Asia/Jakarta", now)
    days = [centre + dt.timedelta(days=d) for d in (-2, -1, 0, 1)]
    # A membership that ended on day d stops giving rights on d + 1.
    edge = Q(start_date__in=days) | Q(end_date__in=days)
    people = set(Membership.objects.filter(edge).values_list("person_id", flat=True))
    # A reporting line starting or ending about now moves the sight of the lower body's meetings.
    lines = ReportingLine.objects.filter(Q(valid_from__in=days) | Q(valid_until__in=days))
    people |= set(
        Membership.objects.filter(body_id__in=lines.values("to_body_id")).values_list("person_id", flat=True)
    )
    for source in BODY_SOURCES:
        people |= source.people_due(now=now)
    return {p for p in people if p}


def sync_rights_due() -> int:
    """The hourly job: re-derive the rights of people whose memberships or terms start or end about now."""
    people = people_with_rights_due()
    sync_rights_for_person_ids(people)
    return len(people)


def stored_values(instance: Model, fields: tuple[str, ...]) -> dict | None:
    """The values of ``fields`` as stored before a write (None for a new row): whom a moved row leaves."""
    if instance.pk is None:
        return None
    return type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first()
