"""The Secretariat's pages and the delegate's meeting page, driven through the test client."""

import datetime as dt

import pytest
from freezegun import freeze_time

from chairmanship.models import ChairTerm
from governance.models import Body, StrategicGoal
from meetings import reports, services
from meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaVersion,
    Decision,
    Document,
    Invitation,
    Meeting,
    ReportJob,
    Submission,
)
from meetings.services import report_jobs
from tests.meetings.test_record_sheet import sheet  # the record page's form as a browser posts it
from tests.world.documents import pdf_bytes, pdf_file
from tests.world.meetings import meeting_schedule
from tests.world.people import state


@pytest.fixture
def sec(client, world):
    client.force_login(world.sec)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.django_db
def test_plan_the_year_and_schedule_the_proposals(sec, world):
    ChairTerm.objects.create(
        body=world.body,
        member_state=state("PH"),
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
    )
    r = sec.get(f"/meetings/plan/?body={world.body.pk}&year=2027")
    assert r.status_code == 200
    html = r.content.decode()
    assert "18th ACCMSME Meeting" in html and "ACCMSME Task Force A Meeting 1/2027" in html
    data = {"keys": []}
    for form, _ in r.context["rows"]:
        data["keys"].append(form.prefix)
        data[f"{form.prefix}-include"] = "on"
        for name in form.fields:
            value = form.initial.get(name)
            if name == "include":
                continue
            if isinstance(value, dt.datetime):
                value = value.strftime("%Y-%m-%dT%H:%M")
            data[f"{form.prefix}-{name}"] = "" if value is None else value
    # The Secretariat changes the second meeting's city and drops the second half's Task Force B meeting.
    data["p1-city"] = "Cebu"
    tfb = next(
        f.prefix for f, _ in r.context["rows"] if f.prefix.startswith("p1-") and "B" in f.initial["title"]
    )
    data.pop(f"{tfb}-include")
    r = sec.post("/meetings/plan/", data)
    assert r.status_code == 302, r.context and [f.errors for f, _ in r.context["rows"]]
    assert Meeting.objects.get(series=world.series, number=19).city == "Cebu"
    assert Meeting.objects.filter(start__year=2027).count() == 5


@pytest.mark.django_db
def test_the_plan_is_for_the_secretariat(client, world):
    client.force_login(world.chair)
    assert client.get("/meetings/plan/").status_code == 403


@pytest.mark.django_db
def test_schedule_one_meeting_with_bad_input_shows_the_error_and_stores_nothing(sec, world):
    base = {
        "body": world.body.pk,
        "series": world.series.pk,
        "number": 21,
        "start": "2026-05-14T09:00",
        "end": "2026-05-13T17:00",
        "host": state("VN").pk,
        "modality": "in_person",
    }
    r = sec.post("/meetings/new/", base)
    assert r.status_code == 200
    assert "cannot end before it starts" in r.context["form"].errors["end"][0]
    r = sec.post("/meetings/new/", {**base, "end": "2026-05-15T17:00", "timezone": "Asia/Atlantis"})
    assert "not an IANA time zone" in r.context["form"].errors["timezone"][0]
    assert not Meeting.objects.filter(number=21).exists()
    r = sec.post("/meetings/new/", {**base, "end": "2026-05-15T17:00"}, follow=True)
    m = Meeting.objects.get(series=world.series, number=21)
    assert r.request["PATH_INFO"] == f"/meetings/{m.pk}/"
    assert m.timezone == "Asia/Ho_Chi_Minh"


@pytest.mark.django_db
def test_edit_warns_of_a_host_outside_its_chair_year(sec, world):
    m = meeting_schedule(world)
    data = fx_meeting_form(m, host=state("ID").pk, city="Jakarta")
    r = sec.post(f"/meetings/{m.pk}/edit/", data, follow=True)
    assert any("outside the host's year of chairmanship" in t for t in messages_of(r))
    m.refresh_from_db()
    assert m.city == "Jakarta" and m.sequence == 1


