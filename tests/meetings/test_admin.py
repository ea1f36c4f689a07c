"""The admin of the meetings record: every list and form opens, and a meeting changed there goes through the
services (sequence and hooks)."""

import datetime as dt
import re
import zoneinfo
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import Person
from meetings import services
from meetings.models import Meeting
from tests.world.meetings import meeting_schedule
from tests.world.people import state

MODELS = [
    "meetingseries",
    "meeting",
    "agendaitem",
    "agendaversion",
    "document",
    "invitation",
    "attendance",
    "decision",
    "actionitem",
    "report",
    "submission",
]


@pytest.fixture
def admin_client_(client, world):
    world.sec.is_staff = True
    world.sec.save(update_fields=["is_staff"])
    client.force_login(world.sec)
    return client


@pytest.mark.django_db
def test_every_list_and_form_opens(admin_client_, world):
    m = meeting_schedule(world, confirm=True)
    item = services.agenda_item_add(meeting=m, title="Item")
    services.decision_record(meeting=m, agenda_item=item, kind="noted", text="Noted.")
    services.invitations_for_delegations(meeting=m)
    failing = {
        url: code
        for model in MODELS
        for url in (f"/admin/meetings/{model}/",)
        if (code := admin_client_.get(url).status_code) != 200
    }
    for url in (
        f"/admin/meetings/meeting/{m.pk}/change/",
        f"/admin/meetings/agendaitem/{item.pk}/change/",
        "/admin/outbox/message/",  # the notifications, now the outbox's messages
    ):
        if (code := admin_client_.get(url).status_code) != 200:
            failing[url] = code
    assert not failing


@pytest.mark.django_db
def test_a_meeting_changed_in_the_admin_raises_the_sequence(
    admin_client_, world, hooks, django_capture_on_commit_callbacks
):
    m = meeting_schedule(world, confirm=True)
    r = admin_client_.get(f"/admin/meetings/meeting/{m.pk}/change/")
    assert r.status_code == 200
    form = r.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    for k in ("start", "end"):
        local = form.initial[k].astimezone(zoneinfo.ZoneInfo("Asia/Jakarta"))  # the admin's zone
        data[f"{k}_0"], data[f"{k}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
        data.pop(k, None)
    data["city"] = "Da Nang"
    for prefix in ("agenda_items", "invitations", "documents", "decisions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    with django_capture_on_commit_callbacks(execute=True):
        r = admin_client_.post(f"/admin/meetings/meeting/{m.pk}/change/", data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    m = Meeting.objects.get(pk=m.pk)
    assert m.city == "Da Nang" and m.sequence == 2
    assert hooks == [("meeting_version_changed", {"meeting_id": m.pk})]


def _grow(m, world, n: int) -> None:
    """``n`` more invitations, agenda items (each under the first) and decisions on the meeting."""
    first = services.agenda_item_add(meeting=m, title="Opening")
    for i in range(n):
        person = Person.objects.create(full_name=f"Guest {m.pk}-{i}", member_state=state("PH"))
        services.invitation_add(meeting=m, person=person)
        item = services.agenda_item_add(meeting=m, title=f"Item {i}", parent=first)
        services.decision_record(meeting=m, agenda_item=item, kind="noted", text=f"Noted {i}.")


@pytest.mark.django_db
def test_the_meeting_change_page_makes_as_many_queries_for_few_rows_as_for_many(admin_client_, world):
    small = meeting_schedule(world, confirm=True)
    large = meeting_schedule(
        world, number=22, start=dt.datetime(2026, 11, 4, 9), end=dt.datetime(2026, 11, 5, 17), confirm=True
    )
    _grow(small, world, 2)
    _grow(large, world, 12)
    counts = []
    for m in (small, large):
        admin_client_.get(f"/admin/meetings/meeting/{m.pk}/change/")  # the session and caches warm
        with CaptureQueriesContext(connection) as ctx:
            r = admin_client_.get(f"/admin/meetings/meeting/{m.pk}/change/")
        assert r.status_code == 200
        counts.append([q["sql"] for q in ctx.captured_queries])
    html = r.content.decode()
    assert "Guest" in html and "Item 11" in html  # the rows are on the page
    # Equal at both sizes: no query per row (the repeated statements are named if not).
    repeated = Counter(re.sub(r"\d+", "N", q)[:200] for q in counts[1]).most_common(3)
    assert len(counts[0]) == len(counts[1]), (len(counts[0]), len(counts[1]), repeated)
    assert len(counts[1]) < 40
