"""At most one head of delegation per state per body at any moment, on SQLite (trigger) and PostgreSQL
(exclusion constraint), and with a clear message from the service layer."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance.models import Body, Membership, MemberState, Person
from governance.services import membership_save


@pytest.fixture
def setting(seeded):
    body = Body.objects.get(acronym="ACCMSME")
    ph = MemberState.objects.get(iso2="PH")
    a = Person.objects.create(full_name="Ana Cruz", member_state=ph)
    b = Person.objects.create(full_name="Ben Reyes", member_state=ph)
    Membership.objects.create(
        person=a,
        body=body,
        member_state=ph,
        role="head",
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    return body, ph, a, b


@pytest.mark.django_db
def test_the_database_refuses_an_overlapping_head(setting):
    body, ph, a, b = setting
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            person=b, body=body, member_state=ph, role="head", start_date=dt.date(2025, 6, 1)
        )
    assert Membership.objects.filter(role="head").count() == 1


@pytest.mark.django_db
def test_the_database_refuses_an_update_that_makes_an_overlap(setting):
    body, ph, a, b = setting
    m = Membership.objects.create(
        person=b, body=body, member_state=ph, role="head", start_date=dt.date(2026, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=m.pk).update(start_date=dt.date(2025, 12, 31))
    m.refresh_from_db()
    assert m.start_date == dt.date(2026, 1, 1)


@pytest.mark.django_db
def test_successive_heads_and_other_roles_are_fine(setting):
    body, ph, a, b = setting
    Membership.objects.create(
        person=b, body=body, member_state=ph, role="head", start_date=dt.date(2026, 1, 1)
    )
    Membership.objects.create(
        person=a, body=body, member_state=ph, role="delegate", start_date=dt.date(2026, 1, 1)
    )
    vn = MemberState.objects.get(iso2="VN")
    c = Person.objects.create(full_name="Chi Nguyen", member_state=vn)
    Membership.objects.create(
        person=c, body=body, member_state=vn, role="head", start_date=dt.date(2024, 1, 1)
    )
    assert Membership.objects.filter(role="head").count() == 3


@pytest.mark.django_db
def test_the_service_explains_the_clash(setting):
    body, ph, a, b = setting
    with pytest.raises(ValidationError, match="Ana Cruz is already head of delegation of Philippines"):
        membership_save(
            membership=Membership(
                person=b, body=body, member_state=ph, role="head", start_date=dt.date(2025, 1, 1)
            )
        )


@pytest.mark.django_db
def test_the_postgres_rule_is_an_exclusion_constraint(setting, require_postgres):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'membership_one_head_per_state'"
        )
        (definition,) = cur.fetchone()
    assert definition.startswith("EXCLUDE USING gist")
