"""The rights a chair term gives: ``CHAIR_RIGHTS`` on its body, while the term runs, to the term's chair
person and to the chairing state's head of delegation on that body. A term runs from the start of its
first day to the end of its last day in the body's ``handover_timezone`` (Asia/Jakarta by default).

Registered into ``governance.rights`` from ``ChairmanshipConfig.ready``; the chair term services
(``chair_term_save`` / ``chair_term_delete``, and so the rotation and the handover) call ``sync_term_rights``
after their writes.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from chairmanship.models import ChairTerm
from chairmanship.selectors import CHAIRING_ROLES
from governance.models import Membership
from governance.permissions import CHAIR_RIGHTS, local_date, register_secretariat_app
from governance.rights import (
    BodyRightsSource,
    register_body_rights,
    sync_rights_for_person_ids,
)


def _running(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or end >= day)


def chair_body_ids(person, *, on: dt.date | None = None) -> set[int]:
    """Bodies ``person`` chairs: as a running term's chair person or as head of delegation of its state.

    With ``on`` every body is judged on that day; otherwise each body on today's date in its own handover
    zone, so a handover takes effect at local midnight wherever the body says.
    """
    if person is None:
        return set()
    now = timezone.now()
    if on is None:
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


def chair_rights(person, *, on: dt.date | None = None) -> dict[int, set[str]]:
    return {body_id: set(CHAIR_RIGHTS) for body_id in chair_body_ids(person, on=on)}


def term_people(term, *, body_id: int | None = None, state_id: int | None = None) -> set[int]:
    """The people a term gives chair rights to: its chair person and the chairing state's heads on the body
    (every head ever recorded, so a head whose membership just ended is resynced too)."""
    people = {term.chair_person_id} if term.chair_person_id else set()
    people.update(
        Membership.objects.filter(
            body_id=body_id or term.body_id,
            member_state_id=state_id or term.member_state_id,
            role=Membership.Role.HEAD_OF_DELEGATION,
        ).values_list("person_id", flat=True)
    )
    return people


def people_with_terms_due(*, now: dt.datetime) -> set[int]:
    """People of the chair terms starting or ending within a day of ``now`` (every body's zone)."""
    centre = local_date("Asia/Jakarta", now)
    days = [centre + dt.timedelta(days=d) for d in (-2, -1, 0, 1)]
    people: set[int] = set()
    for term in ChairTerm.objects.filter(Q(start_date__in=days) | Q(end_date__in=days)).only(
        "body_id", "member_state_id", "chair_person_id"
    ):
        people |= term_people(term)
    return people


def sync_term_rights(*, term: ChairTerm, before: dict | None = None, on: dt.date | None = None) -> None:
    """After a chair term was written (or deleted): resync its people, and those of what it was ``before``
    (``{"body_id", "member_state_id", "chair_person_id"}``) when it moved to another body, state or person."""
    people = term_people(term)
    if before:
        people |= term_people(term, body_id=before["body_id"], state_id=before["member_state_id"])
        people.add(before["chair_person_id"])
    sync_rights_for_person_ids(people, on=on)


# What a term's rights hang on: a change of any of them moves the rights away from someone.
TERM_FIELDS = ("body_id", "member_state_id", "chair_person_id")

SOURCE = BodyRightsSource(rights=chair_rights, people_due=people_with_terms_due)


def register() -> None:
    """Called from ``ChairmanshipConfig.ready``: chair terms give body rights, the Secretariat holds the
    app's model permissions."""
    register_body_rights(SOURCE)
    register_secretariat_app("chairmanship")
