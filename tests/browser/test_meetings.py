"""Browser journeys through the meetings pages (Playwright driving Debian's Chromium):
(a) the Secretariat schedules the next ACCMSME meeting, builds and circulates its agenda, records a decision
and submits the report to SEOM; (b) a delegate opens the meeting page and sees what they may read."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import AgendaVersion, Decision, Meeting, ReportJob, Submission
from meetings.services import report_jobs
from tests.world.documents import pdf_file
from tests.world.meetings import meeting_schedule

pytestmark = pytest.mark.browser


def flash(page) -> str:
    return page.locator("ul.messages").inner_text()


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_runs_the_next_meeting_up_to_seom(world, media, live_server, browser, logged_in):
    base = live_server.url
    page = browser.new_page()
    logged_in(page, "sec")

    # Schedule: propose 2026 for ACCMSME. Only the 17th is on record, so the page warns that the cadence
    # says 21st; the Secretariat corrects the number and keeps only the first-half meeting.
    page.goto(f"{base}/meetings/plan/")
    page.select_option("#id_body", label="ACCMSME")
    page.fill("#id_year", "2026")
    page.click("#plan-form button")
    first = page.locator("#proposal-p0")
    assert "by the cadence of 2 a year this would be the 21st" in first.inner_text()
    page.fill("#id_p0-number", "21")
    page.fill("#id_p0-city", "Hanoi")
    for box in page.locator("#proposals input[name$='-include']").all()[1:]:
        box.uncheck()
    page.click("#schedule-proposals")
    page.wait_for_url(re.compile(r"/meetings/\?year=2026"))
    assert "1 meeting(s) scheduled" in flash(page)
    meeting = Meeting.objects.get(series=world.series, number=21)
    assert (meeting.host.iso2, meeting.city, meeting.status) == ("VN", "Hanoi", "planned")
    assert meeting.title == "21st ACCMSME Meeting"  # the proposed title followed the corrected number

    # Confirm it: the page asks first, and says nobody is on the list yet.
    page.click("text=21st ACCMSME Meeting")
    page.click("#manage-nav >> text=Edit")
    page.click("#confirm-meeting")
    assert "Nobody is e-mailed yet" in page.locator("#confirm-mailed").inner_text()
    page.click("#confirm-button")
    assert page.locator("#meeting-status").inner_text() == "Confirmed"
    # The delegations are invited (the three seats of the scene).
    page.click("#manage-nav >> text=Participants")
    page.click("#invite-delegations-link")
    assert (
        "This e-mails a calendar invitation to 3 people in 2 delegations"
        in page.locator("#confirm-mailed").inner_text()
    )
    page.click("#confirm-button")
    assert "3 delegate(s) added" in flash(page)

    # Build the agenda: the usual skeleton, one substantive item moved up, then circulate.
    page.click("#manage-nav >> text=Agenda")
    page.click("#usual-agenda")
    assert "The usual agenda was set up" in flash(page)
    page.fill("#id_title", "MSME digitalisation roadmap")
    page.select_option("#id_purpose", "decision")
    page.click("#add-item button[type=submit]")
    assert "added" in flash(page)
    row = page.locator("#agenda-builder tr[data-title='MSME digitalisation roadmap']")
    before = row.locator("td.num").inner_text()
    row.locator("button[value=up]").click()
    row = page.locator("#agenda-builder tr[data-title='MSME digitalisation roadmap']")
    assert int(row.locator("td.num").inner_text()) == int(before) - 1
    # Circulating asks first and says who gets it. The live server runs on the real clock, and an agenda
    # goes out only for a meeting still ahead: for one already over (May 2026) the page says it reaches no one.
    page.click("#circulate")
    if meeting.end > timezone.now():
        mailed, done = "This e-mails agenda version 1 to 3 people in 2 delegations.", "circulated to 3 people"
    else:
        mailed, done = "Nobody is e-mailed.", "was frozen but reached no one. The meeting is over"
        assert "The meeting is over" in page.locator("#confirm-warning").inner_text()
    assert page.locator("#confirm-mailed").inner_text() == mailed
    page.click("#confirm-button")
    assert done in flash(page)
    assert AgendaVersion.objects.get(meeting=meeting).number == 1

    # Record a decision on that item (the record page saves as one form).
    page.click("#manage-nav >> text=Record")
    option = page.locator("#id_d-agenda_item option", has_text="MSME digitalisation roadmap")
    page.select_option("#id_d-agenda_item", value=option.get_attribute("value"))
    page.select_option("#id_d-kind", "endorsed")
    page.fill("#id_d-text", "the MSME digitalisation roadmap for submission to SEOM.")
    page.click("#save-record")
    assert "a new decision" in flash(page)
    assert Decision.objects.get(meeting=meeting).kind == "endorsed"

    # Generate, adopt and submit the report.
    page.click("#manage-nav >> text=Report")
    page.click("#generate-report")
    page.wait_for_selector("#report-job progress")  # written in the background; the page follows it
    report_jobs.report_job_run(job_id=ReportJob.objects.get(meeting=meeting).pk)  # the worker's part
    page.wait_for_selector("#report-badge", timeout=60_000)  # the page saw it done and reloaded
    assert "Report of the 21st ACCMSME Meeting" in page.locator("#report-status").inner_text()
    meeting.refresh_from_db()
    last_day = meeting.end.astimezone(zoneinfo.ZoneInfo(meeting.timezone)).date()
    page.fill("#id_adopted_on", last_day.isoformat())
    page.check("#id_confirmed")  # adoption is final: asked in the form
    page.click("#adopt-form button[type=submit]")
    assert page.locator("#report-badge").inner_text() == "Adopted", page.locator("main").inner_text()
    page.fill("#id_submitted_on", (last_day + dt.timedelta(days=6)).isoformat())
    page.click("#submit-report")
    assert "Report submitted to SEOM" in flash(page)
    assert "ACCMSME → SEOM" in page.locator("#submissions").inner_text()
    s = Submission.objects.get()
    assert (s.from_body.acronym, s.to_body.acronym, s.submitted_on) == (
        "ACCMSME",
        "SEOM",
        dt.date(2026, 5, 20),
    )

    # The body's page shows what it sent up.
    page.goto(f"{base}/governance/bodies/ACCMSME/")
    assert "Report of the 21st ACCMSME Meeting" in page.locator("#body-submissions").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_delegate_opens_the_meeting_page(world, media, live_server, browser, logged_in):
    m = meeting_schedule(world, confirm=True)
    services.invitations_for_delegations(meeting=m)
    services.agenda_default_create(meeting=m)
    item = services.agenda_item_add(meeting=m, title="Access to finance for MSMEs", purpose="decision")
    paper = services.document_upload(
        meeting=m,
        file=pdf_file("finance.pdf", "finance"),
        title="Working paper on access to finance",
        kind="working_paper",
        classification=1,
    )
    services.document_upload(
        meeting=m,
        file=pdf_file("brief.pdf", "brief"),
        title="Chair's confidential brief",
        kind="working_paper",
        classification=2,
    )
    services.agenda_item_update(item=item, data={}, documents=[paper])
    services.agenda_circulate(meeting=m)
    services.decision_record(
        meeting=m, agenda_item=item, kind="agreed", text="to launch the MSME finance facility."
    )
    secret = m.documents.get(classification=2)

    page = browser.new_page()
    logged_in(page, "delegate-ph")
    page.goto(f"{live_server.url}/meetings/{m.pk}/")
    assert page.locator("h1").inner_text().startswith("21st ACCMSME Meeting")
    agenda = page.locator("#agenda-table").inner_text()
    assert "Adoption of the agenda" in agenda and "Access to finance for MSMEs" in agenda
    docs = page.locator("#document-list").inner_text()
    assert "Working paper on access to finance" in docs
    assert "Chair's confidential brief" not in page.content()
    assert "to launch the MSME finance facility." in page.locator("#decision-list").inner_text()
    assert "Delegate-Ph" in page.locator("#participant-list").inner_text()
    assert page.locator("#manage-nav").count() == 0
    # "Add to calendar": the meeting's own .ics, for the reader.
    ics = page.request.get(live_server.url + page.locator("#add-to-calendar").get_attribute("href"))
    assert ics.ok and ics.headers["content-type"].startswith("text/calendar") and m.uid in ics.text()

    with page.expect_download() as download:
        page.click("#document-list >> text=Working paper on access to finance")
    assert download.value.suggested_filename == "finance.pdf"

    response = page.goto(f"{live_server.url}/documents/{secret.pk}/download/")
    assert response.status == 404
