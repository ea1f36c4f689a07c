"""The Report of the Meeting: generated (HTML and PDF), adopted, then carried up the reporting line."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from governance.models import Body
from meetings import reports, services
from meetings.models import Document, Report, Submission
from meetings.selectors import body_submissions
from tests.world.documents import pdf_bytes
from tests.world.meetings import meeting_schedule
from tests.world.people import state

NOW = dt.datetime(2026, 5, 14, 9, tzinfo=dt.UTC)


@pytest.fixture
def fake_pdf(monkeypatch):
    """WeasyPrint takes a second per report; one test below runs it for real."""
    monkeypatch.setattr(reports, "report_pdf", lambda *, html: pdf_bytes(html[:40]))


@pytest.fixture
def held(world, media):
    m = meeting_schedule(world, confirm=True)
    services.agenda_default_create(meeting=m)
    item = services.agenda_item_add(meeting=m, title="MSME digitalisation roadmap")
    services.agenda_item_record_minutes(item=item, minutes="Indonesia presented the roadmap.")
    v = services.agenda_circulate(meeting=m)
    with freeze_time(NOW):
        services.agenda_adopt(version=v)
    d = services.decision_record(
        meeting=m,
        agenda_item=item,
        kind="endorsed",
        text="the MSME digitalisation roadmap.",
        participating_states=[state("ID"), state("PH")],
    )
    services.action_item_create(meeting=m, title="Publish the roadmap", owner_state=state("ID"), decision=d)
    services.invitations_for_delegations(meeting=m)
    services.attendance_record(meeting=m, entries=[services.AttendanceEntry(person=world.head_ph.person)])
    return m


@pytest.mark.django_db
def test_the_report_is_written_from_the_adopted_agenda_and_the_record(held, fake_pdf):
    with freeze_time(NOW):
        report = services.report_generate(meeting=held)
    assert report.title == "Report of the 21st ACCMSME Meeting"
    html = report.html
    for text in (
        "Report of the 21st ACCMSME Meeting",
        "(version 1, adopted)",
        "8. MSME digitalisation roadmap",  # after the usual agenda
        "4.3. Outcomes of the 57th AEM Meeting",
        "Indonesia presented the roadmap.",
        "The Meeting endorsed the MSME digitalisation roadmap.",
        "participating: Indonesia, Philippines",
        "Publish the roadmap",
        "Head-Ph",
    ):
        assert text in html, text
    assert report.pdf.kind == "report" and report.pdf.classification == Document.Classification.RESTRICTED
    assert report.pdf.file.read().startswith(b"%PDF")
    with freeze_time(NOW):
        again = services.report_generate(meeting=held)
    assert again.pk == report.pk and again.pdf.version == 2


@pytest.mark.django_db
def test_a_real_pdf_is_made(held):
    with freeze_time(NOW):
        report = services.report_generate(meeting=held)
    data = report.pdf.file.read()
    assert data.startswith(b"%PDF-") and len(data) > 2000
    assert report.pdf.size == len(data)


@pytest.mark.django_db
def test_adoption_at_the_meeting_or_ad_referendum(held, fake_pdf):
    with freeze_time(NOW):
        report = services.report_generate(meeting=held)
    with pytest.raises(ValidationError) as exc:
        services.report_adopt(report=report, mode="at_meeting", on=dt.date(2026, 5, 20))
    assert "between 13 May 2026 and 14 May 2026" in exc.value.message_dict["adopted_on"][0]
    report.refresh_from_db()
    assert report.status == "draft" and report.adopted_on is None
    services.report_adopt(report=report, mode="ad_referendum", on=dt.date(2026, 5, 20))
    report.refresh_from_db()
    assert (report.status, report.adoption_mode, report.adopted_on) == (
        "adopted",
        "ad_referendum",
        dt.date(2026, 5, 20),
    )
    with pytest.raises(ValidationError), freeze_time(NOW):
        services.report_generate(meeting=held)  # an adopted report is never rewritten


@pytest.mark.django_db
def test_a_report_goes_up_one_level_at_a_time(world, held, fake_pdf):
    seom = Body.objects.get(acronym="SEOM")
    aem = Body.objects.get(acronym="AEM")
    with freeze_time(NOW):
        report = services.report_generate(meeting=held)
    with pytest.raises(ValidationError):
        services.report_submit(report=report, on=dt.date(2026, 5, 15))  # not adopted yet
    services.report_adopt(report=report, mode="at_meeting", on=dt.date(2026, 5, 14))
    to_seom = services.report_submit(report=report, on=dt.date(2026, 5, 15))
    assert (to_seom.from_body, to_seom.to_body, to_seom.status) == (world.body, seom, "submitted")
    with pytest.raises(ValidationError) as exc:
        services.report_submit(report=report, on=dt.date(2026, 5, 16))
    assert "Already submitted to SEOM" in exc.value.message_dict["report"][0]
    with pytest.raises(ValidationError):  # SEOM has not considered it yet
        services.submission_forward(submission=to_seom, on=dt.date(2026, 6, 1))
    seom_meeting = services.meeting_create(
        body=seom,
        title="SEOM 2/57",
        host=state("PH"),
        start=dt.datetime(2026, 5, 26, 9),
        end=dt.datetime(2026, 5, 28, 17),
    )
    with pytest.raises(ValidationError) as exc:
        services.submission_record_outcome(
            submission=to_seom, status="endorsed", outcome_on=dt.date(2026, 5, 1)
        )
    assert "cannot come before" in exc.value.message_dict["outcome_on"][0]
    services.submission_record_outcome(
        submission=to_seom,
        status="endorsed",
        outcome_on=dt.date(2026, 5, 27),
        outcome="SEOM endorsed the report.",
        considered_at=seom_meeting,
    )
    to_aem = services.submission_forward(submission=to_seom, on=dt.date(2026, 6, 2))
    assert (to_aem.from_body, to_aem.to_body, to_aem.parent, to_aem.report) == (seom, aem, to_seom, report)
    services.submission_record_outcome(submission=to_aem, status="noted", outcome_on=dt.date(2026, 9, 22))
    # The body's page shows what it sent up and what came back.
    sent = body_submissions(body=world.body)
    assert [(s.to_body.acronym, s.status) for s in sent] == [("SEOM", "endorsed")]
    assert {s.to_body.acronym for s in body_submissions(body=seom)} == {"SEOM", "AEM"}
    with pytest.raises(ValidationError):  # already carried further up
        services.submission_record_outcome(
            submission=to_seom, status="returned", outcome_on=dt.date(2026, 6, 3), outcome="x"
        )


@pytest.mark.django_db
def test_returned_with_comments_then_sent_again(held, fake_pdf):
    with freeze_time(NOW):
        report = services.report_generate(meeting=held)
    services.report_adopt(report=report, mode="at_meeting", on=dt.date(2026, 5, 14))
    s = services.report_submit(report=report, on=dt.date(2026, 5, 15))
    with pytest.raises(ValidationError) as exc:
        services.submission_record_outcome(submission=s, status="returned", outcome_on=dt.date(2026, 5, 27))
    assert "comments" in exc.value.message_dict["outcome"][0]
    services.submission_record_outcome(
        submission=s, status="returned", outcome_on=dt.date(2026, 5, 27), outcome="Add the budget annex."
    )
    again = services.report_submit(report=report, on=dt.date(2026, 6, 10))
    assert again.pk == s.pk and again.status == "submitted" and again.outcome == ""
    assert Submission.objects.count() == 1
    assert s.history.count() >= 3  # the earlier round is kept in the history


@pytest.mark.django_db
def test_a_planned_meeting_has_no_report(world, fake_pdf):
    m = meeting_schedule(world)
    with pytest.raises(ValidationError), freeze_time(NOW):
        services.report_generate(meeting=m)
    assert Report.objects.count() == 0
