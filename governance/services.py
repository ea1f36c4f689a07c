"""Rules of the governance domain, callable without HTTP."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from governance.models import Body, Membership, Person, ReportingLine
from governance.rights import stored_values, sync_rights_for_person_ids, sync_user_rights


def reporting_chain(body: Body, *, on: dt.date | None = None) -> list[Body]:
    """The body and every body above it by "reports to" lines valid on ``on``: ACCMSME → SEOM → … → Summit."""
    on = on or dt.date.today()
    lines = (
        ReportingLine.objects.filter(kind=ReportingLine.Kind.REPORTS_TO)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("to_body")
        .order_by("-valid_from")
    )
    up: dict[int, Body] = {}
    for line in lines:
        up.setdefault(line.from_body_id, line.to_body)
    chain, seen = [body], {body.pk}
    while chain[-1].pk in up and up[chain[-1].pk].pk not in seen:
        nxt = up[chain[-1].pk]
        chain.append(nxt)
        seen.add(nxt.pk)
    return chain


@transaction.atomic
def membership_save(*, membership: Membership) -> Membership:
    """Validate and store a membership, then bring the object rights in line: the person's, and when the
    seat moved to another person, the one it left."""
    before = stored_values(membership, ("person_id",)) or {}
    membership.full_clean()
    membership.save()
    sync_rights_for_person_ids({membership.person_id, before.get("person_id")})
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership) -> None:
    """Delete a membership and withdraw the rights it gave."""
    person_id = membership.person_id
    membership.delete()
    sync_rights_for_person_ids({person_id})


@transaction.atomic
def person_save(*, person: Person) -> Person:
    """Store a person; when it is linked to another user (or first linked), the old user loses the rights
    the person's memberships give and the new one gains them."""
    before = stored_values(person, ("user_id",))
    person.save()
    if before is None or before["user_id"] != person.user_id:
        users = {person.user_id, (before or {}).get("user_id")} - {None}
        for user in get_user_model().objects.filter(pk__in=users).select_related("person"):
            sync_user_rights(user)
    return person


@transaction.atomic
def person_delete(*, person: Person) -> None:
    """Delete a person (their memberships go with them) and withdraw what they gave their user."""
    user_id = person.user_id
    person.delete()
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is not None:
        sync_user_rights(user)


def reporting_line_save(*, line: ReportingLine) -> ReportingLine:
    with transaction.atomic():
        line.full_clean()
        line.save()
    return line
