"""Chair terms: two chairs of one body never overlap (database rule on SQLite and PostgreSQL, and a clear
sentence from the service), co-chairs of a task force may, and the API that reads and writes terms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from chairmanship.models import ChairTerm
from chairmanship.terms import chair_term_record
from governance.models import Body
from tests.world.people import state

D = dt.date.fromisoformat


def raw_term(body, iso2, start, end, role="chair") -> ChairTerm:
    """Straight to the database, past the service: only the database rule stands in the way."""
    with transaction.atomic():
        return ChairTerm.objects.create(
            body=body, member_state=state(iso2), role=role, start_date=D(start), end_date=D(end)
        )


@pytest.mark.django_db
def test_the_database_refuses_two_overlapping_chairs(seeded):
    accmsme = Body.objects.get(acronym="ACCMSME")
    raw_term(accmsme, "SG", "2024-01-01", "2024-12-31")
    # Mid-year to mid-year, overlapping the second half of 2024.
    with pytest.raises(IntegrityError):
        raw_term(accmsme, "TH", "2024-07-01", "2025-06-30")
    # Adjacent terms, another body, a vice-chair alongside: all fine.
    raw_term(accmsme, "TH", "2025-01-01", "2025-12-31")
    raw_term(Body.objects.get(acronym="SEOM"), "LA", "2024-01-01", "2024-12-31")
    raw_term(accmsme, "TH", "2024-01-01", "2024-12-31", role="vice_chair")
    with pytest.raises(IntegrityError):
        raw_term(accmsme, "PH", "2024-03-01", "2024-04-01", role="vice_chair")
    # Moving a term onto another is refused too (the UPDATE trigger / the constraint).
    term = ChairTerm.objects.get(body=accmsme, role="chair", start_date=D("2025-01-01"))
    term.start_date = D("2024-12-01")
    with pytest.raises(IntegrityError), transaction.atomic():
        term.save()


@pytest.mark.django_db
def test_co_chairs_may_overlap_in_the_database(seeded):
    tf = Body.objects.get(acronym="ACCMSME TF-A")
    raw_term(tf, "ID", "2026-01-01", "2026-12-31", role="co_chair")
    raw_term(tf, "SG", "2026-01-01", "2026-12-31", role="co_chair")
    assert ChairTerm.objects.filter(body=tf, role="co_chair").count() == 2


@pytest.mark.django_db
@pytest.mark.postgres
def test_on_postgresql_it_is_an_exclusion_constraint(seeded, require_postgres):
    from psycopg import errors

    with connection.cursor() as cur:
        cur.execute(
            "SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'chairterm_one_chair_at_a_time'"
        )
        kind, definition = cur.fetchone()
    assert kind == "x" and "EXCLUDE USING gist" in definition and "daterange" in definition
    accmsme = Body.objects.get(acronym="ACCMSME")
    with pytest.raises(IntegrityError) as caught:
        raw_term(accmsme, "SG", "2022-06-01", "2023-05-31")  # overlaps the recorded 2022 and 2023 chairs
    assert isinstance(caught.value.__cause__, errors.ExclusionViolation)


@pytest.mark.django_db
def test_the_service_says_why_in_a_sentence(seeded):
    accmsme = Body.objects.get(acronym="ACCMSME")
    with pytest.raises(ValidationError) as caught:
        chair_term_record(
            body=accmsme, member_state=state("SG"), start_date=D("2022-07-01"), end_date=D("2023-06-30")
        )
    assert caught.value.message_dict == {
        "start_date": [
            "Myanmar is already chair of ACCMSME from 1 Jan 2022 to 31 Dec 2022: two chairs of one body cannot overlap."
        ]
    }
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        chair_term_record(
            body=accmsme, member_state=state("SG"), start_date=D("2031-07-01"), end_date=D("2031-06-30")
        )


@pytest.mark.django_db
def test_a_task_force_may_have_two_co_chairs_not_three_and_not_beside_a_chair(seeded):
    tf = Body.objects.get(acronym="ACCMSME TF-B")
    year = {"start_date": D("2026-01-01"), "end_date": D("2026-12-31")}
    chair_term_record(body=tf, member_state=state("ID"), role="co_chair", **year)
    chair_term_record(body=tf, member_state=state("PH"), role="co_chair", **year)
    with pytest.raises(ValidationError, match="already has 2 co-chairs"):
        chair_term_record(body=tf, member_state=state("VN"), role="co_chair", **year)
    with pytest.raises(ValidationError, match="already co-chairs"):
        chair_term_record(
            body=tf,
            member_state=state("ID"),
            role="co_chair",
            start_date=D("2026-06-01"),
            end_date=D("2027-05-31"),
        )
    with pytest.raises(ValidationError, match="two chairs of one body cannot overlap"):
        chair_term_record(body=tf, member_state=state("VN"), **year)


@pytest.mark.django_db
def test_the_api_reads_for_members_and_writes_for_the_secretariat(seeded, make_user, client):
    client.force_login(make_user("reader"))
    listing = client.get("/api/v1/chair-terms/?body=ACCMSME").json()["results"]
    assert [(t["member_state_name"], t["start_date"]) for t in listing] == [
        ("Myanmar", "2022-01-01"),
        ("Philippines", "2023-01-01"),
    ]
    accmsme = Body.objects.get(acronym="ACCMSME")
    new = {
        "body": accmsme.pk,
        "member_state": state("SG").pk,
        "start_date": "2024-01-01",
        "end_date": "2024-12-31",
    }
    assert client.post("/api/v1/chair-terms/", new).status_code == 403

    secretariat = make_user("asec", secretariat=True)
    client.force_login(secretariat)
    clash = client.post("/api/v1/chair-terms/", {**new, "start_date": "2023-06-01"})
    assert clash.status_code == 400
    assert "two chairs of one body cannot overlap" in clash.json()["start_date"][0]
    made = client.post("/api/v1/chair-terms/", new)
    assert made.status_code == 201
    term = ChairTerm.objects.get(pk=made.json()["id"])
    assert (term.recorded_by, term.member_state.short_name, term.is_provisional) == (
        secretariat,
        "Singapore",
        False,
    )
    moved = client.patch(
        f"/api/v1/chair-terms/{term.pk}/", {"end_date": "2025-03-31"}, content_type="application/json"
    )
    assert moved.status_code == 200
    overlap = client.patch(
        f"/api/v1/chair-terms/{term.pk}/", {"start_date": "2023-12-01"}, content_type="application/json"
    )
    assert overlap.status_code == 400 and "Philippines is already chair" in overlap.json()["start_date"][0]


@pytest.mark.django_db
def test_the_admin_lists_terms_and_handovers_and_explains_a_clash(seeded, make_user, client):
    from chairmanship.handovers import handover_plan

    staff = make_user("asec", secretariat=True)
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    accmsme = Body.objects.get(acronym="ACCMSME")
    terms = list(ChairTerm.objects.filter(body=accmsme).order_by("start_date"))
    handover = handover_plan(outgoing_term=terms[0], incoming_term=terms[1])
    for url in (
        "/admin/chairmanship/chairterm/",
        "/admin/chairmanship/rotationrule/",
        "/admin/chairmanship/rotationexception/",
        "/admin/chairmanship/handover/",
        f"/admin/chairmanship/handover/{handover.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    r = client.post(
        "/admin/chairmanship/chairterm/add/",
        {
            "body": accmsme.pk,
            "member_state": state("SG").pk,
            "role": "chair",
            "start_date": "2022-06-01",
            "end_date": "2023-05-31",
            "certainty": "sourced",
        },
    )
    assert r.status_code == 200 and "two chairs of one body cannot overlap" in r.content.decode()
