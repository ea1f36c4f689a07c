"""The rotation timeline (drawn), the rotation preview API, and a fixed number of queries for every
chairmanship page and API list whatever the data size."""

from __future__ import annotations

import re

import pytest


@pytest.mark.django_db
def test_the_timeline_draws_recorded_and_forecast_years_with_their_reasons(seeded, make_user, client):
    client.force_login(make_user("reader"))
    r = client.get("/chairmanship/ACCMSME/timeline/?from=2021&to=2030")
    assert r.status_code == 200
    html = r.content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    bars = re.findall(
        r'<g class="bar ([a-z ]+)" data-year="(\d{4})" data-state="([^"]+)" data-role="(\w+)"', svg
    )
    chairs = {int(y): (state, cls) for cls, y, state, role in bars if role == "chair"}
    assert chairs[2021] == ("no chair", "none")  # before Myanmar's 2022 anchor
    assert chairs[2022] == ("Myanmar", "recorded")
    assert chairs[2023] == ("Philippines", "recorded")
    assert chairs[2024] == ("Singapore", "provisional")
    assert chairs[2026] == ("Timor-Leste", "provisional")
    assert {int(y): s for _, y, s, role in bars if role == "vice_chair"}[2025] == "Timor-Leste"
    assert 'fill="url(#hatch)"' in svg  # provisional years are drawn hatched
    assert "Timor-Leste entered the order in 2026 (to confirm)" in svg  # the reason is on the bar's tooltip
    assert re.search(r'<tr class="provisional" data-year="2026">', html)
    assert "<script" not in html.split("<main>")[1] and "cdn" not in html.lower()


@pytest.mark.django_db
def test_a_follower_body_shows_the_asean_chairs(seeded, make_user, client):
    client.force_login(make_user("reader"))
    html = client.get("/chairmanship/AEM/timeline/?from=2024&to=2027").content.decode()
    assert 'data-year="2026" data-state="Philippines" data-role="chair"' in html
    assert "Follows the ASEAN Chair (Singapore, provisional)" in html


@pytest.mark.django_db
def test_the_timeline_names_a_bad_parameter_and_404s_an_unknown_body(seeded, make_user, client):
    client.force_login(make_user("reader"))
    r = client.get("/chairmanship/ACCMSME/timeline/?from=2030&to=2020")
    assert r.status_code == 400 and b'data-field="to"' in r.content
    r = client.get("/chairmanship/ACCMSME/timeline/?from=soon")
    assert r.status_code == 400 and "“soon” is not a year." in r.content.decode()
    assert client.get("/chairmanship/NOPE/timeline/").status_code == 404
    client.logout()
    assert client.get("/chairmanship/ACCMSME/timeline/").status_code == 302


@pytest.mark.django_db
def test_the_rotation_preview_api(seeded, make_user, client):
    client.force_login(make_user("reader"))
    data = client.get("/api/v1/rotation/ACCMSME/?from=2023&to=2026").json()
    assert [(y["year"], y["chair"], y["vice_chair"], y["status"]) for y in data["years"]] == [
        (2023, "Philippines", "Singapore", "recorded"),
        (2024, "Singapore", "Thailand", "provisional"),
        (2025, "Thailand", "Timor-Leste", "provisional"),
        (2026, "Timor-Leste", "Viet Nam", "provisional"),
    ]
    # Timor-Leste is vice-chair of 2025 from its admission only, not for the whole year.
    assert [y["vice_chair_from"] for y in data["years"]] == [
        "2023-01-01",
        "2024-01-01",
        "2025-10-26",
        "2026-01-01",
    ]
    assert data["years"][3]["to_confirm"] and data["years"][3]["start"] == "2026-01-01"
    r = client.get("/api/v1/rotation/ACCMSME/?from=twenty")
    assert r.status_code == 400 and "from" in r.json()
    r = client.get("/api/v1/rotation/ACCMSME/?from=2030&to=2020")
    assert r.status_code == 400 and "to" in r.json()
    assert client.get("/api/v1/rotation/NOPE/?from=2020&to=2021").status_code == 404
    client.logout()
    assert client.get("/api/v1/rotation/ACCMSME/").status_code == 403
