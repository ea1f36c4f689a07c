import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.forms import modelform_factory

from governance.models import Body, ReportingLine
from governance.services import reporting_chain


def acr(bodies):
    return [b.acronym for b in bodies]


@pytest.mark.django_db
def test_reporting_chain_goes_up_to_the_summit(seeded):
    accmsme = Body.objects.get(acronym="ACCMSME")
    assert acr(reporting_chain(accmsme, on=dt.date(2026, 6, 1))) == [
        "ACCMSME",
        "SEOM",
        "AEM",
        "AEC Council",
        "ASEAN Summit",
    ]


@pytest.mark.django_db
def test_reporting_chain_respects_validity_dates(seeded):
    # ACCMSME's line to SEOM starts with its renaming in January 2016.
    accmsme = Body.objects.get(acronym="ACCMSME")
    assert acr(reporting_chain(accmsme, on=dt.date(2015, 6, 1))) == ["ACCMSME"]


@pytest.mark.django_db
def test_a_cycle_is_refused_by_the_model_layer(seeded):
    summit, accmsme = Body.objects.get(acronym="ASEAN Summit"), Body.objects.get(acronym="ACCMSME")
    with pytest.raises(ValidationError, match="would make a cycle"):
        ReportingLine(from_body=summit, to_body=accmsme, kind="reports_to").save()
    assert not ReportingLine.objects.filter(from_body=summit).exists()


@pytest.mark.django_db
def test_a_line_to_itself_is_refused(seeded):
    seom = Body.objects.get(acronym="SEOM")
    with pytest.raises(ValidationError, match="cannot report to itself"):
        ReportingLine(from_body=seom, to_body=seom).save()


@pytest.mark.django_db
def test_a_cycle_is_refused_in_a_form(seeded):
    Form = modelform_factory(
        ReportingLine, fields=["from_body", "to_body", "kind", "valid_from", "valid_until"]
    )
    summit, seom = Body.objects.get(acronym="ASEAN Summit"), Body.objects.get(acronym="SEOM")
    form = Form(data={"from_body": summit.pk, "to_body": seom.pk, "kind": "reports_to"})
    assert not form.is_valid()
    assert "would make a cycle" in form.errors["to_body"][0]


@pytest.mark.django_db
def test_a_cycle_is_refused_by_the_api_with_the_field_named(seeded, make_user, client):
    client.force_login(make_user("sec", secretariat=True))
    summit, aem = Body.objects.get(acronym="ASEAN Summit"), Body.objects.get(acronym="AEM")
    before = ReportingLine.objects.count()
    r = client.post(
        "/api/v1/reporting-lines/",
        {"from_body": summit.pk, "to_body": aem.pk, "kind": "reports_to"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "would make a cycle" in r.json()["to_body"][0]
    assert ReportingLine.objects.count() == before


@pytest.mark.django_db
def test_lines_that_never_coexist_do_not_make_a_cycle(seeded):
    # A line that ended before ACCMSME's current one began cannot close a loop with it.
    seom, accmsme = Body.objects.get(acronym="SEOM"), Body.objects.get(acronym="ACCMSME")
    ReportingLine(
        from_body=seom,
        to_body=accmsme,
        kind="reports_to",
        valid_from=dt.date(2001, 1, 1),
        valid_until=dt.date(2010, 12, 31),
    ).save()
    assert ReportingLine.objects.filter(from_body=seom, to_body=accmsme).exists()


@pytest.mark.django_db
def test_delegates_read_but_cannot_write_the_api(seeded, make_user, client):
    client.force_login(make_user("del"))
    assert client.get("/api/v1/bodies/").status_code == 200
    r = client.post(
        "/api/v1/bodies/",
        {"acronym": "X", "name": "X", "kind": "task_force", "chair_policy": "designated"},
        content_type="application/json",
    )
    assert r.status_code == 403
