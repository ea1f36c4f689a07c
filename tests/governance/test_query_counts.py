"""Every page and API list of the governance domain runs a fixed number of queries whatever the data size."""

import datetime as dt

import pytest

from governance.models import Body, Membership, Person, ReportingLine
from tests.world.build import page_queries
from tests.world.growth import task_forces_grown

PAGES = [
    "/governance/",
    "/governance/bodies/ACCMSME/",
    "/api/v1/bodies/",
    "/api/v1/member-states/",
    "/api/v1/reporting-lines/",
    "/api/v1/people/",
    "/api/v1/memberships/",
    "/api/v1/strategic-plans/",
]


def grow(n: int, *, start: int) -> None:
    """Add n task forces under ACCMSME, each with a member per state."""
    accmsme = Body.objects.get(acronym="ACCMSME")
    for i, tf, states in task_forces_grown(n, start=start):
        ReportingLine(from_body=tf, to_body=accmsme, kind="advises").save()
        for s in states:
            p = Person.objects.create(full_name=f"P {i} {s.iso2}", member_state=s)
            Membership.objects.create(
                person=p,
                body=accmsme,
                member_state=s,
                role="delegate",
                start_date=max(dt.date(2020, 1, 1), s.admitted_on),  # no seat before admission
            )


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_query_count_does_not_grow_with_data(seeded, make_user, client, url):
    client.force_login(make_user("sec", secretariat=True))
    grow(1, start=0)
    page_queries(client, url)  # warm caches (content types, sessions)
    small = page_queries(client, url)
    grow(6, start=1)
    large = page_queries(client, url)
    assert small == large, f"{url}: {small} queries before, {large} after adding data"
