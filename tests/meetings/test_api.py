"""The meetings API: filters, writes through the services, 400 naming the field, 404 for what one may not
see, 403 for what one may see but not do."""

import datetime as dt

import pytest
from freezegun import freeze_time
from rest_framework.test import APIClient

from governance.models import Body
from meetings import services, tasks
from meetings.models import AgendaItem, Document, Invitation, Meeting, Submission
from tests.world.documents import pdf_bytes, pdf_file
from tests.world.meetings import meeting_schedule
from tests.world.people import state


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def meeting_payload(w, **over):
    return {
        "body": w.body.pk,
        "series": w.series.pk,
        "number": 21,
        "start": "2026-05-13T09:00",
        "end": "2026-05-14T17:00",
        "host": state("VN").pk,
        "modality": "in_person",
        **over,
    }


@pytest.mark.django_db
def test_create_and_read_a_meeting_in_its_own_zone(world):
    r = api(world.sec).post("/api/v1/meetings/", meeting_payload(world), format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["title"] == "21st ACCMSME Meeting"
    assert body["timezone"] == "Asia/Ho_Chi_Minh"
    assert body["start"] == "2026-05-13T09:00:00+07:00"
    assert body["status"] == "planned" and body["sequence"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "over, field",
    [
        ({"end": "2026-05-12T17:00"}, "end"),
        ({"timezone": "Asia/Atlantis"}, "timezone"),
        ({"number": 17}, "number"),
        ({"modality": "hybrid"}, "join_url"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world, over, field):
    before = Meeting.objects.count()
    r = api(world.sec).post("/api/v1/meetings/", meeting_payload(world, **over), format="json")
    assert r.status_code == 400
    assert field in r.json()
    assert Meeting.objects.count() == before


@pytest.mark.django_db
def test_filters(world):
    meeting_schedule(world, number=21)
    meeting_schedule(
        world, number=22, start=dt.datetime(2026, 11, 4, 9), end=dt.datetime(2026, 11, 5, 17), confirm=True
    )
    c = api(world.delegate_ph)
    titles = lambda q: [m["title"] for m in c.get(f"/api/v1/meetings/{q}").json()["results"]]  # noqa: E731
    assert titles("?body=ACCMSME&year=2026") == ["21st ACCMSME Meeting", "22nd ACCMSME Meeting"]
    assert titles("?body=ACCMSME&status=confirmed") == ["22nd ACCMSME Meeting"]
    assert "17th ACCMSME Meeting" in titles(f"?body={world.body.pk}&year=2024")


@pytest.mark.django_db
def test_404_for_an_invisible_meeting_403_for_a_visible_one(world):
    m = meeting_schedule(world)
    assert api(world.outsider).get(f"/api/v1/meetings/{m.pk}/").status_code == 404
    assert api(world.outsider).post(f"/api/v1/meetings/{m.pk}/confirm/").status_code == 404
    r = api(world.delegate_ph).patch(f"/api/v1/meetings/{m.pk}/", {"city": "Hue"}, format="json")
    assert r.status_code == 403
    assert api(world.delegate_ph).post(f"/api/v1/meetings/{m.pk}/confirm/").status_code == 403
    assert (
        api(world.delegate_ph)
        .post("/api/v1/meetings/", meeting_payload(world, number=30), format="json")
        .status_code
        == 403
    )
    # The chair (head of Viet Nam's delegation in 2026) manages ACCMSME.
    r = api(world.chair).patch(f"/api/v1/meetings/{m.pk}/", {"city": "Hue"}, format="json")
    assert r.status_code == 200 and r.json()["city"] == "Hue" and r.json()["sequence"] == 1


@pytest.mark.django_db
def test_status_actions_and_conflicts(world):
    m = meeting_schedule(world, host="ID")
    c = api(world.sec)
    assert c.post(f"/api/v1/meetings/{m.pk}/confirm/").json()["status"] == "confirmed"
    r = c.post(
        f"/api/v1/meetings/{m.pk}/postpone/",
        {"start": "2026-05-06T09:00", "end": "2026-05-07T17:00"},
        format="json",
    )
    assert r.status_code == 400 and "start" in r.json()
    assert c.post(f"/api/v1/meetings/{m.pk}/postpone/", {}, format="json").json()["status"] == "postponed"
    kinds = [x["kind"] for x in c.get(f"/api/v1/meetings/{m.pk}/conflicts/").json()]
    assert "chair_year" in kinds
    assert api(world.delegate_ph).get(f"/api/v1/meetings/{m.pk}/conflicts/").status_code == 403


@pytest.mark.django_db
def test_propose_is_for_the_secretariat(world):
    assert api(world.chair).get("/api/v1/meetings/propose/?body=ACCMSME&year=2027").status_code == 403
    r = api(world.sec).get("/api/v1/meetings/propose/?body=ACCMSME&year=2027")
    assert r.status_code == 200 and r.json()[0]["title"] == "18th ACCMSME Meeting"


@pytest.mark.django_db
def test_agenda_through_the_api(world):
    m = meeting_schedule(world, confirm=True)
    c = api(world.sec)
    a = c.post("/api/v1/agenda-items/", {"meeting": m.pk, "title": "Opening"}, format="json").json()
    b = c.post("/api/v1/agenda-items/", {"meeting": m.pk, "title": "Reports"}, format="json").json()
    sub = c.post(
        "/api/v1/agenda-items/", {"meeting": m.pk, "title": "TF A", "parent": b["id"]}, format="json"
    ).json()
    assert sub["number"] == "2.1"
    r = c.post(f"/api/v1/agenda-items/{b['id']}/move/", {"parent": sub["id"]}, format="json")
    assert r.status_code == 400 and "under itself" in r.json()["parent"][0]
    r = c.post(f"/api/v1/agenda-items/{b['id']}/move/", {"parent": None, "position": 0}, format="json")
    assert r.status_code == 200 and r.json()["number"] == "1"
    listed = c.get(f"/api/v1/agenda-items/?meeting={m.pk}").json()["results"]
    assert sorted((i["number"], i["title"]) for i in listed) == [
        ("1", "Reports"),
        ("1.1", "TF A"),
        ("2", "Opening"),
    ]
    v = c.post("/api/v1/agenda-versions/circulate/", {"meeting": m.pk}, format="json")
    assert v.status_code == 201 and v.json()["number"] == 1
    c.patch(f"/api/v1/agenda-items/{a['id']}/", {"title": "Opening of the meeting"}, format="json")
    v2 = c.post("/api/v1/agenda-versions/circulate/", {"meeting": m.pk}, format="json").json()
    diff = c.get(f"/api/v1/agenda-versions/{v.json()['id']}/diff/").json()
    assert [d["kind"] for d in diff] == ["unchanged", "unchanged", "changed"]
    assert c.post(f"/api/v1/agenda-versions/{v2['id']}/adopt/").json()["status"] == "adopted"
    d = api(world.delegate_ph)
    assert (
        d.post("/api/v1/agenda-items/", {"meeting": m.pk, "title": "Mine"}, format="json").status_code == 403
    )
    assert d.get(f"/api/v1/agenda-versions/{v2['id']}/diff/?other=draft").status_code == 403
    assert api(world.outsider).get(f"/api/v1/agenda-items/{a['id']}/").status_code == 404
    assert AgendaItem.objects.filter(meeting=m).count() == 3


@pytest.mark.django_db
def test_documents_upload_and_clearance(world, media):
    m = meeting_schedule(world, confirm=True)
    c = api(world.sec)
    r = c.post(
        "/api/v1/documents/",
        {
            "meeting": m.pk,
            "title": "Chair's note",
            "kind": "working_paper",
            "classification": 2,
            "file": pdf_file(),
        },
        format="multipart",
    )
    assert r.status_code == 201 and r.json()["version"] == 1
    secret = r.json()["id"]
    r = c.post(
        "/api/v1/documents/",
        {
            "meeting": m.pk,
            "title": "Bad",
            "kind": "working_paper",
            "classification": 1,
            "file": pdf_file("x.exe"),
        },
        format="multipart",
    )
    assert r.status_code == 400 and "file" in r.json()
    assert Document.objects.count() == 1
    assert api(world.delegate_ph).get(f"/api/v1/documents/{secret}/").status_code == 404
    assert api(world.delegate_ph).get("/api/v1/documents/").json()["count"] == 0
    assert api(world.head_ph).get(f"/api/v1/documents/{secret}/download/").status_code == 200
    r = api(world.delegate_ph).post(
        "/api/v1/documents/",
        {"meeting": m.pk, "title": "Mine", "kind": "working_paper", "classification": 0, "file": pdf_file()},
        format="multipart",
    )
    assert r.status_code == 403


@pytest.mark.django_db
@freeze_time(dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC))  # before the meeting: registration open
def test_invitations_by_the_secretariat_and_by_a_head_of_delegation(world):
    from governance.models import Person

    m = meeting_schedule(world)
    colleague = Person.objects.create(full_name="Colleague", member_state=state("PH"))
    hanoi = Person.objects.create(full_name="From Hanoi", member_state=state("VN"))
    r = api(world.sec).post(f"/api/v1/meetings/{m.pk}/invite-delegations/")
    assert r.status_code == 201 and len(r.json()["invited"]) == 3
    r = api(world.head_ph).post(
        "/api/v1/invitations/", {"meeting": m.pk, "person": colleague.pk}, format="json"
    )
    assert r.status_code == 201 and r.json()["member_state"] == state("PH").pk
    r = api(world.head_ph).post("/api/v1/invitations/", {"meeting": m.pk, "person": hanoi.pk}, format="json")
    assert r.status_code == 403
    inv = Invitation.objects.get(person=colleague)
    # Someone outside the delegation cannot touch it (it is not even visible to them).
    assert api(world.outsider).post(f"/api/v1/invitations/{inv.pk}/withdraw/").status_code == 404
    # Any member of the delegation edits its registration, not only the head.
    r = api(world.delegate_ph).post(f"/api/v1/invitations/{inv.pk}/withdraw/")
    assert r.status_code == 200 and r.json()["is_withdrawn"] is True
    assert Invitation.objects.filter(meeting=m).count() == 4  # withdrawn rows stay


@pytest.mark.django_db
def test_the_record_and_the_report_through_the_api(world, media, monkeypatch):
    from meetings import reports

    monkeypatch.setattr(reports, "report_pdf", lambda *, html: pdf_bytes("report"))
    m = meeting_schedule(world, confirm=True)
    item = services.agenda_item_add(meeting=m, title="Financing")
    c = api(world.sec)
    r = c.post(
        "/api/v1/decisions/",
        {
            "meeting": m.pk,
            "agenda_item": item.pk,
            "kind": "agreed",
            "text": "to pilot",
            "participating_states": [state("PH").pk],
        },
        format="json",
    )
    assert r.status_code == 201 and r.json()["participating_states"] == [state("PH").pk]
    r = c.post(
        "/api/v1/decisions/",
        {"meeting": m.pk, "agenda_item": item.pk, "kind": "voted", "text": "x"},
        format="json",
    )
    assert r.status_code == 400 and "kind" in r.json()
    r = c.post("/api/v1/action-items/", {"meeting": m.pk, "title": "Pilot"}, format="json")
    assert r.status_code == 400 and "owner" in r.json()
    r = c.post(
        "/api/v1/action-items/",
        {"meeting": m.pk, "title": "Pilot", "owner_state": state("PH").pk},
        format="json",
    )
    assert r.status_code == 201
    r = c.patch(
        f"/api/v1/action-items/{r.json()['id']}/", {"status": "done", "at_meeting": m.pk}, format="json"
    )
    assert r.json()["closed_at_meeting"] == m.pk
    r = c.post("/api/v1/attendance/", {"meeting": m.pk, "person": world.head_ph.person.pk}, format="json")
    assert r.status_code == 201
    job = c.post("/api/v1/reports/generate/", {"meeting": m.pk}, format="json")
    assert job.status_code == 202  # a worker writes it (tests/meetings/test_report_jobs.py)
    tasks.report_write(job.json()["id"])
    rid = c.get(job["Location"]).json()["report"]
    assert c.get(f"/api/v1/reports/{rid}/").json()["title"] == "Report of the 21st ACCMSME Meeting"
    r = c.post(
        f"/api/v1/reports/{rid}/adopt/",
        {"adoption_mode": "at_meeting", "adopted_on": "2026-05-20"},
        format="json",
    )
    assert r.status_code == 400 and "adopted_on" in r.json()
    c.post(
        f"/api/v1/reports/{rid}/adopt/",
        {"adoption_mode": "at_meeting", "adopted_on": "2026-05-14"},
        format="json",
    )
    sub = c.post(f"/api/v1/reports/{rid}/submit/", {"submitted_on": "2026-05-15"}, format="json")
    assert sub.status_code == 201 and sub.json()["to_body"] == Body.objects.get(acronym="SEOM").pk
    sid = sub.json()["id"]
    # ACCMSME's chair cannot record what SEOM did.
    r = api(world.chair).post(
        f"/api/v1/submissions/{sid}/outcome/", {"status": "noted", "outcome_on": "2026-05-27"}, format="json"
    )
    assert r.status_code == 403
    r = c.post(
        f"/api/v1/submissions/{sid}/outcome/",
        {"status": "endorsed", "outcome_on": "2026-05-27"},
        format="json",
    )
    assert r.json()["status"] == "endorsed"
    r = c.post(f"/api/v1/submissions/{sid}/forward/", {"submitted_on": "2026-06-01"}, format="json")
    assert r.status_code == 201 and r.json()["parent"] == sid
    assert Submission.objects.count() == 2
    assert api(world.delegate_ph).get("/api/v1/submissions/").json()["count"] == 1  # what ACCMSME sent
    assert api(world.outsider).get(f"/api/v1/reports/{rid}/").status_code == 404
