"""Read queries about chairs that pages and the rights engine need."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from chairmanship.models import ChairTerm
from governance.models import Membership

CHAIRING_ROLES = (ChairTerm.Role.CHAIR, ChairTerm.Role.CO_CHAIR)


def chair_terms_on(*, on: dt.date):
    return ChairTerm.objects.filter(role__in=CHAIRING_ROLES, start_date__lte=on, end_date__gte=on)


def chair_terms_current_for_user(user, *, on: dt.date) -> set[int]:
    """Bodies the user chairs on ``on``: as the term's named chair person, or as head of delegation of the
    chairing state on that body (DECISIONS.md: the rights go to both)."""
    person = getattr(user, "person", None)
    if person is None:
        return set()
    heads = Membership.objects.filter(
        person=person, role=Membership.Role.HEAD_OF_DELEGATION, start_date__lte=on
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    head_pairs = set(heads.values_list("body_id", "member_state_id"))
    bodies = set()
    for body_id, state_id, chair_person_id in (
        chair_terms_on(on=on)
        .filter(Q(chair_person=person) | Q(body_id__in=[b for b, _ in head_pairs]))
        .values_list("body_id", "member_state_id", "chair_person_id")
    ):
        if chair_person_id == person.pk or (body_id, state_id) in head_pairs:
            bodies.add(body_id)
    return bodies


def current_chairs(*, on: dt.date) -> dict[int, ChairTerm]:
    """Body id -> the chair term running on ``on`` (one query)."""
    return {
        t.body_id: t
        for t in chair_terms_on(on=on)
        .filter(role=ChairTerm.Role.CHAIR)
        .select_related("member_state", "chair_person")
    }