def fx_meeting_form(m, **over):
    import zoneinfo

    tz = zoneinfo.ZoneInfo(m.timezone)
    return {
        "series": m.series_id or "",
        "number": m.number or "",
        "label": m.label,
        "title": m.title,
        "start": m.start.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        "end": m.end.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        "timezone": m.timezone,
        "host": m.host_id or "",
        "venue": m.venue,
        "city": m.city,
        "modality": m.modality,
        "join_url": m.join_url,
        **over,
    }


@pytest.mark.django_db
def test_status_buttons(sec, world):
    m = meeting_schedule(world)
    sec.post(f"/meetings/{m.pk}/confirm/", {"confirmed": "yes"})
    assert Meeting.objects.get(pk=m.pk).status == "confirmed"
    r = sec.post(
        f"/meetings/{m.pk}/postpone/",
        {"pp-start": "2026-05-01T09:00", "pp-end": "2026-05-02T17:00", "confirmed": "yes"},
        follow=True,
    )
    assert any("later" in t for t in messages_of(r))
    sec.post(f"/meetings/{m.pk}/postpone/", {"pp-start": "", "pp-end": "", "confirmed": "yes"})
    assert Meeting.objects.get(pk=m.pk).status == "postponed"


@pytest.mark.django_db
def test_build_reorder_circulate_compare_and_adopt_the_agenda(sec, world):
    m = meeting_schedule(world, confirm=True)
    sec.post(f"/meetings/{m.pk}/agenda/usual/")
    r = sec.post(f"/meetings/{m.pk}/agenda/", {"title": "Digitalisation of MSMEs", "purpose": "decision"})
    assert r.status_code == 302
    item = AgendaItem.objects.get(meeting=m, title="Digitalisation of MSMEs")
    sec.post(f"/meetings/{m.pk}/agenda/items/{item.pk}/shift/", {"direction": "up"})
    sec.post(f"/meetings/{m.pk}/agenda/items/{item.pk}/shift/", {"direction": "indent"})
    item.refresh_from_db()
    assert item.parent is not None
    parent = item.parent
    r = sec.post(
        f"/meetings/{m.pk}/agenda/items/{parent.pk}/move/",
        {"parent": item.pk, "position": ""},
        follow=False,
    )
    assert r.status_code == 200 and "under itself" in str(r.context["move"].errors)
    sec.post(f"/meetings/{m.pk}/agenda/circulate/", {"confirmed": "yes"})
    sec.post(f"/meetings/{m.pk}/agenda/items/{item.pk}/shift/", {"direction": "outdent"})
    sec.post(f"/meetings/{m.pk}/agenda/circulate/", {"confirmed": "yes"})
    assert AgendaVersion.objects.filter(meeting=m).count() == 2
    r = sec.get(f"/meetings/{m.pk}/agenda/changes/?from=1&to=2")
    assert r.status_code == 200 and "Moved to the top level" in r.content.decode()
    sec.post(f"/meetings/{m.pk}/agenda/v2/adopt/")
    assert AgendaVersion.objects.get(meeting=m, number=2).status == "adopted"
    r = sec.get(f"/meetings/{m.pk}/agenda/")
    assert "was adopted" in r.content.decode() and 'id="add-item"' not in r.content.decode()


@pytest.mark.django_db
def test_upload_page(sec, world, media):
    m = meeting_schedule(world)
    r = sec.post(
        f"/meetings/{m.pk}/documents/upload/",
        {"title": "Paper", "kind": "working_paper", "classification": "1", "file": pdf_file("x.docx")},
    )
    assert r.status_code == 200 and "does not look like a Word file" in str(r.context["form"].errors["file"])
    r = sec.post(
        f"/meetings/{m.pk}/documents/upload/",
        {"title": "Paper", "kind": "working_paper", "classification": "1", "file": pdf_file()},
    )
    assert r.status_code == 302 and Document.objects.get().version == 1


