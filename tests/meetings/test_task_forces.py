"""Task forces as full bodies of the chain: a task force reports to ACCMSME (seeded so), its report goes up to
ACCMSME's next meeting ("Reports received"), the outcome ACCMSME records comes back to the task force's next
agenda under matters arising, and its meetings are seen by ACCMSME's chair and members as the task force
says (``parent_access``), through the derived rights (docs/decisions/0051)."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time

from governance.models import Body, ParentAccess, ReportingLine
from governance.permissions import can_manage_body
from governance.rights import sync_user_rights
from governance.services import reporting_chain
from meetings import services
from meetings.models import AgendaItem, Report, Submission
from meetings.permissions import meeting_visible
from meetings.services.reports import report_adopt, report_submit, submission_record_outcome
from tests.world.build import api_as, fresh
from tests.world.clock import DAY, at
from tests.world.meetings import meeting_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def tf(world):
    return Body.objects.get(acronym="ACCMSME TF-A")


def test_seeded_task_forces_report_to_accmsme_and_open_their_meetings_to_its_members(seeded):
    accmsme = Body.objects.get(acronym="ACCMSME")
    for acronym in ("ACCMSME TF-A", "ACCMSME TF-B"):
        tf = Body.objects.get(acronym=acronym)
        line = ReportingLine.objects.get(from_body=tf, to_body=accmsme)
        assert line.kind == ReportingLine.Kind.REPORTS_TO and line.source
        assert [b.acronym for b in reporting_chain(tf, on=DAY)][:3] == [acronym, "ACCMSME", "SEOM"]
        assert tf.parent_access == ParentAccess.MEMBERS


def test_a_task_force_report_goes_up_to_accmsme_and_its_outcome_comes_back(world, tf):
    held = meeting_row(
        tf, start=at(2026, 3, 10), end=at(2026, 3, 10, 17), title="ACCMSME Task Force A Meeting 1/2026"
    )
    report = Report.objects.create(meeting=held, title=f"Report of the {held.title}", html="<p>Report</p>")
    with freeze_time(at(2026, 3, 12)):
        report_adopt(report=report, mode=Report.AdoptionMode.AD_REFERENDUM, on=dt.date(2026, 3, 12))
        submission = report_submit(report=report, on=dt.date(2026, 3, 20))
    assert submission.to_body == world.body and submission.from_body == tf

    # ACCMSME's next meeting receives it: a "Reports received" item with the report under it.
    accmsme_21 = meeting_row(world.body, start=at(2026, 5, 13), end=at(2026, 5, 14, 17), series=world.series)
    with freeze_time(at(2026, 4, 1)):
        services.agenda_standing_items_add(meeting=accmsme_21)
    received = AgendaItem.objects.get(meeting=accmsme_21, standing_key="received")
    (item,) = received.children.all()
    assert item.title == f"{report.title} (from ACCMSME TF-A)"

    # ACCMSME endorses it at that meeting (the meeting is found from the day) ...
    s = submission_record_outcome(
        submission=submission,
        status=Submission.Status.ENDORSED,
        outcome_on=dt.date(2026, 5, 14),
        outcome="Endorsed; TF-A to present the pilot results at the 22nd.",
    )
    assert s.considered_at == accmsme_21
    with freeze_time(at(2026, 5, 14, 12)):
        services.agenda_standing_items_add(meeting=accmsme_21)  # refreshed: still there, with its outcome
    item.refresh_from_db()
    assert "Endorsed" in item.description

    # ... and the outcome comes back to the task force's next agenda, under matters arising.
    next_tf = meeting_row(
        tf, start=at(2026, 9, 8), end=at(2026, 9, 8, 17), title="ACCMSME Task Force A Meeting 2/2026"
    )
    with freeze_time(at(2026, 8, 1)):
        services.agenda_standing_items_add(meeting=next_tf)
    arising = AgendaItem.objects.get(meeting=next_tf, standing_key="higher_bodies")
    assert arising.title.startswith("Matters arising from ACCMSME")
    outcome = arising.children.get(standing_key=f"hb-{accmsme_21.pk}")
    assert outcome.title == f"Outcomes of the {accmsme_21.title}"
    assert f"{report.title}: endorsed. Endorsed; TF-A to present" in outcome.description
    # A report already considered is not received again at ACCMSME's following meeting.
    accmsme_22 = meeting_row(
        world.body, start=at(2026, 11, 10), end=at(2026, 11, 11, 17), series=world.series, title="22nd"
    )
    with freeze_time(at(2026, 10, 1)):
        services.agenda_standing_items_add(meeting=accmsme_22)
    assert not AgendaItem.objects.filter(meeting=accmsme_22, standing_key="received").exists()


def test_task_force_meetings_are_seen_by_accmsme_members_and_chair_as_the_task_force_says(world, tf):
    tf_b = Body.objects.get(acronym="ACCMSME TF-B")
    tf_a_meeting = meeting_row(tf, start=at(2026, 3, 10), end=at(2026, 3, 10, 17), title="TF-A 1/2026")
    tf_b_meeting = meeting_row(tf_b, start=at(2026, 3, 11), end=at(2026, 3, 11, 17), title="TF-B 1/2026")
    Body.objects.filter(pk=tf_b.pk).update(parent_access=ParentAccess.CHAIR)
    for u in (world.chair, world.delegate_ph, world.outsider):
        sync_user_rights(u, on=DAY)
    # TF-A: ACCMSME's chair and members; TF-B: its chair only; someone not on ACCMSME: neither.
    assert meeting_visible(world.chair, tf_a_meeting) and meeting_visible(world.delegate_ph, tf_a_meeting)
    assert meeting_visible(world.chair, tf_b_meeting)
    assert not meeting_visible(world.delegate_ph, tf_b_meeting)
    assert not meeting_visible(world.outsider, tf_a_meeting)
    assert not can_manage_body(world.chair, tf.pk)  # seeing is not managing

    # The Secretariat closes TF-A to ACCMSME's members through the API: the rights follow at once.
    r = api_as(world.sec).patch(
        f"/api/v1/bodies/{tf.pk}/", {"parent_access": ParentAccess.NONE}, format="json"
    )
    assert r.status_code == 200, r.content
    assert not meeting_visible(fresh(world.delegate_ph), tf_a_meeting)
    # A line that ends takes the sight away too (the line's end is a write the API syncs).
    line = ReportingLine.objects.get(from_body=tf_b, to_body=world.body)
    r = api_as(world.sec).patch(
        f"/api/v1/reporting-lines/{line.pk}/", {"valid_until": "2020-12-31"}, format="json"
    )
    assert r.status_code == 200, r.content
    assert not meeting_visible(fresh(world.chair), tf_b_meeting)
