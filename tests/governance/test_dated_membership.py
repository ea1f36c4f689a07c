"""A seat for a member state cannot start before the state's admission (Timor-Leste: 26 Oct 2025), said by
the model, the service, the admin, the API and the database (a trigger), and kept when the admission date
is edited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance.models import Body, Membership, MemberState, Person
from governance.services import membership_save

ADMITTED = dt.date(2025, 10, 26)


@pytest.fixture
def tl(seeded):
    state = MemberState.objects.get(iso2="TL")
    assert state.admitted_on == ADMITTED
    return (
        state,
        Body.objects.get(acronym="ACCMSME"),
        Person.objects.create(full_name="Rui Soares", member_state=state),
    )


def seat(state, body, person, start: dt.date, role: str = "head") -> Membership:
    return Membership(person=person, body=body, member_state=state, role=role, start_date=start)


@pytest.mark.django_db
def test_the_service_refuses_a_seat_dated_before_admission_naming_the_field(tl):
    with pytest.raises(ValidationError) as caught:
        membership_save(membership=seat(*tl, dt.date(2020, 1, 1)))
    assert caught.value.message_dict["start_date"] == [
        "Timor-Leste was admitted to ASEAN on 26 Oct 2025: a seat for it cannot start on 01 Jan 2020."
    ]
    with pytest.raises(ValidationError):
        membership_save(membership=seat(*tl, ADMITTED - dt.timedelta(days=1)))
    assert not Membership.objects.filter(member_state=tl[0]).exists()
    assert membership_save(membership=seat(*tl, ADMITTED)).pk  # from the day of admission it is fine


@pytest.mark.django_db
def test_the_database_refuses_it_on_insert_and_on_update(tl):
    with pytest.raises(IntegrityError), transaction.atomic():
        seat(*tl, dt.date(2020, 1, 1)).save()
    ok = seat(*tl, ADMITTED)
    ok.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=ok.pk).update(start_date=dt.date(2025, 10, 25))
    ok.refresh_from_db()
    assert ok.start_date == ADMITTED
    # An organisation's seat has no admission to respect.
    asec_seat = Membership(
        person=tl[2],
        body=tl[1],
        organisation_id=_asec_id(),
        role="secretariat",
        start_date=dt.date(2000, 1, 1),
    )
    asec_seat.save()


def _asec_id() -> int:
    from governance.models import Organisation

    return Organisation.objects.get(acronym="ASEC").pk


@pytest.mark.django_db
def test_moving_an_admission_later_than_a_seat_is_refused(tl):
    state, body, person = tl
    seat(state, body, person, ADMITTED).save()
    state.admitted_on = dt.date(2025, 11, 1)
    with pytest.raises(
        ValidationError, match="Rui Soares holds a seat on ACCMSME for Timor-Leste from 26 Oct 2025"
    ):
        state.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberState.objects.filter(pk=state.pk).update(admitted_on=dt.date(2025, 11, 1))
    MemberState.objects.filter(pk=state.pk).update(admitted_on=dt.date(2025, 10, 1))  # earlier is fine


@pytest.mark.django_db
def test_the_api_answers_400_naming_start_date(tl, make_user, client):
    state, body, person = tl
    client.force_login(make_user("secretariat", secretariat=True))
    payload = {"person": person.pk, "body": body.pk, "member_state": state.pk, "role": "head"}
    r = client.post(
        "/api/v1/memberships/", {**payload, "start_date": "2020-01-01"}, content_type="application/json"
    )
    assert r.status_code == 400 and "admitted to ASEAN on 26 Oct 2025" in r.json()["start_date"][0]
    r = client.post(
        "/api/v1/memberships/", {**payload, "start_date": "2025-10-26"}, content_type="application/json"
    )
    assert r.status_code == 201
    r = client.patch(
        f"/api/v1/memberships/{r.json()['id']}/",
        {"start_date": "2025-01-01"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "start_date" in r.json()


@pytest.mark.django_db
def test_the_admin_form_shows_the_error(tl, make_user, client):
    state, body, person = tl
    admin = make_user("admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    r = client.post(
        "/admin/governance/membership/add/",
        {
            "person": person.pk,
            "body": body.pk,
            "member_state": state.pk,
            "role": "head",
            "start_date": "2020-01-01",
        },
    )
    assert r.status_code == 200
    assert "a seat for it cannot start on 01 Jan 2020" in r.content.decode()
    assert not Membership.objects.filter(member_state=state).exists()
