"""Optimistic locking (issue 20): two people edit the same meeting, agenda item, action item or handover
checklist row; the second save, made from the version before the first, is refused with the other person's
change shown, and nothing is lost. The same through the API with ``If-Match`` for every record a second
person may change (meetings, agenda items, decisions, action items, bodies, people, chair terms)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from chairmanship.models import ChairTerm, HandoverItem
from governance.models import Body
from meetings import services
from meetings.models import ActionItem, AgendaItem, Attendance, Decision, Meeting
from meetings.services import agenda as agenda_services
from tests.world.build import api_as
from tests.world.handover import build_scenario
from tests.world.meetings import meeting_schedule, record_page_post
from tests.world.people import state

pytestmark = pytest.mark.django_db
STALE = "while you were editing it"


def hidden_version(html: str) -> str:
    return re.search(r'name="edit_version" value="([^"]*)"', html)[1]


def session(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def meeting_post(meeting: Meeting, version: str, **changes) -> dict:
    local = lambda d: d.astimezone(__import__("zoneinfo").ZoneInfo(meeting.timezone))  # noqa: E731
    data = {
        "series": meeting.series_id or "",
        "number": meeting.number or "",
        "label": meeting.label,
        "title": meeting.title,
        "start": local(meeting.start).strftime("%Y-%m-%dT%H:%M"),
        "end": local(meeting.end).strftime("%Y-%m-%dT%H:%M"),
        "timezone": meeting.timezone,
        "host": meeting.host_id or "",
        "venue": meeting.venue,
        "city": meeting.city,
        "modality": meeting.modality,
        "join_url": meeting.join_url,
        "edit_version": version,
    }
    data.update(changes)
    return data


def test_two_people_edit_one_meeting_the_second_save_is_refused_and_nothing_is_lost(world):
    meeting = meeting_schedule(world)
    url = reverse("meetings:edit", args=[meeting.pk])
    sec, chair = session(world.sec), session(world.chair)
    v_sec = hidden_version(sec.get(url).content.decode())
    v_chair = hidden_version(chair.get(url).content.decode())
    assert v_sec == v_chair != ""

    r = sec.post(url, meeting_post(meeting, v_sec, title="21st ACCMSME Meeting (Hanoi)"))
    assert r.status_code == 302
    r = chair.post(url, meeting_post(meeting, v_chair, venue="National Convention Center"))
    assert r.status_code == 200
    page = r.content.decode()
    assert STALE in page and "21st ACCMSME Meeting (Hanoi)" in page  # their change, shown
    meeting.refresh_from_db()
    assert (meeting.title, meeting.venue) == ("21st ACCMSME Meeting (Hanoi)", "")  # nothing overwritten

    # Having seen it, the chair saves again from the version the refusal carried: both changes stay.
    fresh = hidden_version(page)
    assert fresh != v_chair
    r = chair.post(
        url,
        meeting_post(
            meeting, fresh, title="21st ACCMSME Meeting (Hanoi)", venue="National Convention Center"
        ),
    )
    assert r.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title, meeting.venue) == ("21st ACCMSME Meeting (Hanoi)", "National Convention Center")


def test_two_people_edit_one_agenda_item_the_second_save_is_refused_and_nothing_is_lost(world):
    meeting = meeting_schedule(world)
    item = agenda_services.agenda_item_add(meeting=meeting, title="Adoption of the agenda")
    url = reverse("meetings:agenda_item", args=[meeting.pk, item.pk])
    sec, chair = session(world.sec), session(world.chair)
    v_sec = hidden_version(sec.get(url).content.decode())
    v_chair = hidden_version(chair.get(url).content.decode())
    base = {"title": item.title, "description": "", "purpose": item.purpose, "edit_version": v_sec}

    assert sec.post(url, {**base, "title": "Adoption of the provisional agenda"}).status_code == 302
    r = chair.post(url, {**base, "description": "Draft circulated on 1 May", "edit_version": v_chair})
    assert r.status_code == 200
    page = r.content.decode()
    assert STALE in page and "Adoption of the provisional agenda" in page
    item.refresh_from_db()
    assert (item.title, item.description) == ("Adoption of the provisional agenda", "")

    again = {
        **base,
        "title": "Adoption of the provisional agenda",
        "description": "Draft circulated on 1 May",
        "edit_version": hidden_version(page),
    }
    assert chair.post(url, again).status_code == 302
    item.refresh_from_db()
    assert (item.title, item.description) == (
        "Adoption of the provisional agenda",
        "Draft circulated on 1 May",
    )


def test_api_writes_with_a_stale_if_match_are_refused(world):
    meeting = meeting_schedule(world)
    item = agenda_services.agenda_item_add(meeting=meeting, title="Adoption of the agenda")
    api = api_as(world.sec)
    for path, field, first, second in (
        (f"/api/v1/meetings/{meeting.pk}/", "venue", "Hall A", "Hall B"),
        (f"/api/v1/agenda-items/{item.pk}/", "title", "Opening", "Welcome"),
    ):
        etag = api.get(path)["ETag"]
        ok = api.patch(path, {field: first}, format="json", HTTP_IF_MATCH=etag)
        assert ok.status_code == 200, ok.content
        stale = api.patch(path, {field: second}, format="json", HTTP_IF_MATCH=etag)
        assert stale.status_code == 400 and "edit_version" in stale.json(), stale.content
        assert first in str(stale.json())
        again = api.patch(path, {field: second}, format="json", HTTP_IF_MATCH=ok["ETag"])
        assert again.status_code == 200, again.content
    meeting.refresh_from_db()
    assert meeting.venue == "Hall B"
    assert AgendaItem.objects.get(pk=item.pk).title == "Welcome"


def test_two_people_follow_one_action_item_on_the_list_the_second_is_refused_and_nothing_is_lost(world):
    meeting = meeting_schedule(world, confirm=True)
    item = services.action_item_create(
        meeting=meeting, title="Share the PH MSME census", owner_state=state("PH"), due_date=None
    )
    url = reverse("portal:action_item_update", args=[item.pk])
    listing = reverse("portal:action_items")
    sec, chair = session(world.sec), session(world.chair)
    v_sec = hidden_version(sec.get(listing).content.decode())
    v_chair = hidden_version(chair.get(listing).content.decode())
    assert v_sec == v_chair

    first = {"status": "in_progress", "progress_note": "Census drafted", "edit_version": v_sec}
    assert sec.post(url, first).status_code == 302
    r = chair.post(
        url,
        {"status": "done", "progress_note": "Shared", "edit_version": v_chair, "next": listing},
        follow=True,
    )
    page = r.content.decode()
    assert STALE in page and "Census drafted" in page  # refused, with their change shown
    item.refresh_from_db()
    assert (item.status, item.progress_note) == ("in_progress", "Census drafted")

    fresh = hidden_version(page)  # the list drawn again carries the new version: saving again goes through
    assert fresh != v_chair
    again = {"status": "done", "progress_note": "Census drafted; shared", "edit_version": fresh}
    assert chair.post(url, again).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.progress_note) == ("done", "Census drafted; shared")


def test_two_people_save_one_handover_checklist_a_stale_row_is_refused_and_nothing_is_lost(seeded, make_user):
    s = build_scenario(make_user)
    HandoverItem.objects.bulk_create(  # as the checklist makes them: in bulk, without history
        [
            HandoverItem(handover=s.handover, kind="other", label="Pass on the contact list", position=91),
            HandoverItem(handover=s.handover, kind="other", label="Brief the incoming chair", position=92),
        ]
    )
    first, second = HandoverItem.objects.filter(handover=s.handover).order_by("position")
    page_url = reverse("chairmanship:handover", args=[s.handover.pk])
    url = reverse("chairmanship:handover_checklist", args=[s.handover.pk])
    # Two people of the Secretariat (the chair's rights follow the calendar of 2030: not today's).
    sec, chair = session(s.secretariat), session(make_user("asec-two", secretariat=True))

    def drawn(client) -> dict:
        html = client.get(page_url).content.decode()
        rows = dict(re.findall(r'name="(version_\d+)" value="([^"]*)"', html))
        assert set(rows) == {f"version_{first.pk}", f"version_{second.pk}"}, html
        return rows

    v_sec, v_chair = drawn(sec), drawn(chair)
    # The Secretariat notes the first row; the chair, from the page drawn before, notes the second only:
    # both go through (the first row, left as the chair saw it, is not the chair's edit).
    assert (
        sec.post(
            url, {**v_sec, f"comment_{first.pk}": "Sent on 3 Dec", f"comment_{second.pk}": ""}
        ).status_code
        == 302
    )
    r = chair.post(url, {**v_chair, f"comment_{first.pk}": "", f"comment_{second.pk}": "Friday"})
    assert r.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.comment, second.comment) == ("Sent on 3 Dec", "Friday")

    # The chair, still from that old page, now writes over the first row: refused, nothing saved.
    r = chair.post(url, {**v_chair, f"comment_{first.pk}": "Not sent yet", f"comment_{second.pk}": "Friday"})
    assert r.status_code == 409
    html = r.content.decode()
    assert "Nothing was saved" in html and STALE in html and "Sent on 3 Dec" in html
    assert "Not sent yet" in html  # what the chair typed is kept on the page
    first.refresh_from_db()
    assert first.comment == "Sent on 3 Dec"
    # Having seen it, the chair saves from the page the refusal drew: it goes through.
    again = dict(re.findall(r'name="(version_\d+)" value="([^"]*)"', html))
    payload = {**again, f"comment_{first.pk}": "Sent on 3 Dec; received", f"comment_{second.pk}": "Friday"}
    assert chair.post(url, payload).status_code == 302
    first.refresh_from_db()
    assert first.comment == "Sent on 3 Dec; received"


def test_api_writes_to_decisions_action_items_bodies_people_and_chair_terms_with_a_stale_if_match_are_refused(
    world,
):
    meeting = meeting_schedule(world, confirm=True)
    agenda_item = agenda_services.agenda_item_add(meeting=meeting, title="Adoption of the agenda")
    decision = services.decision_record(meeting=meeting, agenda_item=agenda_item, kind="noted", text="Noted.")
    action = services.action_item_create(meeting=meeting, title="Share the census", owner_state=state("PH"))
    term = ChairTerm.objects.filter(body=world.body).order_by("start_date").first()
    api = api_as(world.sec)
    cases = (
        (f"/api/v1/decisions/{decision.pk}/", "text", "Noted with thanks.", "Agreed."),
        (f"/api/v1/action-items/{action.pk}/", "progress_note", "Drafted", "Shared"),
        (f"/api/v1/bodies/{world.body.pk}/", "mandate", "Mandate one", "Mandate two"),
        (f"/api/v1/people/{world.chair.person.pk}/", "position", "Director", "Director-General"),
        (f"/api/v1/chair-terms/{term.pk}/", "reason", "Confirmed at the 20th", "Confirmed at the 21st"),
    )
    for path, field, first, second in cases:
        etag = api.get(path)["ETag"]
        ok = api.patch(path, {field: first}, format="json", HTTP_IF_MATCH=etag)
        assert ok.status_code == 200, (path, ok.content)
        stale = api.patch(path, {field: second}, format="json", HTTP_IF_MATCH=etag)
        assert stale.status_code == 400 and "edit_version" in stale.json(), (path, stale.content)
        assert STALE in str(stale.json()) and first in str(stale.json()), (path, stale.content)
        assert api.get(path).json()[field] == first  # nothing overwritten
        again = api.patch(path, {field: second}, format="json", HTTP_IF_MATCH=ok["ETag"])
        assert again.status_code == 200, (path, again.content)
        assert api.get(path).json()[field] == second
    assert Decision.objects.get(pk=decision.pk).text == "Agreed."
    assert ActionItem.objects.get(pk=action.pk).progress_note == "Shared"
    assert Body.objects.get(pk=world.body.pk).mandate == "Mandate two"


def test_two_people_save_one_record_page_a_row_both_changed_is_refused_and_nothing_is_lost(world):
    """The record page (attendance, minutes, follow-up of action items in one form): each row carries its
    version. A row the second person left as drawn is not their edit (the first person's change stays); a
    row both changed is refused for the second, naming the first person's change, with what they typed kept."""
    meeting = meeting_schedule(world, confirm=True)
    services.invitations_for_delegations(meeting=meeting)
    first = agenda_services.agenda_item_add(meeting=meeting, title="Financing")
    second = agenda_services.agenda_item_add(meeting=meeting, title="Digitalisation")
    action = services.action_item_create(meeting=meeting, title="Pilot", owner_state=state("PH"))
    head = world.head_ph.person
    url = reverse("meetings:record", args=[meeting.pk])
    sec, chair = session(world.sec), session(world.chair)
    sec_page, chair_page = sec.get(url).context["form"], chair.get(url).context["form"]

    saved = sec.post(
        url,
        record_page_post(
            sec,
            meeting,
            form=sec_page,
            **{
                f"present_{head.pk}": "on",
                f"minutes_{first.pk}": "Financing: the facility was welcomed.",
                f"note_{action.pk}": "Drafted",
            },
        ),
    )
    assert saved.status_code == 302
    # The chair, from the page drawn before, writes the minutes of the other item only: it goes through,
    # and the rows the chair left as drawn (attendance, the first item, the action) keep the new values.
    typed = {f"minutes_{second.pk}": "Digitalisation: the roadmap was noted."}
    assert chair.post(url, record_page_post(chair, meeting, form=chair_page, **typed)).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    action.refresh_from_db()
    assert (first.minutes, second.minutes) == (
        "Financing: the facility was welcomed.",
        "Digitalisation: the roadmap was noted.",
    )
    assert action.progress_note == "Drafted"
    assert Attendance.objects.get(meeting=meeting, person=head).present

    # Still from that old page, the chair now writes over the first item and the action: refused, nothing
    # saved, the other person's change named, and everything the chair typed shown again.
    typed = {
        f"minutes_{first.pk}": "Financing: deferred to the next meeting.",
        f"note_{action.pk}": "Shared with the states",
        f"minutes_{second.pk}": "Digitalisation: the roadmap was noted and endorsed.",
    }
    r = chair.post(url, record_page_post(chair, meeting, form=chair_page, **typed))
    assert r.status_code == 400
    html = r.content.decode()
    assert html.count(STALE) >= 2  # both rows, each naming the other change
    assert "Financing: the facility was welcomed." in html and "Drafted" in html
    for text in typed.values():
        assert text in html
    form = r.context["form"]
    assert set(form.errors) >= {f"minutes_{first.pk}", f"status_{action.pk}"}
    first.refresh_from_db()
    second.refresh_from_db()
    action.refresh_from_db()
    assert first.minutes == "Financing: the facility was welcomed."
    assert second.minutes == "Digitalisation: the roadmap was noted."  # nothing of that save stored
    assert action.progress_note == "Drafted"
    # The row the chair left as drawn shows what is stored now, not the old page.
    assert form[f"present_{head.pk}"].value() is True

    # Having seen the other change, the chair saves the page the refusal drew: it goes through.
    assert chair.post(url, record_page_post(chair, meeting, form=form)).status_code == 302
    first.refresh_from_db()
    action.refresh_from_db()
    assert first.minutes == "Financing: deferred to the next meeting."
    assert action.progress_note == "Shared with the states"
    assert Attendance.objects.get(meeting=meeting, person=head).present  # not reverted


def test_two_people_record_one_persons_attendance_differently_the_second_is_refused(world):
    """Attendance keeps no history: its version is the state drawn. The Secretariat records the head of the
    Philippine delegation in the room while the chair, from the page drawn before, records them remote."""
    meeting = meeting_schedule(world, confirm=True)
    services.meeting_update(
        meeting=meeting, data={"modality": "hybrid", "join_url": "https://meet.example/21"}
    )
    services.invitations_for_delegations(meeting=meeting)
    head = world.head_ph.person
    url = reverse("meetings:record", args=[meeting.pk])
    sec, chair = session(world.sec), session(world.chair)
    sec_page, chair_page = sec.get(url).context["form"], chair.get(url).context["form"]

    typed = {f"present_{head.pk}": "on"}
    assert sec.post(url, record_page_post(sec, meeting, form=sec_page, **typed)).status_code == 302
    typed = {f"present_{head.pk}": "on", f"remote_{head.pk}": "on"}
    r = chair.post(url, record_page_post(chair, meeting, form=chair_page, **typed))
    assert r.status_code == 400
    html = r.content.decode()
    assert f"Someone else recorded {head} as present while you were editing" in html
    row = Attendance.objects.get(meeting=meeting, person=head)
    assert (row.present, row.remote) == (True, False)  # not overwritten
    form = r.context["form"]
    assert form[f"remote_{head.pk}"].value() is True  # the chair's choice, kept

    assert chair.post(url, record_page_post(chair, meeting, form=form)).status_code == 302
    row.refresh_from_db()
    assert (row.present, row.remote) == (True, True)
