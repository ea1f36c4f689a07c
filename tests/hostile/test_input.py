"""Hostile input answered with a 400 naming the field or a 409, never a 500: query parameters out of
range, dates outside 1967–2100, control characters in one-line text, rows others depend on, database
constraints the serializers must check first. And the schema documents what the API really answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from governance.api_support import BoundedLimitOffsetPagination
from governance.input_rules import strip_to_single_line
from meetings.calendar.ics import new_calendar
from meetings.forms import MeetingForm
from meetings.models import Meeting
from tests.world.build import api_as, client_as

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url, param",
    [
        ("/api/v1/agenda-items/?meeting=99999999999999999999999", "meeting"),
        ("/api/v1/documents/?meeting=²", "meeting"),
        ("/api/v1/action-items/?body=-3", "body"),
        ("/api/v1/meetings/?year=9999", "year"),
        ("/api/v1/meetings/?year=²", "year"),
        ("/api/v1/meetings/?status=exploded", "status"),
        ("/api/v1/meetings/propose/?body=ACCMSME&year=99999999999999999999", "year"),
        ("/api/v1/submissions/?body=1e400", "body"),
        ("/api/v1/rotation/ACCMSME/?from=²", "from"),
    ],
)
def test_query_parameters_out_of_range_are_a_400_naming_them(roles, url, param):
    r = api_as(roles.secretariat).get(url)
    assert r.status_code == 400, r.content
    assert param in r.json()


def test_meetings_body_filter_reads_an_id_or_an_acronym(roles):
    c = api_as(roles.secretariat)
    by_acronym = {m["title"] for m in c.get("/api/v1/meetings/?body=ACCMSME").json()["results"]}
    by_id = {m["title"] for m in c.get(f"/api/v1/meetings/?body={roles.accmsme.pk}").json()["results"]}
    assert by_acronym == by_id == {"Mtg-ACC-private", "Mtg-ACC-public"}
    assert c.get("/api/v1/meetings/?body=99999999999999999999999").json()["count"] == 0


def test_limit_is_capped_and_a_huge_offset_is_an_empty_page(roles):
    paginator = BoundedLimitOffsetPagination()
    request = APIRequestFactory().get("/", {"limit": "100000000", "offset": "9" * 30})
    from rest_framework.request import Request

    req = Request(request)
    assert paginator.get_limit(req) == 500
    assert paginator.get_offset(req) == 2**31 - 1
    r = api_as(roles.secretariat).get("/api/v1/meetings/", {"limit": "100000000", "offset": "9" * 30})
    assert r.status_code == 200 and r.json()["results"] == []


def test_deleting_a_body_others_depend_on_is_a_409(roles):
    r = api_as(roles.secretariat).delete(f"/api/v1/bodies/{roles.accmsme.pk}/")
    assert r.status_code == 409
    assert "referred to" in r.json()["detail"]


def test_a_check_constraint_is_a_400_naming_the_field(roles):
    r = api_as(roles.secretariat).patch(
        f"/api/v1/strategic-plans/{roles.plan.pk}/", {"period_start": 2030}, format="json"
    )
    assert r.status_code == 400, r.content
    assert "period_start" in r.json()  # the field the request gave


def meeting_payload(roles, **over):
    return {
        "body": roles.accmsme.pk,
        "title": "Special meeting",
        "start": "2030-05-13T09:00",
        "end": "2030-05-14T17:00",
        "timezone": "Asia/Manila",
        "modality": "in_person",
        **over,
    }


@pytest.mark.parametrize(
    "over, field",
    [
        ({"start": "9999-05-13T09:00", "end": "9999-05-14T17:00"}, "start"),
        ({"start": "1900-05-13T09:00"}, "start"),
        ({"end": "2101-01-03T09:00"}, "end"),
        ({"title": "Special\nmeeting"}, "title"),
        ({"title": "Special\x07meeting"}, "title"),
        ({"venue": "Hall A\r\nBCC: everyone@example.org"}, "venue"),
    ],
)
def test_api_refuses_years_out_of_range_and_control_characters(roles, over, field):
    before = Meeting.objects.count()
    r = api_as(roles.secretariat).post("/api/v1/meetings/", meeting_payload(roles, **over), format="json")
    assert r.status_code == 400, r.content
    assert field in r.json()
    assert Meeting.objects.count() == before


def test_the_database_refuses_them_too(roles):
    m = roles.m_acc
    for change in (
        {
            "start": timezone.make_aware(dt.datetime(9999, 1, 1)),
            "end": timezone.make_aware(dt.datetime(9999, 1, 2)),
        },
        {"title": "two\nlines"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Meeting.objects.filter(pk=m.pk).update(**change)


def test_the_meeting_form_refuses_them_with_a_clear_message(roles):
    form = MeetingForm(
        data={"title": "A\nB", "start": "9999-01-01T09:00", "end": "9999-01-02T09:00", "venue": "x\ty"}
    )
    form.is_valid()
    assert "one line" in " ".join(form.errors.get("title", []))
    assert "1967 and 2100" in " ".join(form.errors.get("start", []))
    assert "one line" in " ".join(form.errors.get("venue", []))


def test_a_calendar_named_after_a_title_with_a_line_break_still_renders():
    ics = new_calendar("PUBLISH", name="Old\ntitle").to_ical()
    assert b"X-WR-CALNAME:Old title" in ics
    assert strip_to_single_line("a\r\nb\x00c") == "a  b c"


def test_a_delegates_private_feed_keeps_answering(roles):
    from meetings.calendar.feeds import feed_url

    url = feed_url(roles.delegate.person).split("://", 1)[-1].split("/", 1)[-1]
    r = client_as(roles.delegate).get("/" + url)
    assert r.status_code == 200, r.status_code
    assert b"Mtg-ACC-private" in r.content


# --- The schema documents what the API answers ---------------------------------------------------------


@pytest.fixture
def schema(roles):
    r = client_as(roles.secretariat).get("/api/schema/?format=json")
    assert r.status_code == 200
    return r.json()


def test_conflicts_is_a_plain_list(schema):
    ok = schema["paths"]["/api/v1/meetings/{id}/conflicts/"]["get"]["responses"]["200"]
    body = ok["content"]["application/json"]["schema"]
    assert body["type"] == "array"


def test_downloads_are_documented_with_their_real_types(schema):
    ok = schema["paths"]["/api/v1/documents/{id}/download/"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in ok
    assert "application/octet-stream" not in ok


def test_every_operation_documents_its_errors(schema):
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            assert "403" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert {"400", "409"} <= codes, (method, path)


def test_the_seed_refuses_a_date_out_of_range(db):
    from governance.models import MemberState
    from governance.seed import Seeder, SeedError

    with pytest.raises(SeedError, match="1967 and 2100"):
        Seeder({}).ensure(
            MemberState,
            {"iso2": "ZZ"},
            {"short_name": "Atlantis", "admitted_on": dt.date(9999, 1, 1)},
            "Atlantis",
        )
