"""The chairmanship pages cost the same number of queries however much data there is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chairmanship.models import ChairTerm, Handover, HandoverItem, RotationException
from governance.models import Body, MemberState
from governance.rights import sync_user_rights
from tests.world.build import page_queries
from tests.world.growth import task_forces_grown
from tests.world.people import seat


def grow(n: int, *, start: int) -> None:
    """n more task forces, each with two chair terms, a handover with three items and a rule exception on
    ACCMSME; and three more items on the first handover."""
    accmsme = Body.objects.get(acronym="ACCMSME")
    for i, tf, states in task_forces_grown(n, start=start):
        a, b = states[i % 11], states[(i + 1) % 11]
        out = ChairTerm.objects.create(
            body=tf, member_state=a, start_date=dt.date(2030, 1, 1), end_date=dt.date(2030, 12, 31)
        )
        inc = ChairTerm.objects.create(
            body=tf, member_state=b, start_date=dt.date(2031, 1, 1), end_date=dt.date(2031, 12, 31)
        )
        h = Handover.objects.create(
            body=tf, outgoing_term=out, incoming_term=inc, effective_date=dt.date(2031, 1, 1)
        )
        HandoverItem.objects.bulk_create(
            [
                HandoverItem(
                    handover=h,
                    kind="other",
                    label=f"Item {k}",
                    is_done=k == 0,
                    done_at=timezone.now() if k == 0 else None,
                )
                for k in range(3)
            ]
        )
        ChairTerm.objects.create(
            body=accmsme,
            member_state=a,
            start_date=dt.date(2040 + i, 1, 1),
            end_date=dt.date(2040 + i, 12, 31),
        )
        RotationException.objects.create(body=accmsme, kind="skip", year=2100 + i, member_state=a)
    first = Handover.objects.order_by("pk").first()
    HandoverItem.objects.bulk_create(
        [HandoverItem(handover=first, kind="other", label=f"More {start}-{k}") for k in range(3)]
    )


def seats(user, bodies) -> None:
    """A delegate's seat for ``user`` on each of ``bodies``, with the rights they give."""
    for body in bodies:
        seat(user.person, body, user.person.member_state, start=dt.date(2020, 1, 1))
    sync_user_rights(user)  # as the membership services do


PAGES = [
    "/chairmanship/ACCMSME/timeline/?from=2020&to=2034",
    "/chairmanship/AEM/timeline/?from=2020&to=2034",
    "/chairmanship/handovers/",
    "/chairmanship/handovers/{first}/",
    "/api/v1/handovers/",
    "/api/v1/handovers/{first}/",
    "/api/v1/chair-terms/",
    "/api/v1/rotation/ACCMSME/?from=2020&to=2040",
]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["secretariat", "member"])
@pytest.mark.parametrize("url", PAGES)
def test_query_count_does_not_grow_with_data(seeded, make_user, client, url, who):
    if who == "secretariat":
        user = make_user("sec", secretariat=True)
    else:
        user = make_user("member", state=MemberState.objects.get(iso2="ID"))
        seats(user, Body.objects.all())
    client.force_login(user)
    grow(1, start=0)
    if who == "member":  # rights on the task forces grown above
        seats(user, Body.objects.filter(acronym__startswith="TF-"))
    url = url.format(first=Handover.objects.order_by("pk").first().pk)
    page_queries(client, url)  # warm caches (content types, sessions)
    small = page_queries(client, url)
    grow(6, start=1)
    if who == "member":
        seats(user, Body.objects.filter(acronym__startswith="TF-").exclude(memberships__person=user.person))
    large = page_queries(client, url)
    assert small == large, f"{url}: {small} queries before, {large} after adding data"
