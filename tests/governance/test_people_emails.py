"""Email addresses of people: shown to the Secretariat, the person, and members of the same delegation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import Membership, Person
from governance.rights import sync_user_rights
from tests.world.build import api_as, listed
from tests.world.people import SINCE, seat, user_make


@pytest.fixture
def colleague(roles):
    """A second member of Indonesia's delegation on ACCMSME, besides ``roles.delegate``."""
    user = user_make("colleague", state=roles.id)
    seat(user.person, roles.accmsme, roles.id, Membership.Role.ALTERNATE)
    sync_user_rights(user)
    return user


def emails_seen(user) -> dict[str, str | None]:
    return {p["full_name"]: p["email"] for p in listed(user, "/api/v1/people/?limit=100")}


def test_people_emails_are_shown_to_the_secretariat_the_person_and_their_delegation(roles, colleague):
    seen = emails_seen(roles.secretariat)
    assert seen["Head"] == "head@example.org" and seen["Colleague"] == "colleague@example.org"

    seen = emails_seen(roles.delegate)
    assert seen["Delegate"] == "delegate@example.org"  # their own
    assert seen["Colleague"] == "colleague@example.org"  # same delegation (Indonesia on ACCMSME)
    assert seen["Head"] is None and seen["Chair"] is None and seen["Secretariat"] is None

    seen = emails_seen(roles.head)
    assert seen["Head"] == "head@example.org"
    assert {n for n, e in seen.items() if e} == {"Head"}

    one = api_as(roles.observer).get(f"/api/v1/people/{roles.delegate.person.pk}/").json()
    assert one["email"] is None and one["full_name"] == "Delegate"


def test_a_delegation_that_ended_no_longer_shares_emails(roles, colleague):
    Membership.objects.filter(person=colleague.person).update(end_date=SINCE)
    assert emails_seen(roles.delegate)["Colleague"] is None


def test_the_people_list_costs_the_same_whatever_its_length(roles, colleague):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            listed(roles.delegate, "/api/v1/people/")
        return len(ctx.captured_queries)

    count()
    few = count()
    for i in range(5):
        p = Person.objects.create(full_name=f"More {i}", email=f"more{i}@example.org", member_state=roles.id)
        seat(p, roles.accmsme, roles.id)
    assert count() == few
    assert emails_seen(roles.delegate)["More 3"] == "more3@example.org"
