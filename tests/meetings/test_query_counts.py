"""Every meetings page and API list runs a fixed number of queries whatever the data size: the same count
with a small record and with a larger one."""

import datetime as dt

import pytest
from freezegun import freeze_time

from governance.models import Body, Person
from meetings import reports, services
from meetings.models import AgendaItem, Meeting, Report, Submission
from tests.world.build import page_queries
from tests.world.documents import pdf_bytes, pdf_file
from tests.world.meetings import meeting_schedule
from tests.world.people import seat, state

NOW = dt.datetime(2026, 5, 14, 9, tzinfo=dt.UTC)


@pytest.fixture
def scene(world, media, monkeypatch):
    """The 21st meeting with a previous meeting, a circulated and adopted agenda, a report sent to SEOM."""
    monkeypatch.setattr(reports, "report_pdf", lambda *, html: pdf_bytes("report"))
    w = world
    previous = meeting_schedule(
        w,
        number=20,
        start=dt.datetime(2025, 11, 12, 9),
        end=dt.datetime(2025, 11, 13, 17),
        host="MY",
        confirm=True,
    )
    m = meeting_schedule(w, confirm=True)
    top = services.agenda_item_add(meeting=m, title="Opening")
    services.agenda_circulate(meeting=m)
    services.agenda_item_add(meeting=m, title="Financing", parent=top)
    services.agenda_circulate(meeting=m)
    with freeze_time(NOW):
        report = services.report_generate(meeting=m)
    services.report_adopt(report=report, mode="at_meeting", on=dt.date(2026, 5, 14))
    submission = services.report_submit(report=report, on=dt.date(2026, 5, 15))
    return {"w": w, "m": m, "previous": previous, "submission": submission}


def grow(scene, n: int, start: int) -> None:
    """Add n of everything a page lists."""
    w, m, previous = scene["w"], scene["m"], scene["previous"]
    opening = AgendaItem.objects.get(meeting=m, title="Opening")
    tf_a = Body.objects.get(acronym="ACCMSME TF-A")
    for i in range(start, start + n):
        p = Person.objects.create(full_name=f"Delegate {i}", member_state=state("ID"))
        seat(p, w.body, "ID")
        services.invitation_add(meeting=m, person=p)
        services.attendance_record(meeting=m, entries=[services.AttendanceEntry(person=p)])
        doc = services.document_upload(
            meeting=m, file=pdf_file(), title=f"Paper {i}", kind="working_paper", classification=i % 3
        )
        item = AgendaItem.objects.create(
            meeting=m, parent=opening if i % 2 else None, title=f"Item {i}", position=100 + i
        )
        item.documents.add(doc)
        d = services.decision_record(
            meeting=m,
            agenda_item=item,
            kind="agreed",
            text=f"Decision {i}",
            participating_states=[state("PH")],
        )
        services.action_item_create(
            meeting=m, title=f"Action {i}", owner_body=tf_a, decision=d, owner_person=p
        )
        services.action_item_create(meeting=previous, title=f"Old action {i}", owner_state=state("PH"))
        services.meeting_create(
            body=w.body,
            title=f"Extra meeting {i}",
            host=state("VN"),
            start=dt.datetime(2026, 7, 1 + i % 20, 9),
            end=dt.datetime(2026, 7, 1 + i % 20, 17),
        )
        other = services.meeting_create(
            body=w.body,
            title=f"Another {i}",
            host=state("VN"),
            start=dt.datetime(2026, 5, 13, 10),
            end=dt.datetime(2026, 5, 13, 12),
        )
        Meeting.objects.filter(pk=other.pk).update(status="confirmed")
        services.invitation_add(meeting=other, person=p)
        r = Report.objects.create(
            meeting=other,
            title=f"Report {i}",
            status="adopted",
            adopted_on=dt.date(2026, 5, 13),
            adoption_mode="at_meeting",
        )
        Submission.objects.create(
            report=r,
            from_body=w.body,
            to_body=Body.objects.get(acronym="SEOM"),
            submitted_on=dt.date(2026, 5, 20),
        )
    services.agenda_circulate(meeting=m)


MANAGER_PAGES = [
    "/meetings/{m}/edit/",
    "/meetings/{m}/agenda/",
    "/meetings/{m}/agenda/items/{item}/",
    "/meetings/{m}/agenda/changes/?from=2&to=draft",
    "/meetings/{m}/documents/upload/",
    "/meetings/{m}/participants/",
    "/meetings/{m}/record/",
    "/meetings/{m}/report/",
    "/api/v1/meetings/{m}/conflicts/",
]
READER_PAGES = [
    "/meetings/",
    "/meetings/{m}/",
    "/meetings/{m}/agenda/v1/",
    "/meetings/{m}/agenda/changes/?from=1&to=3",
    "/meetings/{m}/report/view/",
    "/submissions/{s}/",
    "/governance/bodies/ACCMSME/",
    "/api/v1/meetings/",
    "/api/v1/meetings/{m}/",
    "/api/v1/agenda-items/?meeting={m}",
    "/api/v1/agenda-versions/?meeting={m}",
    "/api/v1/agenda-versions/{v}/diff/?other=3",
    "/api/v1/documents/",
    "/api/v1/invitations/",
    "/api/v1/attendance/",
    "/api/v1/decisions/",
    "/api/v1/action-items/",
    "/api/v1/reports/",
    "/api/v1/submissions/",
]
PAGES_BY_ROLE = {
    "sec": READER_PAGES + MANAGER_PAGES + ["/meetings/plan/?body={body}&year=2027"],
    "chair": READER_PAGES + MANAGER_PAGES,
    "delegate_ph": READER_PAGES,
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(PAGES_BY_ROLE))
def test_query_count_does_not_grow_with_data(scene, client, who):
    w, m = scene["w"], scene["m"]
    client.force_login(getattr(w, who))
    grow(scene, 1, start=0)
    fmt = {
        "m": m.pk,
        "item": AgendaItem.objects.get(meeting=m, title="Financing").pk,
        "s": scene["submission"].pk,
        "body": w.body.pk,
        "v": m.agenda_versions.get(number=1).pk,
    }
    urls = [u.format(**fmt) for u in PAGES_BY_ROLE[who]]
    for url in urls:
        page_queries(client, url)  # warm caches (content types, sessions)
    small = {url: page_queries(client, url) for url in urls}
    grow(scene, 5, start=1)
    large = {url: page_queries(client, url) for url in urls}
    grew = {url: (small[url], large[url]) for url in urls if small[url] != large[url]}
    assert not grew, f"queries (before, after adding data) as {who}: {grew}"
