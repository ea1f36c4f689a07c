"""The reporting chain asked for a day (``?on=YYYY-MM-DD``) on the chart, on a body's page and in the API:
lines valid that day, and a bad date is a 400 naming ``on``."""

from __future__ import annotations

import datetime as dt

import pytest

from governance.models import Body, ReportingLine


@pytest.fixture
def moved(seeded):
    """ACCMSME reported to a made-up body until 2019, and to SEOM from 2020."""
    acc, seom = Body.objects.get(acronym="ACCMSME"), Body.objects.get(acronym="SEOM")
    old = Body.objects.create(
        name="Old Senior Officials", acronym="OSO", kind=Body.Kind.SENIOR_OFFICIALS, chair_policy="designated"
    )
    line = ReportingLine.objects.get(from_body=acc, to_body=seom, kind="reports_to")
    line.valid_from = dt.date(2020, 1, 1)
    line.save()
    ReportingLine(
        from_body=acc, to_body=old, valid_from=dt.date(2010, 1, 1), valid_until=dt.date(2019, 12, 31)
    ).save()
    return acc


@pytest.mark.django_db
def test_the_api_gives_the_chain_of_the_day(moved, make_user, client):
    client.force_login(make_user("reader"))
    now = client.get("/api/v1/bodies/ACCMSME/reporting-chain/?on=2026-06-01").json()
    assert now["on"] == "2026-06-01" and now["chain"][:3] == ["ACCMSME", "SEOM", "AEM"]
    then = client.get("/api/v1/bodies/ACCMSME/reporting-chain/?on=2015-06-01").json()
    assert then["chain"] == ["ACCMSME", "OSO"]
    r = client.get("/api/v1/bodies/ACCMSME/reporting-chain/?on=last-year")
    assert r.status_code == 400 and "YYYY-MM-DD" in r.json()["on"][0]
    assert client.get("/api/v1/bodies/NOPE/reporting-chain/").status_code == 404
    client.logout()
    assert client.get("/api/v1/bodies/ACCMSME/reporting-chain/").status_code == 403


@pytest.mark.django_db
def test_the_pages_show_the_lines_of_the_day(moved, make_user, client):
    client.force_login(make_user("reader"))
    page = client.get("/governance/bodies/ACCMSME/?on=2015-06-01").content.decode()
    assert (
        'data-on="2015-06-01"' in page
        and ">OSO</a>" in page
        and ">SEOM</a>" not in page.split("reporting-chain")[1][:400]
    )
    page = client.get("/governance/bodies/ACCMSME/?on=2026-06-01").content.decode()
    chain = page.split('id="reporting-chain"')[1].split("</p>")[0]
    assert ">SEOM</a>" in chain and ">OSO</a>" not in chain
    chart = client.get("/governance/?on=2015-06-01")
    assert chart.status_code == 200 and "As on 1 June 2015" in chart.content.decode()
    assert 'data-acronym="OSO"' in chart.content.decode()
    bad = client.get("/governance/?on=31/12/2015")
    assert bad.status_code == 400 and 'data-field="on"' in bad.content.decode()
    assert client.get("/governance/bodies/ACCMSME/?on=soon").status_code == 400
