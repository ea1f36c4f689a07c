"""The rotation timeline (drawn), the rotation preview API, and a fixed number of queries for every
chairmanship page and API list whatever the data size."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chairmanship.models import ChairTerm, Handover, HandoverItem, RotationException
from governance.models import Body, Membership, MemberState
from governance.rights import sync_user_rights


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    assert data["years"][3]["to_confirm"] and data["years"][3]["start"] == "2026-01-01"
    r = client.get("/api/v1/rotation/ACCMSME/?from=twenty")
    assert r.status_code == 400 and "from" in r.json()
    r = client.get("/api/v1/rotation/ACCMSME/?from=2030&to=2020")
    assert r.status_code == 400 and "to" in r.json()
    assert client.get("/api/v1/rotation/NOPE/?from=2020&to=2021").status_code == 404
    client.logout()
    assert client.get("/api/v1/rotation/ACCMSME/").status_code == 403


# --- Fixed query counts ---------------------------------------------------------------------------------


def grow(n: int, *, start: int) -> None:
    """n more task forces, each with two chair terms, a handover with three items and a rule exception on
    ACCMSME; and three more items on the first handover."""
    states = list(MemberState.objects.order_by("short_name"))
    accmsme = Body.objects.get(acronym="ACCMSME")
    for i in range(start, start + n):
        tf = Body.objects.create(
            acronym=f"TF-{i}", name=f"Task force {i}", kind="task_force", chair_policy="designated"
        )
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


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return len(ctx.captured_queries)


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
        for body in Body.objects.all():
            Membership.objects.create(
                person=user.person,
                body=body,
                member_state_id=user.person.member_state_id,
                role="delegate",
                start_date=dt.date(2020, 1, 1),
            )
        sync_user_rights(user)  # as the membership services do
    client.force_login(user)
    grow(1, start=0)
    if who == "member":  # rights on the task forces grown above
        for body in Body.objects.filter(acronym__startswith="TF-"):
            Membership.objects.create(
                person=user.person,
                body=body,
                member_state_id=user.person.member_state_id,
                role="delegate",
                start_date=dt.date(2020, 1, 1),
            )
        sync_user_rights(user)
    url = url.format(first=Handover.objects.order_by("pk").first().pk)
    count(client, url)  # warm caches (content types, sessions)
    small = count(client, url)
    grow(6, start=1)
    if who == "member":
        for body in Body.objects.filter(acronym__startswith="TF-").exclude(memberships__person=user.person):
            Membership.objects.create(
                person=user.person,
                body=body,
                member_state_id=user.person.member_state_id,
                role="delegate",
                start_date=dt.date(2020, 1, 1),
            )
        sync_user_rights(user)
    large = count(client, url)
    assert small == large, f"{url}: {small} queries before, {large} after adding data"