@pytest.mark.django_db
@freeze_time(dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC))  # before the meeting: registration open
def test_participants_page(client, world):
    m = meeting_schedule(world)
    client.force_login(world.sec)
    client.post(f"/meetings/{m.pk}/participants/delegations/", {"confirmed": "yes"})
    assert Invitation.objects.filter(meeting=m).count() == 3
    from governance.models import Person

    colleague = Person.objects.create(full_name="Colleague from Manila", member_state=state("PH"))
    client.force_login(world.head_ph)
    r = client.get(f"/meetings/{m.pk}/participants/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Colleague from Manila" in html and "Chair-Vn" not in html  # only their own delegation
    client.post(
        f"/meetings/{m.pk}/participants/delegation/",
        {"member_state": state("PH").pk, "persons": [colleague.pk], "confirmed": "yes"},
    )
    assert Invitation.objects.get(meeting=m, person=colleague).registered_by == world.head_ph
    # A delegate of the same state edits the delegation too, but sees only their own delegation.
    client.force_login(world.delegate_ph)
    r = client.get(f"/meetings/{m.pk}/participants/")
    assert r.status_code == 200 and "Chair-Vn" not in r.content.decode()
    client.force_login(world.outsider)
    assert client.get(f"/meetings/{m.pk}/participants/").status_code in (403, 404)


@pytest.mark.django_db
def test_record_page(sec, world):
    m = meeting_schedule(world, confirm=True)
    services.invitations_for_delegations(meeting=m)
    item = services.agenda_item_add(meeting=m, title="Financing")
    head = world.head_ph.person
    r = sec.post(
        f"/meetings/{m.pk}/record/",
        sheet(sec, m, **{f"present_{head.pk}": "on", f"minutes_{item.pk}": "Discussed."}),
    )
    assert r.status_code == 302
    assert m.attendance.get(person=head).present
    assert AgendaItem.objects.get(pk=item.pk).minutes == "Discussed."
    r = sec.post(
        f"/meetings/{m.pk}/record/",
        sheet(
            sec,
            m,
            **{
                "d-agenda_item": item.pk,
                "d-kind": "agreed",
                "d-text": "to pilot",
                "d-participating_states": [state("PH").pk],
            },
        ),
    )
    assert r.status_code == 302
    d = Decision.objects.get(meeting=m)
    r = sec.post(f"/meetings/{m.pk}/record/", sheet(sec, m, **{"a-title": "Pilot"}))
    assert "Name an owner" in str(r.context["action_form"].errors)
    sec.post(
        f"/meetings/{m.pk}/record/",
        sheet(sec, m, **{"a-title": "Pilot", "a-owner_state": state("PH").pk, "a-decision": d.pk}),
    )
    a = ActionItem.objects.get(meeting=m)
    sec.post(f"/meetings/{m.pk}/record/", sheet(sec, m, **{f"status_{a.pk}": "done", f"note_{a.pk}": "ok"}))
    a.refresh_from_db()
    assert a.status == "done" and a.closed_at_meeting == m


@pytest.mark.django_db
def test_report_page_to_seom_and_the_outcome(sec, world, media, monkeypatch):
    monkeypatch.setattr(reports, "report_pdf", lambda *, html: pdf_bytes("r"))
    m = meeting_schedule(world, confirm=True)
    services.agenda_item_add(meeting=m, title="Financing")
    sec.post(f"/meetings/{m.pk}/report/generate/")
    report_jobs.report_job_run(job_id=ReportJob.objects.get(meeting=m).pk)  # the worker's part
    r = sec.post(
        f"/meetings/{m.pk}/report/adopt/",
        {"adoption_mode": "at_meeting", "adopted_on": "2026-06-01", "confirmed": "on"},
    )
    assert "between 13 May 2026 and 14 May 2026" in str(r.context["adopt"].errors)
    r = sec.post(
        f"/meetings/{m.pk}/report/adopt/", {"adoption_mode": "at_meeting", "adopted_on": "2026-05-14"}
    )
    assert "Tick to confirm" in str(r.context["adopt"].errors)  # adoption is final: asked first
    sec.post(
        f"/meetings/{m.pk}/report/adopt/",
        {"adoption_mode": "at_meeting", "adopted_on": "2026-05-14", "confirmed": "on"},
    )
    sec.post(f"/meetings/{m.pk}/report/submit/", {"submitted_on": "2026-05-20"})
    s = Submission.objects.get()
    assert s.to_body.acronym == "SEOM"
    r = sec.get(f"/meetings/{m.pk}/report/view/")
    assert r.status_code == 200 and b"Report of the 21st ACCMSME Meeting" in r.content
    sec.post(
        f"/submissions/{s.pk}/outcome/",
        {"status": "endorsed", "outcome_on": "2026-05-28", "outcome": "Endorsed."},
    )
    sec.post(f"/submissions/{s.pk}/forward/", {"submitted_on": "2026-06-02"})
    assert [x.to_body.acronym for x in Submission.objects.order_by("id")] == ["SEOM", "AEM"]
    body_page = sec.get("/governance/bodies/ACCMSME/").content.decode()
    assert "Report of the 21st ACCMSME Meeting" in body_page and "Endorsed." in body_page


@pytest.mark.django_db
def test_the_delegate_meeting_page(client, world, media):
    m = meeting_schedule(world, confirm=True)
    services.invitations_for_delegations(meeting=m)
    tf_a = Body.objects.get(acronym="ACCMSME TF-A")
    item = services.agenda_item_add(
        meeting=m,
        title="Access to finance",
        starts_at=dt.datetime(2026, 5, 13, 9, 30),
        presenter_state=state("PH"),
        presenter_body=tf_a,
        presenter_person=world.head_ph.person,
        goal=StrategicGoal.objects.get(plan__short_name="AEC SP 2026-2030", code="2"),
    )
    services.action_item_create(
        meeting=m, title="Circulate the roadmap", owner_body=tf_a, owner_person=world.head_ph.person
    )
    paper = services.document_upload(
        meeting=m, file=pdf_file(), title="Finance paper", kind="working_paper", classification=1
    )
    services.document_upload(
        meeting=m, file=pdf_file(), title="Chair's brief", kind="working_paper", classification=2
    )
    services.agenda_item_update(item=item, data={}, documents=[paper])
    services.decision_record(meeting=m, agenda_item=item, kind="endorsed", text="the finance roadmap")
    client.force_login(world.delegate_ph)
    r = client.get(f"/meetings/{m.pk}/")
    html = r.content.decode()
    assert "Access to finance" in html and "Finance paper" in html and "the finance roadmap" in html
    assert "Chair&#x27;s brief" not in html
    assert "09:30" in html  # the timed item, at the venue's time
    # Presenters, the goal and the owners are printed from names the page's queries annotate.
    assert "<td>Philippines, ACCMSME TF-A, Head-Ph</td>" in html
    assert '<span class="badge">AEC SP 2026-2030 Goal 2</span>' in html
    assert "<td>ACCMSME TF-A Head-Ph</td>" in html
    assert "Delegate-Ph" in html  # participants
    assert r.context["page"].my_invitation.person == world.delegate_ph.person
    assert "Your invitation (delegation of Philippines)" in html
    names = dict(r.context["page"].delegations)  # grouped by state, each list by name
    assert [i.person_name for i in names["Philippines"]] == sorted(
        i.person_name for i in names["Philippines"]
    )
    assert "Delegate-Ph" in {i.person_name for i in names["Philippines"]}
    assert 'id="manage-nav"' not in html
    client.force_login(world.outsider)
    assert client.get(f"/meetings/{m.pk}/").status_code == 404
